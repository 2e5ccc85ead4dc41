/**
 * One app process for the history specs (spec/lib/realtime/history-cross-process.spec.ts): a
 * RedisChannelLayer and a RedisRealtimeStore on `REDIS_URL` under `RT_PREFIX`, listening on a
 * free loopback port that it reports to its parent over IPC as `{ port }`.
 *
 * - WebSocket `/client?user=<id>` speaks the client's wire conventions (docs/client.md):
 *   `{ type: 'join', room }` joins and is answered with the room's `history` (with `last`);
 *   `{ type: 'history', room, after }` with what followed `after`. Every answer carries `replyTo`.
 * - `POST /burst { room, count }` broadcasts `count` lines `{ type: 'line', room, n, pid }` to
 *   the room at once (none awaited before the next starts) and answers their ids.
 *
 * It exits after closing the app on SIGTERM, or when its parent goes away.
 */
import 'reflect-metadata';
import { Body } from '../../components/body';
import { QueryParam } from '../../components/query-param';
import { WebSocket } from '../../components/websocket';
import { App } from '../../lib/app';
import { RedisChannelLayer } from '../../lib/channels/redis-channel-layer';
import { inject } from '../../lib/inject/inject';
import { RealtimeManager } from '../../lib/realtime/manager';
import { RedisRealtimeStore } from '../../lib/realtime/redis-store';
import type { HistoryReplay } from '../../lib/realtime/store';
import { Route, WebSocketRoute } from '../../lib/routing/routes';

interface Request {
  type: string;
  room: string;
  after?: string;
  requestId: number;
}

function isRequest(value: unknown): value is Request {
  if (typeof value !== 'object' || value === null) return false;
  const { type, room, requestId } = value as Record<string, unknown>;
  return typeof type === 'string' && typeof room === 'string' && typeof requestId === 'number';
}

/** A history reply as the client expects it: the messages with their ids. */
function historyReply(room: string, { entries, complete, last }: HistoryReplay, replyTo: number): Record<string, unknown> {
  const messages = entries.map((entry) => ({ ...(entry.message as Record<string, unknown>), id: entry.id }));
  return { type: 'history', room, messages, complete, last, replyTo };
}

const client = inject([WebSocket, QueryParam('user'), RealtimeManager], async (ws, userId, realtime) => {
  await ws.accept();
  if (!userId) return ws.close(4000, 'user required');
  await realtime.addUser({ id: userId }, ws);
  for await (const data of ws) {
    const request: unknown = JSON.parse(String(data));
    if (!isRequest(request)) continue;
    try {
      if (request.type === 'join') {
        await realtime.joinRoom(request.room, userId);
        await ws.sendJson(historyReply(request.room, await realtime.getHistory('room', request.room), request.requestId));
      } else if (request.type === 'history') {
        await ws.sendJson(historyReply(request.room, await realtime.getHistory('room', request.room, request.after), request.requestId));
      }
    } catch (error) {
      await ws.sendJson({ type: 'error', detail: error instanceof Error ? error.message : String(error), replyTo: request.requestId });
    }
  }
});

const burstBody = Body({
  type: 'object',
  properties: { room: { type: 'string' }, count: { type: 'integer' } },
  required: ['room', 'count'],
} as const);

const burst = inject([burstBody, RealtimeManager], async ({ room, count }, realtime) => {
  const sent = Array.from({ length: count }, (_, n) => realtime.broadcastToRoom(room, { type: 'line', room, n, pid: process.pid }));
  return (await Promise.all(sent)).map((broadcast) => broadcast.id);
});

async function main(): Promise<void> {
  const prefix = process.env.RT_PREFIX;
  if (!prefix) throw new Error('RT_PREFIX is required');
  const store = new RedisRealtimeStore({ prefix });
  const layer = new RedisChannelLayer({ prefix });
  await Promise.all([store.ready(), layer.ready()]);
  const app = new App({
    routes: [
      new WebSocketRoute('/client', client),
      new Route('/burst', 'POST', burst),
      new Route(
        '/rooms',
        'POST',
        inject(
          [Body({ type: 'object', properties: { id: { type: 'string' } }, required: ['id'] } as const), RealtimeManager],
          (body, realtime) => realtime.createRoom({ id: body.id }),
        ),
      ),
    ],
    channelLayer: layer,
    realtime: { store, presenceTtl: 2, reconnectGrace: 2000 },
  });
  await app.realtime.start();
  const server = await app.listen(0, '127.0.0.1');
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => process.exit(1), 3000).unref();
    void app.close().finally(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('disconnect', stop);
  process.send?.({ port: App.portOf(server) });
}

main().catch((error: unknown) => {
  process.stderr.write(`history-node failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
