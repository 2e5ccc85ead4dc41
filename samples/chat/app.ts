/**
 * A real-time chat on `app.realtime` (seed 000's "realtime chat" example): rooms, presence with
 * status, typing notices, and history that a reconnecting client replays from the last message
 * id it saw. One WebSocket route, `/ws?name=...`, with a message handler that takes a
 * discriminated union of commands (`join`, `leave`, `say`, `typing`, `status`, `history`, `ping`);
 * a typo in a command gets an error reply instead of a disconnect. It speaks the conventions of
 * `starwire/client` (docs/client.md): a command's `requestId` comes back as its reply's `replyTo`,
 * and `ping` is answered with `pong`. `StaticFiles` serves the browser page (public/index.html at
 * `GET /`) and the browser client bundled into one module (`GET /client/starwire-client.bundle.mjs`).
 *
 *   npm start                  # builds, serves http://127.0.0.1:8000 (starwire serve ...:chatApp); open it
 *   # Two processes, one chat (rooms, presence, history and broadcasts shared through Redis):
 *   REDIS_URL=redis://127.0.0.1:6379 npm start -- --port 8000
 *   REDIS_URL=redis://127.0.0.1:6379 npm start -- --port 8001     # in a second terminal
 *   node dist/samples/chat/app.js  # the same without the CLI; PORT and HOST apply
 */
import { join } from 'node:path';
import {
  App,
  apiDescriptionRoutes,
  apiDocsPages,
  type ChannelLayer,
  component,
  EventType,
  HTTPException,
  healthRoutes,
  inject,
  metricsRoutes,
  type PresenceUser,
  QueryParam,
  RealtimeManager,
  type RealtimeOptions,
  RedisChannelLayer,
  RedisRealtimeStore,
  StaticFiles,
  status,
  User,
  WebSocket,
  WebSocketRoute,
} from '../../index';

import { clientModuleRoute } from './client-module';
import { type CommandOptions, commandHandler, invalidCommandReply } from './commands';
import { packageRoot } from './package-root';
import { type ChatCommand, STATUSES, serverMessages } from './protocol';

export { type ChatCommand, STATUSES };

// ——— options ———

export interface ChatOptions {
  /** Options of `app.realtime`: its store, reconnect grace, history limit. */
  realtime?: RealtimeOptions;
  /** Default: the app's in-memory layer (one process). */
  channelLayer?: ChannelLayer;
  /** Rooms made at startup. Default: lobby and random. */
  rooms?: readonly { readonly id: string; readonly name: string; readonly description?: string }[];
  /** Messages a client gets on joining a room. Default 50. */
  joinHistory?: number;
  /** Rooms clients may create by joining them, beyond which `join` of a new room is refused. Default 50. */
  maxRooms?: number;
}

export const DEFAULT_ROOMS = [
  { id: 'lobby', name: 'Lobby', description: 'Everyone starts here' },
  { id: 'random', name: 'Random', description: 'Anything goes' },
] as const;

// ——— the page ———

/** The page and whatever else it needs, served as files; read from the source tree (tsc copies no HTML). */
export const PUBLIC_DIR = join(packageRoot(), 'samples', 'chat', 'public');

// ——— the user ———

/** Names are the users' ids here (a demo without sign-in): two tabs with one name are one user. */
const nameParam = QueryParam('name', {
  type: 'string',
  minLength: 1,
  maxLength: 24,
  // Letters, digits, space, _ . - ; no leading or trailing space.
  pattern: '^[\\p{L}\\p{N}_.-](?:[\\p{L}\\p{N} _.-]*[\\p{L}\\p{N}_.-])?$',
});

/** The connection's user, from `?name=`; refused with 400 before the upgrade when missing or malformed. */
const chatUser = component(User, [nameParam], (name) => {
  if (name === undefined) throw new HTTPException(status.HTTP_400_BAD_REQUEST, 'Query parameter "name" is required');
  return new User(name, name);
});

// ——— the app ———

/** Every client's view of who is online; sent whole, which is simple and fine at chat-room sizes. */
async function broadcastPresence(realtime: RealtimeManager, event: 'joined' | 'left' | 'status', user: PresenceUser): Promise<void> {
  const users = await realtime.getOnlineUsers();
  await realtime.broadcastToAll({ type: 'presence', event, user, users });
}

/**
 * Runs once per connection, before the message handler sees anything: accepts, registers the
 * socket with `app.realtime` (presence goes online; rooms the user is still in, after a quick
 * reconnect, reach the new socket), and sends a welcome with the rooms and who is online.
 */
class Entrance {
  constructor(private readonly ready: () => Promise<void>) {}

  @inject([WebSocket, User, RealtimeManager])
  async onRequest(ws: WebSocket, user: User, realtime: RealtimeManager): Promise<void> {
    // Before accepting: if the default rooms could not be made (Redis down), the client gets 500.
    await this.ready();
    await ws.accept();
    const me = await realtime.addUser({ id: user.id, name: user.name }, ws);
    const [rooms, users, memberOf] = await Promise.all([realtime.listRooms(), realtime.getOnlineUsers(), realtime.store.roomsOf(user.id)]);
    await ws.sendJson({ type: 'welcome', user: me, rooms, users, memberOf });
  }
}

/**
 * The chat's WebSocket route, `/ws`: a message handler for the commands, after the entrance.
 * A typo in a command gets `{type: 'error', ...}` back (with `replyTo`); closing the chat over it would be rude.
 */
function chatRoute(options: CommandOptions, entrance: Entrance) {
  // A typo in a command gets `{type: 'error', ...}` back (with `replyTo`); closing the chat over it would be rude.
  return new WebSocketRoute('/ws', commandHandler(options), {
    name: 'chat',
    summary: 'The chat: rooms, presence, typing notices and history over one socket',
    description: 'Connect with `?name=`; the server sends `welcome` first. A command with `requestId` gets one reply with `replyTo`.',
    tags: ['chat'],
    sends: serverMessages,
    onInvalidMessage: invalidCommandReply,
    hooks: [entrance],
  });
}

/**
 * The type of the chat's `/ws` route, for clients typed by it: `connect<ChatRoute>(url)` sends
 * only chat commands (see docs/client.md).
 */
export type ChatRoute = ReturnType<typeof chatRoute>;

/** Whether an optional package is installed: the chat shows what it makes possible when it is. */
function installed(name: string): boolean {
  try {
    require.resolve(name);
    return true;
  } catch {
    return false;
  }
}

/** Prometheus metrics at `GET /metrics` when prom-client (an optional peer dependency) is installed. */
const METRICS = installed('prom-client');
/** The API docs pages at `GET /docs` and `/docs/websocket` when their packages are installed. */
const DOCS_PAGES = installed('swagger-ui-dist') && installed('@asyncapi/react-component');

/**
 * Builds the chat. Whatever differs between runs (a Redis layer and store, a short reconnect
 * grace for tests) comes in `options`; `fromEnvironment()` reads it from `REDIS_URL`.
 */
export function createApp(options: ChatOptions = {}): App {
  const joinHistory = options.joinHistory ?? 50;
  const maxRooms = options.maxRooms ?? 50;

  let ready: Promise<void> = Promise.resolve();
  const app = new App({
    routes: [
      // GET /healthz (alive) and /readyz (503 while starting, draining, or Redis is unreachable) for probes.
      ...healthRoutes(),
      ...(METRICS ? metricsRoutes() : []),
      chatRoute({ joinHistory, maxRooms }, new Entrance(() => ready)),
      // GET /openapi.json and /asyncapi.json: this app described (docs/api-descriptions.md).
      ...apiDescriptionRoutes({ info: { title: 'Starwire chat', version: '1.0.0' } }),
      // …and the pages that show them to people (docs/api-docs-pages.md).
      ...(DOCS_PAGES ? apiDocsPages() : []),
      clientModuleRoute(),
      // What no route above takes: GET / is public/index.html, the page.
      StaticFiles('/', PUBLIC_DIR, { index: 'index.html' }),
    ],
    components: [chatUser],
    channelLayer: options.channelLayer,
    realtime: options.realtime,
    metrics: METRICS,
  });

  const realtime = app.realtime;
  realtime.on(EventType.USER_JOINED, (_type, { user }) => broadcastPresence(realtime, 'joined', user));
  realtime.on(EventType.STATUS_CHANGED, (_type, { user }) => broadcastPresence(realtime, 'status', user));
  // Gone past the reconnect grace: the manager took the user out of their rooms first (each
  // USER_LEFT_ROOM below refreshes that room's member list), so member lists agree by now.
  realtime.on(EventType.USER_LEFT, (_type, { user }) => broadcastPresence(realtime, 'left', user));
  // Everyone in a room sees who else is: a fresh member list on every join and leave.
  const announceMembers = async (room: string): Promise<void> => {
    if (!(await realtime.getRoom(room))) return;
    await realtime.broadcastToRoom(room, { type: 'members', room, members: await realtime.getRoomMembers(room) }, { history: false });
  };
  realtime.on(EventType.USER_JOINED_ROOM, (_type, { roomId }) => announceMembers(roomId));
  realtime.on(EventType.USER_LEFT_ROOM, (_type, { roomId }) => announceMembers(roomId));
  realtime.on(EventType.ROOM_CREATED, async () => {
    await realtime.broadcastToAll({ type: 'rooms', rooms: await realtime.listRooms() });
  });

  ready = (async () => {
    for (const room of options.rooms ?? DEFAULT_ROOMS) await realtime.createRoom(room);
  })();
  ready.catch((error: unknown) => app.settings.logError('chat sample: could not create the default rooms', error));
  return app;
}

/**
 * The options `REDIS_URL` asks for: a Redis channel layer (broadcasts reach every process) and a
 * Redis store (rooms, presence and history are the same in every process), so chat servers on
 * different ports are one chat. Without it, the in-memory defaults: one process.
 */
export function fromEnvironment(env: NodeJS.ProcessEnv = process.env): ChatOptions {
  const url = env.REDIS_URL;
  if (!url) return {};
  // One prefix for both, apart from other Starwire apps on the same Redis.
  const prefix = 'starwire-chat';
  return { channelLayer: new RedisChannelLayer({ url, prefix }), realtime: { store: new RedisRealtimeStore({ url, prefix }) } };
}

/**
 * The chat as configured by the environment, for `starwire serve dist/samples/chat/app.js:chatApp`.
 *
 * @example
 * // REDIS_URL=redis://127.0.0.1:6379 npx starwire serve dist/samples/chat/app.js:chatApp --workers 2
 */
export function chatApp(): App {
  return createApp(fromEnvironment());
}

if (require.main === module) {
  const port = Number(process.env.PORT ?? 8000);
  const host = process.env.HOST ?? '127.0.0.1';
  const app = chatApp();
  app.listen(port, host).then(
    () => {
      console.log(`chat sample on http://${host}:${port}${process.env.REDIS_URL ? ' (shared over Redis)' : ''}`);
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
  // Ctrl-C closes every socket with 1001 ("going away"), which the page answers by reconnecting.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void app.close());
}
