import assert from 'node:assert/strict';
import type { App } from '../../lib/app';
import { WebSocketDisconnect } from '../../lib/errors/exceptions';
import { createApp } from '../../samples/echo/app';
import { forEachTransport, liveTransport, type Peer, type Transport, testTransport, within } from '../support/ws-client';

/** Asserts the next receive fails because the server closed with `code`; returns the reason. */
async function expectClose(peer: Peer, code: number): Promise<string> {
  let error: unknown;
  try {
    await peer.receive();
  } catch (caught) {
    error = caught;
  }
  assert.ok(error instanceof WebSocketDisconnect, `expected a close ${code}, got ${String(error)}`);
  assert.equal(error.code, code, `close reason: ${error.reason}`);
  return error.reason;
}

/**
 * Runs `scenario` against an app of its own on the same kind of transport as `like`, then
 * checks that `app.close()` returns promptly: it waits for every handler, so a handler still
 * running after its client left makes it hang.
 */
async function handlerEndsAfter(like: Transport, scenario: (transport: Transport) => Promise<void>, what: string): Promise<void> {
  const app: App = createApp();
  try {
    await scenario(like.name === 'TestClient' ? testTransport(app) : liveTransport(await app.listen(0)));
  } finally {
    await within(app.close(), 2000, `app.close(): the ${what} handler kept running after the client left`);
  }
}

describe('samples/echo', () => {
  forEachTransport(createApp, (transport) => {
    describe('/echo', () => {
      it('echoes text as text and bytes as bytes, in order', async () => {
        const peer = await transport().open('/echo');
        const bytes = Buffer.from([0x00, 0xff, 0xfe, 0x80, 0x0a]); // not valid UTF-8: must stay bytes
        peer.send('héllo ✓');
        peer.send(bytes);
        peer.send('');
        peer.sendJson({ nested: [1, { two: 2 }] });
        assert.equal(await peer.receive(), 'héllo ✓');
        assert.deepEqual(await peer.receive(), bytes);
        assert.equal(await peer.receive(), '');
        assert.deepEqual(await peer.receiveJson(), { nested: [1, { two: 2 }] });
        assert.equal((await peer.close(1000)).code, 1000);
      });

      it('ends its handler when the client closes, answering the close with 1000', async () => {
        await handlerEndsAfter(
          transport(),
          async (own) => {
            const peer = await own.open('/echo');
            peer.send('last');
            assert.equal(await peer.receive(), 'last');
            assert.equal((await peer.close(1000, 'done')).code, 1000);
          },
          '/echo',
        );
      });
    });

    describe('/echo/json (a message handler)', () => {
      it('replies to each valid message with the JSON its handler returns', async () => {
        const peer = await transport().open('/echo/json');
        peer.sendJson({ text: 'one' });
        peer.sendJson({ text: 'two' });
        assert.deepEqual(await peer.receiveJson(), { echo: 'one' });
        assert.deepEqual(await peer.receiveJson(), { echo: 'two' });
        await peer.close();
      });

      it('closes with 1007 and a short reason on malformed JSON', async () => {
        const peer = await transport().open('/echo/json');
        peer.send('{"text": ');
        const reason = await expectClose(peer, 1007);
        assert.match(reason, /^Invalid JSON message/);
        assert.ok(Buffer.byteLength(reason) <= 123);
      });

      it('closes with 1007 on a message the schema refuses, after replying to the valid ones', async () => {
        const peer = await transport().open('/echo/json');
        peer.sendJson({ text: 'fine' });
        peer.sendJson({ text: 'x', extra: true });
        assert.deepEqual(await peer.receiveJson(), { echo: 'fine' });
        assert.match(await expectClose(peer, 1007), /^Invalid message/);
      });

      it('on /echo/json/lenient, answers a bad message with an error reply and stays open', async () => {
        const peer = await transport().open('/echo/json/lenient');
        peer.sendJson({ wrong: 1 });
        const reply = (await peer.receiveJson()) as { type: string; detail: string; errors: unknown[] };
        assert.equal(reply.type, 'error');
        assert.match(reply.detail, /^Invalid message/);
        assert.ok(reply.errors.length > 0);
        peer.send('not json');
        assert.equal(((await peer.receiveJson()) as { type: string }).type, 'error');
        peer.sendJson({ text: 'still here' });
        assert.deepEqual(await peer.receiveJson(), { echo: 'still here' });
        assert.equal((await peer.close(1000)).code, 1000);
      });
    });

    describe('/hello (API Star hello world)', () => {
      it('sends "Hello World!" count times, then closes with 1000', async () => {
        const ending = await transport().ending('/hello?count=3');
        assert.deepEqual(ending.messages, ['Hello World!', 'Hello World!', 'Hello World!']);
        assert.equal(ending.code, 1000);
      });

      it('sends 100 by default', async () => {
        const ending = await transport().ending('/hello');
        assert.equal(ending.messages.length, 100);
        assert.ok(ending.messages.every((message) => message === 'Hello World!'));
        assert.equal(ending.code, 1000);
      });

      it('refuses an out-of-range count with HTTP 400 before the upgrade', async () => {
        const refusal = await transport().refusal('/hello?count=0');
        assert.equal(refusal.status, 400, refusal.body);
        assert.match(refusal.body, /count/);
      });
    });

    describe('/hello/forever', () => {
      it('streams indexed, timestamped JSON every interval, and stops once the client leaves', async () => {
        await handlerEndsAfter(
          transport(),
          async (own) => {
            const peer = await own.open('/hello/forever?interval=20');
            const ticks: { index: number; timestamp: string; text: string }[] = [];
            for (let i = 0; i < 3; i++) ticks.push((await peer.receiveJson()) as { index: number; timestamp: string; text: string });
            assert.deepEqual(
              ticks.map((tick) => tick.index),
              [0, 1, 2],
            );
            assert.ok(ticks.every((tick) => tick.text === 'Hello World!' && !Number.isNaN(Date.parse(tick.timestamp))));
            // Measured on the server's own timestamps: two intervals of 20 ms lie between the first and third.
            assert.ok(Date.parse(ticks[2].timestamp) - Date.parse(ticks[0].timestamp) >= 38, 'the interval was not waited');
            await peer.close();
          },
          '/hello/forever',
        );
      });
    });

    describe('/ping and /ping/json (API Star ping-pong)', () => {
      it('answers every message, text or bytes, with "pong" until the client leaves', async () => {
        await handlerEndsAfter(
          transport(),
          async (own) => {
            const peer = await own.open('/ping');
            peer.send('ping');
            peer.send(Buffer.from('ping'));
            assert.equal(await peer.receive(), 'pong');
            assert.equal(await peer.receive(), 'pong');
            assert.equal((await peer.close(1000)).code, 1000);
          },
          '/ping',
        );
      });

      it('answers JSON with {"paddle":"pong"} and malformed JSON with 1007', async () => {
        const peer = await transport().open('/ping/json');
        peer.sendJson({ paddle: 'ping' });
        peer.sendJson([1, 2]);
        assert.deepEqual(await peer.receiveJson(), { paddle: 'pong' });
        assert.deepEqual(await peer.receiveJson(), { paddle: 'pong' });
        peer.send('ping');
        await expectClose(peer, 1007);
      });
    });
  });
});
