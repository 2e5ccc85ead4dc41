import assert from 'node:assert/strict';

type ReconnectionModule = typeof import('../../client/reconnection.mjs');

describe('client/reconnection', () => {
  let Reconnection: ReconnectionModule['Reconnection'];
  before(async () => {
    ({ Reconnection } = await import('../../client/reconnection.mjs'));
  });

  const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('retries ordinary closes, never a fatal code, and always a heartbeat timeout', () => {
    const reconnection = new Reconnection({}, [4001], () => 0.5);
    assert.equal(reconnection.shouldRetry(1006, false), true);
    assert.equal(reconnection.shouldRetry(4001, false), false);
    assert.equal(reconnection.shouldRetry(4001, true), true);
    assert.equal(new Reconnection(false, [], () => 0.5).shouldRetry(1006, false), false);
  });

  it('counts attempts, grows the delay, and stops after maxAttempts', async () => {
    const reconnection = new Reconnection({ initialDelay: 5, factor: 2, jitter: 0, maxAttempts: 2 }, [], () => 0.5);
    let opened = 0;
    assert.deepEqual(
      reconnection.schedule(() => opened++),
      { attempt: 1, delay: 5 },
    );
    assert.deepEqual(
      reconnection.schedule(() => opened++),
      { attempt: 2, delay: 10 },
    );
    assert.equal(reconnection.shouldRetry(1006, false), false);
    await wait(30);
    assert.equal(opened, 2);
  });

  it('starts the backoff over only once a connection stayed open stableAfter ms', async () => {
    const reconnection = new Reconnection({ initialDelay: 1, jitter: 0, stableAfter: 20, maxAttempts: 1 }, [], () => 0.5);
    reconnection.schedule(() => undefined);
    reconnection.opened();
    reconnection.lost(); // closed before it was stable: the attempt still counts
    await wait(40);
    assert.equal(reconnection.shouldRetry(1006, false), false);
    reconnection.opened();
    await wait(40);
    assert.equal(reconnection.shouldRetry(1006, false), true);
  });

  it('stop() cancels a scheduled attempt', async () => {
    const reconnection = new Reconnection({ initialDelay: 5, jitter: 0 }, [], () => 0.5);
    let opened = 0;
    reconnection.schedule(() => opened++);
    reconnection.stop();
    await wait(30);
    assert.equal(opened, 0);
  });
});
