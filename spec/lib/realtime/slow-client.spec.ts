import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { setImmediate as turn } from 'node:timers/promises';
import { QueryParam } from '../../../components/query-param';
import { WebSocket } from '../../../components/websocket';
import { App } from '../../../lib/app';
import { inject } from '../../../lib/inject/inject';
import { RealtimeManager } from '../../../lib/realtime/manager';
import { parseHistoryId } from '../../../lib/realtime/store';
import { WebSocketRoute } from '../../../lib/routing/routes';
import { liveUrl, openLive, within } from '../../support/ws-client';

/** Joins `room` and says `ready`; then answers `{ after }` with what the room kept after it. */
const member = inject([WebSocket, QueryParam('user'), RealtimeManager], async (ws, userId, realtime) => {
  await ws.accept();
  await realtime.addUser({ id: userId ?? 'anon' }, ws);
  await realtime.joinRoom('room', userId ?? 'anon');
  await ws.sendJson({ type: 'ready' });
  for await (const data of ws) {
    const { after } = JSON.parse(String(data)) as { after: string };
    await ws.sendJson({ type: 'history', ...(await realtime.getHistory('room', 'room', after)) });
  }
});

describe('A client that stops reading (real sockets, default send-overflow policy)', function () {
  this.timeout(15000);
  let app: App | undefined;
  let server: Server;

  afterEach(() => app?.close());

  it('is closed with 1013 rather than silently losing messages, and resumes every one from history after reconnecting', async () => {
    // The high-water mark is the only setting changed: sendOverflow is left at its default.
    app = new App({
      routes: [new WebSocketRoute('/m', member)],
      settings: { websocket: { sendHighWaterMark: 64 * 1024 } },
      realtime: { historyLimit: 1000 },
    });
    await app.realtime.createRoom({ id: 'room' });
    server = await app.listen(0, '127.0.0.1');
    const slow = await openLive(liveUrl(server, '/m?user=slow'));
    assert.deepEqual(await slow.receiveJson(), { type: 'ready' });
    slow.socket.pause();
    const line = { type: 'line', data: 'x'.repeat(16 * 1024) };
    let sent = 0;
    while (slow.closeInfo === undefined && sent < 500) {
      await app.realtime.broadcastToRoom('room', { ...line, n: sent++ });
      await turn();
      // Once the server gave up on the socket, stop: what follows is for history alone.
      if ((app.stats().closedByCode[1013] ?? 0) > 0) break;
    }
    for (let more = 0; more < 5; more++) await app.realtime.broadcastToRoom('room', { ...line, n: sent++ });
    slow.socket.resume();
    const close = await within(slow.closed, 5000, 'the server to close the slow socket');
    assert.deepEqual(close, { code: 1013, reason: 'Send buffer full' });
    const got: string[] = [];
    for (;;) {
      const message = (await slow.receiveJson().catch(() => undefined)) as { id: string } | undefined;
      if (!message) break;
      got.push(message.id);
    }
    assert.ok(got.length > 0 && got.length < sent, `some arrived before the close (${got.length} of ${sent})`);
    assert.deepEqual(
      got.map((id) => parseHistoryId(id).offset),
      Array.from({ length: got.length }, (_, i) => i + 1),
      'no gap before the close',
    );

    // The client comes back and asks for what followed the last line it got: all of it is there.
    const back = await openLive(liveUrl(server, '/m?user=slow'));
    assert.deepEqual(await back.receiveJson(), { type: 'ready' });
    back.sendJson({ after: got.at(-1) });
    const replay = (await back.receiveJson()) as { entries: { id: string }[]; complete: boolean };
    assert.equal(replay.complete, true);
    const all = [...got, ...replay.entries.map((entry) => entry.id)];
    assert.deepEqual(
      all.map((id) => parseHistoryId(id).offset),
      Array.from({ length: sent }, (_, i) => i + 1),
      'every line, once, in order',
    );
    back.socket.terminate();
  });
});
