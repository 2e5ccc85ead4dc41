import assert from 'node:assert/strict';
import { App, inject, WebSocket, WebSocketRoute } from '../../../index';
import { TestClient } from '../../../lib/testing/test-client';

/** The state step of `WebSocket` (lib/websocket/websocket-state.ts): where a connection stands and how it ended. */
describe('WebSocket state (lib/websocket/websocket-state.ts)', () => {
  it('goes connecting → connected → closed, and done resolves with the close code and reason kept', async () => {
    const seen: unknown[] = [];
    let socket: WebSocket | undefined;
    const handler = inject([WebSocket], async (ws) => {
      socket = ws;
      seen.push([ws.state, ws.connecting, ws.finished]);
      await ws.accept();
      seen.push([ws.state, ws.connected, ws.closeCode]);
      await ws.receiveText();
      await ws.close(4001, 'bye');
    });
    const client = new TestClient(new App({ routes: [new WebSocketRoute('/ws', handler)] }));
    const ws = await client.websocket('/ws');
    await ws.sendText('go');
    await socket!.done;
    assert.deepEqual(seen, [
      ['connecting', true, false],
      ['connected', true, undefined],
    ]);
    assert.deepEqual(
      [socket!.state, socket!.closed, socket!.finished, socket!.closeCode, socket!.closeReason],
      ['closed', true, true, 4001, 'bye'],
    );
    // done, asked for after the end, is already settled.
    await socket!.done;
  });

  it('records the status of a refused handshake and ends it as 1006', async () => {
    let socket: WebSocket | undefined;
    const handler = inject([WebSocket], (ws) => {
      socket = ws;
      ws.refuse(403, 'no');
    });
    const client = new TestClient(new App({ routes: [new WebSocketRoute('/ws', handler)] }));
    await assert.rejects(client.websocket('/ws'));
    await socket!.done;
    assert.deepEqual([socket!.refusedWith, socket!.closeCode, socket!.state], [403, 1006, 'closed']);
  });
});
