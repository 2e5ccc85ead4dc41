/**
 * One app process for the cross-process specs (spec/lib/realtime/cross-process.spec.ts): a
 * chat over a RedisChannelLayer and a RedisRealtimeStore that share Redis under `RT_PREFIX`,
 * listening on a free loopback port that it reports to its parent over IPC as `{ port }`.
 *
 * - WebSocket `/chat?user=<id>`: registers the socket with `app.realtime`, says `ready`, then
 *   runs `{ op: 'join', room }` and `{ op: 'say', room, text }` (to every member, sender too).
 * - `POST /rooms {id, maxUsers?}`, `POST /send {user, message}` (sendToUser), `GET /online`,
 *   `GET /members?room=`, `GET /events` (the USER_JOINED/USER_LEFT/USER_LEFT_ROOM this process
 *   fired, as `joined:<user>`, `left:<user>`, `left-room:<room>:<user>`).
 *
 * It exits after closing the app on SIGTERM, or when its parent goes away (the IPC channel
 * closes), so a crashed test run leaves no servers behind.
 *
 * @example
 * const child = fork('dist/spec/support/realtime-node.js', [], { env: { ...process.env, RT_PREFIX: prefix } });
 * child.once('message', ({ port }) => ...);
 */
import 'reflect-metadata';
import { Body } from '../../components/body';
import { QueryParam } from '../../components/query-param';
import { WebSocket } from '../../components/websocket';
import { App } from '../../lib/app';
import { RedisChannelLayer } from '../../lib/channels/redis-channel-layer';
import { inject } from '../../lib/inject/inject';
import { EventType } from '../../lib/realtime/events';
import { RealtimeManager } from '../../lib/realtime/manager';
import { RedisRealtimeStore } from '../../lib/realtime/redis-store';
import { Route, WebSocketRoute } from '../../lib/routing/routes';

interface Command {
  op: 'join' | 'say';
  room: string;
  text?: string;
}

function isCommand(value: unknown): value is Command {
  if (typeof value !== 'object' || value === null) return false;
  const { op, room } = value as Record<string, unknown>;
  return (op === 'join' || op === 'say') && typeof room === 'string';
}

const chat = inject([WebSocket, QueryParam('user'), RealtimeManager], async (ws, userId, realtime) => {
  await ws.accept();
  if (!userId) return ws.close(4000, 'user required');
  await realtime.addUser({ id: userId }, ws);
  await ws.sendJson({ type: 'ready', user: userId, pid: process.pid });
  for await (const data of ws) {
    const command: unknown = JSON.parse(String(data));
    if (!isCommand(command)) continue;
    try {
      if (command.op === 'join') await realtime.joinRoom(command.room, userId);
      else await realtime.broadcastToRoom(command.room, { type: 'said', from: userId, text: command.text ?? '', pid: process.pid });
      await ws.sendJson({ type: 'ok', op: command.op });
    } catch (error) {
      await ws.sendJson({ type: 'error', message: error instanceof Error ? error.message : String(error) });
    }
  }
});

const roomBody = Body({
  type: 'object',
  properties: { id: { type: 'string' }, maxUsers: { type: 'integer', minimum: 0 } },
  required: ['id'],
} as const);
const sendBody = Body({
  type: 'object',
  properties: { user: { type: 'string' }, message: { type: 'object' } },
  required: ['user', 'message'],
} as const);

async function main(): Promise<void> {
  const prefix = process.env.RT_PREFIX;
  if (!prefix) throw new Error('RT_PREFIX is required');
  const store = new RedisRealtimeStore({ prefix });
  const layer = new RedisChannelLayer({ prefix });
  // Unreachable Redis is reported to the parent as a failed start, not as hanging requests.
  await Promise.all([store.ready(), layer.ready()]);

  const events: string[] = [];
  const app = new App({
    routes: [
      new WebSocketRoute('/chat', chat),
      new Route(
        '/rooms',
        'POST',
        inject([roomBody, RealtimeManager], (body, realtime) => realtime.createRoom({ id: body.id, maxUsers: body.maxUsers })),
      ),
      new Route(
        '/send',
        'POST',
        inject([sendBody, RealtimeManager], (body, realtime) => realtime.sendToUser(body.user, body.message)),
      ),
      new Route(
        '/online',
        'GET',
        inject([RealtimeManager], async (realtime) => (await realtime.getOnlineUsers()).map((user) => user.id).sort()),
      ),
      new Route(
        '/members',
        'GET',
        inject([QueryParam('room'), RealtimeManager], async (room, realtime) => (await realtime.getRoomMembers(room ?? '')).sort()),
      ),
      new Route(
        '/events',
        'GET',
        inject([], () => events),
      ),
    ],
    channelLayer: layer,
    realtime: { store, presenceTtl: 2, reconnectGrace: 100 },
  });
  app.realtime.on(EventType.USER_JOINED, (_type, { user }) => {
    events.push(`joined:${user.id}`);
  });
  app.realtime.on(EventType.USER_LEFT, (_type, { user }) => {
    events.push(`left:${user.id}`);
  });
  app.realtime.on(EventType.USER_LEFT_ROOM, (_type, { roomId, userId }) => {
    events.push(`left-room:${roomId}:${userId}`);
  });
  await app.realtime.start();
  const server = await app.listen(0, '127.0.0.1');

  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    // Bounded: a hung close must not keep the process (and the spec's cleanup) waiting.
    setTimeout(() => process.exit(1), 3000).unref();
    void app.close().finally(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('disconnect', stop);
  process.send?.({ port: App.portOf(server) });
}

main().catch((error: unknown) => {
  process.stderr.write(`realtime-node failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
