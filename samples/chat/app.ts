/**
 * A real-time chat on `app.realtime` (seed 000's "realtime chat" example): rooms, presence with
 * status, typing notices, and history that a reconnecting client replays from the last message
 * id it saw. One WebSocket route, `/ws?name=...`, with a message handler that takes a
 * discriminated union of commands (`join`, `leave`, `say`, `typing`, `status`, `history`); a
 * typo in a command gets an error reply instead of a disconnect. `GET /` serves a browser page.
 *
 *   npm start                  # builds, serves http://127.0.0.1:8000 (PORT and HOST apply); open it
 *   # Two processes, one chat (rooms, presence, history and broadcasts shared through Redis):
 *   REDIS_URL=redis://127.0.0.1:6379 PORT=8000 npm start
 *   REDIS_URL=redis://127.0.0.1:6379 PORT=8001 npm start     # in a second terminal
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  App, component, EventType, HTMLResponse, HTTPException, inject, Message, QueryParam, RealtimeManager, RedisChannelLayer,
  RedisRealtimeStore, RoomError, Route, status, User, WebSocket, WebSocketRoute,
  type ChannelLayer, type HistoryEntry, type PresenceUser, type RealtimeOptions,
} from '../../index';

import { commandSchema, STATUSES, type Author, type ChatCommand, type ChatLine } from './protocol';

export { STATUSES, type ChatCommand };

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

/**
 * The repository root: the nearest directory above `from` with a package.json. The page is
 * read from the source tree, so one path works from `samples/chat/` (ts-node, tsx) and from
 * the compiled `dist/samples/chat/` (tsc does not copy HTML).
 */
export function packageRoot(from: string = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`No package.json above ${from}: cannot find samples/chat/page.html`);
  }
}

export const PAGE_PATH = join(packageRoot(), 'samples', 'chat', 'page.html');

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

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** History entries as the live broadcasts look: the message with its id, so the page handles both alike. */
function withIds(entries: readonly HistoryEntry[]): Record<string, unknown>[] {
  return entries.map((entry) => (isRecord(entry.message) ? { ...entry.message, id: entry.id } : { id: entry.id, message: entry.message }));
}

function errorReply(detail: string): { type: 'error'; detail: string } {
  return { type: 'error', detail };
}

function author(user: User): Author {
  return { id: user.id, name: user.name };
}

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
 * Builds the chat. Whatever differs between runs (a Redis layer and store, a short reconnect
 * grace for tests) comes in `options`; `fromEnvironment()` reads it from `REDIS_URL`.
 */
export function createApp(options: ChatOptions = {}): App {
  const joinHistory = options.joinHistory ?? 50;
  const maxRooms = options.maxRooms ?? 50;
  // Read once: every GET / serves the same string.
  const page = readFileSync(PAGE_PATH, 'utf8');
  const home = inject([], () => new HTMLResponse(page, { headers: { 'cache-control': 'no-cache' } }));

  /** Joins a room, making it first if it is new (within `maxRooms`); then its recent history. */
  async function join(ws: WebSocket, user: User, realtime: RealtimeManager, room: string): Promise<unknown> {
    if (!(await realtime.getRoom(room))) {
      if ((await realtime.listRooms()).length >= maxRooms) return errorReply(`No room ${room}, and no more rooms can be made`);
      await realtime.createRoom({ id: room, name: room });
    }
    await realtime.joinRoom(room, user.id);
    await ws.sendJson({ type: 'joined', room, members: await realtime.getRoomMembers(room) });
    // A message said between the join and this read arrives live and in here: clients skip ids they have.
    const { entries, complete } = await realtime.getHistory('room', room, undefined, joinHistory);
    return { type: 'history', room, messages: withIds(entries), complete };
  }

  /** Whether the user is in `room`: saying or typing into a room takes membership. */
  async function isMember(realtime: RealtimeManager, room: string, userId: string): Promise<boolean> {
    return (await realtime.getRoomMembers(room)).includes(userId);
  }

  const handle = inject([Message(commandSchema), User, RealtimeManager, WebSocket], async (message, user, realtime, ws): Promise<unknown> => {
    // ajv validated `message` against `commandSchema`; FromSchema does not read `allOf`/`if`, so
    // the union it guarantees is stated here, once.
    const command = message as ChatCommand;
    try {
      switch (command.type) {
        case 'join':
          return await join(ws, user, realtime, command.room);
        case 'leave':
          await realtime.leaveRoom(command.room, user.id);
          return { type: 'left', room: command.room };
        case 'say': {
          if (!(await isMember(realtime, command.room, user.id))) return errorReply(`Join ${command.room} before saying something there`);
          const line: ChatLine = { type: 'message', room: command.room, from: author(user), text: command.text, at: new Date().toISOString() };
          // The sender is a member too: its copy, with the id the manager gives it, is the acknowledgement.
          await realtime.broadcastToRoom(command.room, line);
          return undefined;
        }
        case 'typing':
          if (!(await isMember(realtime, command.room, user.id))) return errorReply(`Join ${command.room} first`);
          // Typing notices are for the moment: not kept in history.
          await realtime.broadcastToRoom(command.room, { type: 'typing', room: command.room, user: author(user), typing: command.typing }, { except: [user.id], history: false });
          return undefined;
        case 'status':
          // STATUS_CHANGED (below) tells everyone, this user included.
          await realtime.setStatus(user.id, command.status);
          return undefined;
        case 'history': {
          if (!(await realtime.getRoom(command.room))) return errorReply(`No room ${command.room}`);
          const { entries, complete } = await realtime.getHistory('room', command.room, command.after);
          return { type: 'history', room: command.room, after: command.after ?? null, messages: withIds(entries), complete };
        }
      }
    } catch (error) {
      // Full, private or deleted rooms are the user's problem to hear about, not a reason to disconnect.
      if (error instanceof RoomError) return errorReply(error.message);
      throw error;
    }
  });

  let ready: Promise<void> = Promise.resolve();
  const app = new App({
    routes: [
      new Route('/', 'GET', home),
      // A typo in a command gets `{type: 'error', ...}` back; closing the chat over it would be rude.
      new WebSocketRoute('/ws', handle, { onInvalidMessage: 'reply', hooks: [new Entrance(() => ready)] }),
    ],
    components: [chatUser],
    channelLayer: options.channelLayer,
    realtime: options.realtime,
  });

  const realtime = app.realtime;
  realtime.on(EventType.USER_JOINED, (_type, { user }) => broadcastPresence(realtime, 'joined', user));
  realtime.on(EventType.STATUS_CHANGED, (_type, { user }) => broadcastPresence(realtime, 'status', user));
  realtime.on(EventType.USER_LEFT, async (_type, { user }) => {
    // Gone past the reconnect grace: out of their rooms first, so that by the time others hear
    // of it, member lists agree. A user back meanwhile keeps them (the page rejoins anyway).
    if (!(await realtime.getUser(user.id))) {
      for (const room of await realtime.store.roomsOf(user.id)) await realtime.leaveRoom(room, user.id);
    }
    await broadcastPresence(realtime, 'left', user);
  });
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
  const app = createApp(fromEnvironment());
  app.listen(port, host).then(() => {
    console.log(`chat sample on http://${host}:${port}${process.env.REDIS_URL ? ' (shared over Redis)' : ''}`);
  }, (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
  // Ctrl-C closes every socket with 1001 ("going away"), which the page answers by reconnecting.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void app.close());
}
