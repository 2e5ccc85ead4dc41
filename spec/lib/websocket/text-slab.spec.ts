import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket as WsClient } from 'ws';
import { WebSocket } from '../../../components/websocket';
import { App } from '../../../lib/app';
import { inject } from '../../../lib/inject/inject';
import { WebSocketRoute } from '../../../lib/routing/routes';
import { encodeText, SLAB_MOST_UNITS } from '../../../lib/websocket/text-slab';
import { WAIT, within } from '../../support/ws-client';

/** Texts of `units` UTF-16 units made of `piece`, which may be 1, 2, 3 or 4 bytes in UTF-8. */
function textOf(piece: string, units: number): string {
  return piece.repeat(Math.ceil(units / piece.length)).slice(0, units);
}

describe('text slab (lib/websocket/text-slab.ts)', () => {
  it('encodes as Buffer.from does: ASCII, 2- and 3-byte characters, surrogate pairs and lone surrogates', () => {
    for (const text of [
      '',
      'hello',
      textOf('é', 5000),
      textOf('€', 4096),
      textOf('😀', 6000),
      `a\uD800b\uDC00c`,
      textOf('x', SLAB_MOST_UNITS),
    ]) {
      assert.deepEqual(encodeText(text), Buffer.from(text), `for ${JSON.stringify(text.slice(0, 12))}… (${text.length} units)`);
    }
  });

  it('never writes over a slice it gave out, within a slab or when moving to the next', () => {
    const given: Array<[Buffer, string]> = [];
    // Enough 3-byte text to fill several slabs, in lengths that leave awkward remainders.
    for (let i = 0; i < 60; i++) {
      const text = textOf(i % 2 === 0 ? '€' : `${i}x`, 4096 + ((i * 977) % 12000));
      given.push([encodeText(text), text]);
    }
    for (const [bytes, text] of given) assert.equal(bytes.toString('utf8'), text);
  });

  it('fits the longest text it takes, all 3-byte characters, into a fresh slab', () => {
    encodeText(textOf('x', 100));
    const longest = textOf('€', SLAB_MOST_UNITS);
    assert.equal(encodeText(longest).toString('utf8'), longest);
  });

  it('texts queued behind a client that does not read reach it intact and in order once it does', async () => {
    // About 10 MB: more than loopback buffers hold, so most slices wait in the socket's queue.
    const texts = Array.from({ length: 200 }, (_, i) => textOf(['€', 'é', '😀', `${i}`][i % 4], SLAB_MOST_UNITS - (i % 7) * 1000));
    const sender = inject([WebSocket], async (ws) => {
      await ws.accept();
      await ws.receiveText();
      for (const text of texts) void ws.send(text);
      await ws.receiveText().catch(() => undefined);
    });
    const settings = { websocket: { sendHighWaterMark: 64 * 1024 * 1024 } };
    const server: Server = await new App({ routes: [new WebSocketRoute('/texts', sender)], settings }).listen(0, '127.0.0.1');
    try {
      const client = new WsClient(`ws://127.0.0.1:${(server.address() as AddressInfo).port}/texts`);
      await within(once(client, 'open'), WAIT, 'open');
      const received: string[] = [];
      const all = new Promise<void>((resolve) => {
        client.on('message', (data: Buffer, isBinary: boolean) => {
          assert.equal(isBinary, false);
          received.push(data.toString('utf8'));
          if (received.length === texts.length) resolve();
        });
      });
      const raw = (client as unknown as { _socket: { pause(): void; resume(): void } })._socket;
      raw.pause();
      client.send('go');
      await new Promise((resolve) => setTimeout(resolve, 200));
      raw.resume();
      await within(all, 5000, 'the 200 texts');
      assert.equal(received.length, texts.length);
      for (let i = 0; i < texts.length; i++) assert.ok(received[i] === texts[i], `text ${i} arrived changed`);
      client.close();
      await within(once(client, 'close'), WAIT, 'the close');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
