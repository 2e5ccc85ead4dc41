import type { ChannelLayer } from '../channels/channel-layer';
import { Logger } from '../config/logger';
import { logErrorThrough } from '../config/settings';
import type { EventStream } from '../http/event-stream';
import type { WebSocket } from '../websocket/websocket';
import { type EventHandler, type EventType, type PresenceUser, RealtimeEvents } from './events';
import { checkId, MAX_USER_ID } from './ids';
import { MemoryRealtimeStore } from './memory-store';
import type * as PresenceModule from './presence';
import type { Presence, UserInit } from './presence';
import type { RealtimeOptions, RealtimeStats } from './realtime-options';
import { RoomError } from './room-error';
import type * as RoomEventStreamModule from './room-event-stream';
import type { RoomEventStreamOptions, RoomStreamContext } from './room-event-stream';
import type * as RoomsModule from './rooms';
import type { Broadcast, ChannelInit, RoomInit, Rooms } from './rooms';
import type { ChannelInfo, HistoryReplay, RealtimeStore, RoomInfo } from './store';
import type * as SwitchboardModule from './switchboard';
import type { Publication, Switchboard, Target } from './switchboard';

export type { Broadcast, ChannelInit, RealtimeOptions, RealtimeStats, RoomEventStreamOptions, RoomInit, UserInit };
export { RoomError };

/**
 * The manager's parts are loaded when the first manager is made (an app makes it on first use):
 * a dozen modules that `require('starwire')` does not pay for.
 */
const roomEventStreams = (): typeof RoomEventStreamModule => require('./room-event-stream.js') as typeof RoomEventStreamModule;

/**
 * Rooms, channels, presence, events, history and statistics for real-time apps, across every
 * process that shares a channel layer and a store. Each process delivers to its own sockets:
 * a broadcast is serialized once, published once on the layer, and fanned out locally.
 *
 * @example
 * const realtime = app.realtime;
 * await realtime.addUser({ id: user.id, name: user.name }, ws);
 * await realtime.createRoom({ id: 'lobby', name: 'Lobby' });
 * await realtime.joinRoom('lobby', user.id);
 * await realtime.broadcastToRoom('lobby', { type: 'message', text: 'hi' }, { except: [user.id] });
 */
export class RealtimeManager {
  readonly store: RealtimeStore;
  private readonly switchboard: Switchboard;
  private readonly events: RealtimeEvents;
  private readonly presence: Presence;
  private readonly rooms: Rooms;
  private readonly historyLimit: number;
  private started: Promise<void> | undefined;
  private closed = false;

  constructor(layer: ChannelLayer, options: RealtimeOptions = {}) {
    this.store = options.store ?? new MemoryRealtimeStore();
    const logger = options.logger ?? new Logger();
    const inboxCapacity = options.inboxCapacity ?? 10_000;
    if (!Number.isInteger(inboxCapacity) || inboxCapacity < 1) {
      throw new RangeError(`RealtimeManager option inboxCapacity must be a whole number ≥ 1, got ${inboxCapacity}`);
    }
    const logError = options.logError ?? logErrorThrough(logger);
    const { Switchboard } = require('./switchboard.js') as typeof SwitchboardModule;
    const { Presence } = require('./presence.js') as typeof PresenceModule;
    const { Rooms } = require('./rooms.js') as typeof RoomsModule;
    this.switchboard = new Switchboard(
      layer,
      this.store,
      logError,
      (unannounced) =>
        logger.warn(
          { event: 'realtime.unannounced', ...unannounced },
          `${unannounced.kind} ${unannounced.id}: other processes may have missed that ${unannounced.userId} ${unannounced.member ? 'joined' : 'left'}`,
        ),
      inboxCapacity,
    );
    this.events = new RealtimeEvents(logError);
    this.historyLimit = options.historyLimit ?? 100;
    const shared = { store: this.store, switchboard: this.switchboard, events: this.events, ready: () => this.start() };
    this.presence = new Presence({ ...shared, ttl: options.presenceTtl ?? 15, grace: options.reconnectGrace ?? 3000 });
    this.rooms = new Rooms({ ...shared, historyLimit: this.historyLimit });
  }

  /** Joins the layer: a channel for this process and the groups every process is in. Idempotent. */
  start(): Promise<void> {
    return (this.started ??= this.connect());
  }

  // ——— users and presence (presence.ts) ———

  /**
   * Registers a socket for a user: presence goes online (USER_JOINED fires for the user's first
   * socket anywhere, not within the reconnect grace), and the user's rooms and channels reach
   * it. The socket is removed by itself when it closes; once the user's last socket anywhere
   * has stayed closed for the grace, they leave every room and channel. A user already online
   * (another tab, a reconnect within the grace) keeps the status and metadata they had, unless
   * `init.status` is given and differs: then STATUS_CHANGED fires. Resolves with the record
   * presence keeps. A user id must be 1–256 characters without lone surrogates (a TypeError
   * otherwise, before anything is registered).
   *
   * @example
   * const user = await realtime.addUser({ id: 'ann', name: 'Ann' }, ws);
   */
  addUser(init: UserInit, ws: WebSocket): Promise<PresenceUser> {
    return this.presence.addUser(init, ws);
  }

  /** Unregisters a user's sockets in this process (all, or just `ws`). */
  async removeUser(userId: string, ws?: WebSocket): Promise<void> {
    this.presence.removeUser(userId, ws);
  }

  /** Sets a user's status (and metadata); STATUS_CHANGED fires. Does nothing for a user who is not online. */
  setStatus(userId: string, status: string, metadata?: Readonly<Record<string, unknown>>): Promise<void> {
    return this.presence.setStatus(userId, status, metadata);
  }

  getOnlineUsers(): Promise<PresenceUser[]> {
    return this.store.onlineUsers();
  }

  getUser(userId: string): Promise<PresenceUser | undefined> {
    return this.store.getPresence(userId);
  }

  // ——— rooms and channels (rooms.ts) ———

  createRoom(init: RoomInit): Promise<RoomInfo> {
    return this.rooms.createRoom(init);
  }

  getRoom(roomId: string): Promise<RoomInfo | undefined> {
    return this.store.getRoom(roomId);
  }

  /** Public rooms (private ones are left out). */
  async listRooms(): Promise<RoomInfo[]> {
    return (await this.store.listRooms()).filter((room) => !room.isPrivate);
  }

  deleteRoom(roomId: string): Promise<void> {
    return this.rooms.deleteRoom(roomId);
  }

  /** Lets a user into a private room. Throws `RoomError` when the room does not exist. */
  invite(roomId: string, userId: string): Promise<void> {
    return this.rooms.invite(roomId, userId);
  }

  /**
   * Adds a user to a room. Throws `RoomError` when the room does not exist, is full
   * (`maxUsers`), or is private and the user was not invited.
   */
  joinRoom(roomId: string, userId: string): Promise<void> {
    return this.rooms.joinRoom(roomId, userId);
  }

  leaveRoom(roomId: string, userId: string): Promise<void> {
    return this.rooms.leaveRoom(roomId, userId);
  }

  getRoomMembers(roomId: string): Promise<string[]> {
    return this.store.roomMembers(roomId);
  }

  /**
   * Sends to every member of a room, in every process; `except` lists user ids to skip. Kept in
   * history if the room keeps it, unless `history: false` (typing notices, cursors).
   */
  broadcastToRoom(roomId: string, message: unknown, options: { except?: readonly string[]; history?: boolean } = {}): Promise<Broadcast> {
    return this.rooms.broadcastToRoom(roomId, message, options);
  }

  createChannel(init: ChannelInit): Promise<ChannelInfo> {
    return this.rooms.createChannel(init);
  }

  subscribeToChannel(channelId: string, userId: string): Promise<void> {
    return this.rooms.subscribeToChannel(channelId, userId);
  }

  unsubscribeFromChannel(channelId: string, userId: string): Promise<void> {
    return this.rooms.unsubscribeFromChannel(channelId, userId);
  }

  /** Sends to every subscriber; persistent channels keep it in history unless `history: false`. */
  broadcastToChannel(channelId: string, message: unknown, options: { history?: boolean } = {}): Promise<Broadcast> {
    return this.rooms.broadcastToChannel(channelId, message, options);
  }

  // ——— direct and global ———

  /**
   * Sends to every socket of a user, in every process. `delivered`/`dropped` count this
   * process's sockets; `remote` says whether the other processes were reached: `'failed'` or
   * `'unknown'` while the channel layer cannot reach Redis. It resolves either way.
   */
  async sendToUser(userId: string, message: unknown): Promise<Publication> {
    checkId('RealtimeManager.sendToUser', 'userId', userId, MAX_USER_ID);
    return this.publish({ kind: 'user', id: userId }, message);
  }

  /** Sends to every registered socket in every process. */
  broadcastToAll(message: unknown): Promise<Publication> {
    return this.publish({ kind: 'all' }, message);
  }

  /** Sends to every registered socket connected on `path`, in every process. */
  broadcastToPath(path: string, message: unknown): Promise<Publication> {
    return this.publish({ kind: 'path', id: path }, message);
  }

  // ——— history ———

  /**
   * What a room or persistent channel kept after `afterId` (the last id a client saw), oldest
   * first; `complete` says whether that is everything the client missed.
   */
  getHistory(kind: 'room' | 'channel', id: string, afterId?: string, limit = this.historyLimit): Promise<HistoryReplay> {
    return this.store.readHistory(`${kind}:${id}`, afterId, limit);
  }

  // ——— Server-Sent Events (room-event-stream.ts) ———

  /**
   * A Server-Sent Events response carrying a room's broadcasts, each with its history id as the
   * event id: given the client's `lastEventId`, what the room kept after it comes first, then a
   * `resumed` event (`{ complete, last }`, as `getHistory` says), then live broadcasts, none
   * twice. A 404 `HTTPException` for a missing room, a 400 for a malformed `lastEventId`.
   *
   * @example
   * new Route('/rooms/{room}/events', 'GET', inject([PathParam('room'), LastEventId, RealtimeManager],
   *   (room, lastEventId, realtime) => realtime.roomEventStream(room, { lastEventId })));
   */
  roomEventStream(roomId: string, options?: RoomEventStreamOptions): Promise<EventStream> {
    return roomEventStreams().roomEventStream(this.streamContext(), 'room', roomId, options);
  }

  /**
   * A Server-Sent Events response carrying a channel's broadcasts; persistent channels resume
   * from `lastEventId` as rooms do (see `roomEventStream`).
   *
   * @example
   * const stream = await realtime.channelEventStream('prices', { lastEventId, keepAlive: 20_000 });
   */
  channelEventStream(channelId: string, options?: RoomEventStreamOptions): Promise<EventStream> {
    return roomEventStreams().roomEventStream(this.streamContext(), 'channel', channelId, options);
  }

  // ——— events and statistics ———

  /**
   * Listens for an event. Handlers run in the process that observed the event; an error in one
   * is reported, not thrown.
   *
   * @example
   * realtime.on(EventType.USER_JOINED, (_type, { user }) => realtime.sendToUser(user.id, { type: 'welcome' }));
   */
  on<E extends EventType>(type: E, handler: EventHandler<E>): () => void {
    return this.events.on(type, handler);
  }

  /**
   * Counts for this process and the cluster it shares a store with.
   *
   * @example
   * const { users, connections, delivered } = await realtime.stats();
   */
  async stats(): Promise<RealtimeStats> {
    const [rooms, channels, users] = await Promise.all([this.store.listRooms(), this.store.listChannels(), this.store.onlineUsers()]);
    return {
      rooms: rooms.length,
      channels: channels.length,
      users: users.length,
      connections: this.switchboard.sockets.size,
      messagesPerSecond: this.switchboard.messagesPerSecond,
      delivered: this.switchboard.delivered,
      dropped: this.switchboard.dropped,
      malformed: this.switchboard.malformed,
      unannounced: this.switchboard.unannounced,
    };
  }

  /** @deprecated use stats() */
  getStats(): Promise<RealtimeStats> {
    return this.stats();
  }

  /**
   * Stops renewing presence, leaves the layer and closes the store (as `App.close()` closes the
   * channel layer it was given). Presence of this process's users lapses within the TTL, so a
   * restart inside it keeps them online; users that did not come back by then are reported
   * leaving (rooms, then USER_LEFT) by another process's sweep, as for a process that died.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.presence.close();
    await this.switchboard.close();
    await this.store.close();
  }

  private streamContext(): RoomStreamContext {
    return { store: this.store, switchboard: this.switchboard, historyLimit: this.historyLimit, ready: () => this.start() };
  }

  private async connect(): Promise<void> {
    await this.switchboard.start();
    await this.presence.startHeartbeat();
  }

  private async publish(target: Target, message: unknown): Promise<Publication> {
    await this.start();
    return this.switchboard.publish(target, message, []);
  }
}
