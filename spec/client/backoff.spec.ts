import assert from 'node:assert/strict';
import { type ClientModule, loadClient, NodeWebSocket, next, record, startWireApp } from './client-harness';

describe('client/backoff', () => {
  let client: ClientModule;
  before(async () => {
    client = await loadClient();
  });

  it('grows by the factor from the initial delay, up to the cap', () => {
    const options = { initialDelay: 100, factor: 2, maxDelay: 1000, jitter: 0 };
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6, 20].map((attempt) => client.backoffDelay(attempt, options)),
      [100, 200, 400, 800, 1000, 1000, 1000],
    );
  });

  it('moves the delay by up to ±jitter of itself, as the random draw says', () => {
    const options = { initialDelay: 100, factor: 2, maxDelay: 1000, jitter: 0.5 };
    assert.equal(
      client.backoffDelay(3, options, () => 0),
      200,
    );
    assert.equal(
      client.backoffDelay(3, options, () => 0.5),
      400,
    );
    assert.equal(
      client.backoffDelay(3, options, () => 0.999999),
      600,
    );
    assert.equal(
      client.backoffDelay(10, options, () => 0.999999),
      1500,
    );
    assert.equal(
      client.backoffDelay(10, options, () => 0),
      500,
    );
  });

  it('stays within [0, maxDelay * (1 + jitter)] whatever the draw, and spreads', () => {
    const options = { initialDelay: 500, factor: 2, maxDelay: 10_000, jitter: 0.5 };
    let seed = 7;
    // A small deterministic generator: the spec must not depend on luck.
    const random = (): number => (seed = (seed * 48271) % 2147483647) / 2147483647;
    const delays = Array.from({ length: 200 }, (_, i) => client.backoffDelay(1 + (i % 12), options, random));
    for (const delay of delays) assert.ok(delay >= 0 && delay <= 15_000, String(delay));
    const capped = delays.filter((_, i) => 1 + (i % 12) >= 6);
    assert.ok(new Set(capped).size > 20, 'capped delays are jittered, not all equal');
    // Out-of-range draws and jitter are clamped rather than trusted.
    assert.equal(
      client.backoffDelay(1, { initialDelay: 100, jitter: 5 }, () => -3),
      0,
    );
  });

  it('waits the computed, jittered delays between failed attempts (random injected)', async () => {
    // A port nothing listens on: every attempt is refused at once.
    const { app, port } = await startWireApp();
    await app.close();
    const sw = client.connect(`ws://127.0.0.1:${port}/rpc`, {
      WebSocket: NodeWebSocket,
      heartbeat: false,
      reconnect: { initialDelay: 20, factor: 2, maxDelay: 80, jitter: 0.5, maxAttempts: 5 },
      random: () => 0,
    });
    const scheduled = record(sw, 'reconnecting');
    const closes = record(sw, 'close');
    try {
      await next(sw, 'close', (event) => !event.willReconnect);
      assert.deepEqual(
        scheduled,
        [10, 20, 40, 40, 40].map((delay, i) => ({ attempt: i + 1, delay })),
      );
      assert.equal(closes.length, 6, 'the first try and five attempts');
      assert.ok(closes.every((event) => event.code === 1006));
      assert.equal(sw.state, 'closed');
    } finally {
      sw.close();
    }
  });
});
