import { EventEmitter } from 'node:events';
import type { WebSocket } from '../websocket/websocket';
import type { ChannelLayer } from '../channels/channel-layer';
import { Logger } from '../config/logger';
import { WS_1012_SERVICE_RESTART } from '../errors/status';
import { EventType, type EventData, type EventHandler, type PresenceUser } from './events';

/** What a room or channel broadcast reached (see `Publication`), and the history id it was kept under (if it was). */
export interface Broadcast extends Publication {
  /** The message's id in the room's or channel's history; absent when it was not kept. */
  id?: string;
}
import { checkId, MAX_ROOM_ID, MAX_USER_ID } from './ids';
import { MemoryRealtimeStore } from './memory-store';
import { PresenceHeartbeat } from './presence-heartbeat';
import { RoomError } from './room-error';
import { Switchboard, type Publication, type Target } from './switchboard';
import type { ChannelInfo, Departure, HistoryReplay, RealtimeStore, RoomInfo } from './store';

export { RoomError };

export interface RealtimeOptions {
  /** Where rooms, presence and history live. Default: this process's memory. */
  store?: RealtimeStore;
  /**
   * Seconds a process's heartbeat and its users' presence last unless renewed (three times per
   * TTL). A dead process's users vanish after it, and the next sweep of a live process (within
   * 4/3 of it) reports their departure once for the cluster. Default 15.
   */
  presenceTtl?: number;
  /** Milliseconds a user may be gone before `USER_LEFT` fires; a reconnect within it fires nothing. Default 3000. */
  reconnectGrace?: number;
  /** Messages each room or persistent channel keeps for replay. Default 100. */
  historyLimit?: number;
  /** Where a failing event handler is reported. Default: the app's `settings.logError`. */
  logError?: (message: string, error: unknown) => void;
  /**
   * Where warnings go: a `realtime.unannounced` event for each room or channel membership change
   * the channel layer could not confirm telling the other processes. Default: the app's logger.
   */
  logger?: Logger;
  /**
   * Messages this process's one real-time channel holds before it drops: every broadcast and
   * membership change from other processes passes through it, and a burst arrives from Redis
   * at once. What overflows is lost for this process's sockets (the layer counts it in
   * `stats().dropped`). Default 10000.
   */
  inboxCapacity?: number;
}

/** Who a user is, for `addUser`. */
export interface UserInit {
  readonly id: string;
  readonly name?: string;
  readonly status?: string;
  readonly metadata?: Readonly<Record<string, unknown>>;
}

export interface RealtimeStats {
  rooms: number;
  channels: number;
  /** Users online, in every process sharing the store. */
  users: number;
  /** Sockets registered in this process. */
  connections: number;
  /** Socket deliveries per second in this process, over the last few seconds. */
  messagesPerSecond: number;
  delivered: number;
  /** Deliveries dropped by send-buffer policies in this process. */
  dropped: number;
  /** Messages from the channel layer this process dropped as malformed (each also reported through logError). */
  malformed: number;
  /** Membership changes the channel layer did not confirm telling other processes (each also a `realtime.unannounced` warning). */
  unannounced: number;
}

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
  private readonly leaving = new Map<string, NodeJS.Timeout>();
  /** Users whose grace ran out and whose leave is still being written; a reconnect waits for it. */
  private readonly departures = new Map<string, Promise<void>>();
  /** The presence record of each user with a socket here, to restore it if it lapsed (see renewPresence). */
  private readonly records = new Map<string, PresenceUser>();
  private readonly events = new EventEmitter();
  private readonly presenceTtl: number;
  private readonly grace: number;
  private readonly historyLimit: number;
  private started: Promise<void> | undefined;
  private heartbeat: PresenceHeartbeat | undefined;
  private closed = false;
  private readonly logError: (message: string, error: unknown) => void;

  constructor(layer: ChannelLayer, options: RealtimeOptions = {}) {
    this.store = options.store ?? new MemoryRealtimeStore();
    const logger = options.logger ?? new Logger();
    const inboxCapacity = options.inboxCapacity ?? 10_000;
    if (!Number.isInteger(inboxCapacity) || inboxCapacity < 1) {
      throw new RangeError(`RealtimeManager option inboxCapacity must be a whole number ≥ 1, got ${inboxCapacity}`);
    }
    this.switchboard = new Switchboard(
      layer, this.store, (message, error) => this.logError(message, error),
      (unannounced) => logger.log('warn', 'realtime.unannounced', { ...unannounced }),
      inboxCapacity,
    );
    this.presenceTtl = options.presenceTtl ?? 15;
    this.grace = options.reconnectGrace ?? 3000;
    this.historyLimit = options.historyLimit ?? 100;
    this.logError = options.logError ?? ((message, error) => console.error(message, error));
  }

  /** Joins the layer: a channel for this process and the groups every process is in. Idempotent. */
  start(): Promise<void> {
    return (this.started ??= this.connect());
  }

  // ——— users and presence ———

  /**
   * Registers a socket for a user: presence goes online (USER_JOINED fires for the user's first
   * socket anywhere, not within the reconnect grace), and the user's rooms and channels reach
   * it. The socket is removed by itself when it closes; once the user's last socket anywhere
   * has stayed closed for the grace, they leave every room and channel. A user already online
   * (another tab, a reconnect within the grace) keeps the status and metadata they had, unless
   * `init.status` is given and differs: then STATUS_CHANGED fires. Resolves with the record
   * presence keeps. A user id must be 1–256 characters without lone surrogates (a TypeError
   * otherwise, before anything is registered).
   */
  async addUser(init: UserInit, ws: WebSocket): Promise<PresenceUser> {
    checkId('RealtimeManager.addUser', 'user.id', init.id, MAX_USER_ID);
    await this.start();
    const user: PresenceUser = { id: init.id, name: init.name ?? init.id, status: init.status ?? 'online', metadata: init.metadata ?? {} };
    const pending = this.leaving.get(user.id);
    if (pending) {
      clearTimeout(pending);
      this.leaving.delete(user.id);
    }
    const firstHere = !this.switchboard.sockets.hasUser(user.id);
    if (!this.switchboard.sockets.add(user.id, ws)) return this.records.get(user.id) ?? user;
    void ws.done.then(() => this.removeSocket(ws));
    this.records.set(user.id, user);
    // A leave already under way must finish first, or its dropPresence would undo this touch.
    await this.departures.get(user.id);
    const touched = await this.store.touchPresence(user, this.switchboard.processId, this.presenceTtl);
    this.records.set(user.id, touched.user);
    if (firstHere) await this.switchboard.welcome(user.id);
    if (touched.first) this.emit(EventType.USER_JOINED, { user: touched.user });
    // A status given explicitly replaces the one kept from the user's other sockets, and says so.
    if (!touched.first && init.status !== undefined && init.status !== touched.user.status) {
      await this.setStatus(user.id, init.status, init.metadata);
      return this.records.get(user.id) ?? touched.user;
    }
    return touched.user;
  }

  /** Unregisters a user's sockets in this process (all, or just `ws`). */
  async removeUser(userId: string, ws?: WebSocket): Promise<void> {
    const sockets = ws ? [ws] : [...(this.switchboard.sockets.ofUser(userId) ?? [])];
    for (const socket of sockets) this.removeSocket(socket);
  }

  async setStatus(userId: string, status: string, metadata?: Readonly<Record<string, unknown>>): Promise<void> {
    checkId('RealtimeManager.setStatus', 'userId', userId, MAX_USER_ID);
    const user = await this.store.getPresence(userId);
    if (!user) return;
    const updated = { ...user, status, metadata: metadata ?? user.metadata };
    await this.store.setPresence(updated);
    if (this.records.has(userId)) this.records.set(userId, updated);
    this.emit(EventType.STATUS_CHANGED, { user: updated });
  }

  getOnlineUsers(): Promise<PresenceUser[]> {
    return this.store.onlineUsers();
  }

  getUser(userId: string): Promise<PresenceUser | undefined> {
    return this.store.getPresence(userId);
  }

  // ——— rooms ———

  async createRoom(init: { id: string; name?: string; description?: string; maxUsers?: number; isPrivate?: boolean; keepHistory?: boolean }): Promise<RoomInfo> {
    checkId('RealtimeManager.createRoom', 'room.id', init.id, MAX_ROOM_ID);
    const room: RoomInfo = {
      id: init.id, name: init.name ?? init.id, description: init.description ?? '',
      maxUsers: init.maxUsers ?? 0, isPrivate: init.isPrivate ?? false, keepHistory: init.keepHistory ?? true,
    };
    if (await this.store.createRoom(room)) this.emit(EventType.ROOM_CREATED, { roomId: room.id });
    return (await this.store.getRoom(room.id)) ?? room;
  }

  getRoom(roomId: string): Promise<RoomInfo | undefined> {
    return this.store.getRoom(roomId);
  }

  /** Public rooms (private ones are left out). */
  async listRooms(): Promise<RoomInfo[]> {
    return (await this.store.listRooms()).filter((room) => !room.isPrivate);
  }

  async deleteRoom(roomId: string): Promise<void> {
    const members = await this.store.roomMembers(roomId);
    if (!(await this.store.deleteRoom(roomId))) return;
    for (const userId of members) await this.announce('room', roomId, userId, false);
    this.emit(EventType.ROOM_DELETED, { roomId });
  }

  /** Lets a user into a private room. Throws `RoomError` when the room does not exist. */
  async invite(roomId: string, userId: string): Promise<void> {
    checkIds('invite', roomId, userId);
    if (!(await this.store.getRoom(roomId))) throw new RoomError(roomId, 'missing');
    await this.store.invite(roomId, userId);
  }

  /**
   * Adds a user to a room. Throws `RoomError` when the room does not exist, is full
   * (`maxUsers`), or is private and the user was not invited.
   */
  async joinRoom(roomId: string, userId: string): Promise<void> {
    checkIds('joinRoom', roomId, userId);
    const outcome = await this.store.joinRoom(roomId, userId);
    if (outcome === 'already') return;
    if (outcome !== 'joined') throw new RoomError(roomId, outcome);
    await this.announce('room', roomId, userId, true);
    this.emit(EventType.USER_JOINED_ROOM, { roomId, userId });
  }

  async leaveRoom(roomId: string, userId: string): Promise<void> {
    checkIds('leaveRoom', roomId, userId);
    if (!(await this.store.leaveRoom(roomId, userId))) return;
    await this.announce('room', roomId, userId, false);
    this.emit(EventType.USER_LEFT_ROOM, { roomId, userId });
  }

  getRoomMembers(roomId: string): Promise<string[]> {
    return this.store.roomMembers(roomId);
  }

  /**
   * Sends to every member of a room, in every process; `except` lists user ids to skip. Kept in
   * history if the room keeps it, unless `history: false` (typing notices, cursors).
   */
  async broadcastToRoom(roomId: string, message: unknown, options: { except?: readonly string[]; history?: boolean } = {}): Promise<Broadcast> {
    const room = await this.store.getRoom(roomId);
    if (!room) throw new RoomError(roomId, 'missing');
    const history = room.keepHistory && options.history !== false ? `room:${roomId}` : undefined;
    return this.broadcast({ kind: 'room', id: roomId }, history, message, options.except ?? []);
  }

  // ——— channels ———

  async createChannel(init: { id: string; name?: string; isPersistent?: boolean }): Promise<ChannelInfo> {
    checkId('RealtimeManager.createChannel', 'channel.id', init.id, MAX_ROOM_ID);
    const channel: ChannelInfo = { id: init.id, name: init.name ?? init.id, isPersistent: init.isPersistent ?? false };
    if (await this.store.createChannel(channel)) this.emit(EventType.CHANNEL_CREATED, { channelId: channel.id });
    return (await this.store.getChannel(channel.id)) ?? channel;
  }

  async subscribeToChannel(channelId: string, userId: string): Promise<void> {
    checkIds('subscribeToChannel', channelId, userId, 'channelId');
    if (!(await this.store.getChannel(channelId))) throw new RoomError(channelId, 'missing', 'Channel');
    if (!(await this.store.subscribe(channelId, userId))) return;
    await this.announce('channel', channelId, userId, true);
    this.emit(EventType.USER_SUBSCRIBED, { channelId, userId });
  }

  async unsubscribeFromChannel(channelId: string, userId: string): Promise<void> {
    checkIds('unsubscribeFromChannel', channelId, userId, 'channelId');
    if (!(await this.store.unsubscribe(channelId, userId))) return;
    await this.announce('channel', channelId, userId, false);
    this.emit(EventType.USER_UNSUBSCRIBED, { channelId, userId });
  }

  /** Sends to every subscriber; persistent channels keep it in history unless `history: false`. */
  async broadcastToChannel(channelId: string, message: unknown, options: { history?: boolean } = {}): Promise<Broadcast> {
    const channel = await this.store.getChannel(channelId);
    if (!channel) throw new RoomError(channelId, 'missing', 'Channel');
    const history = channel.isPersistent && options.history !== false ? `channel:${channelId}` : undefined;
    return this.broadcast({ kind: 'channel', id: channelId }, history, message, []);
  }

  // ——— direct and global ———

  /**
   * Sends to every socket of a user, in every process. `delivered`/`dropped` count this
   * process's sockets; `remote` says whether the other processes were reached: `'failed'` or
   * `'unknown'` while the channel layer cannot reach Redis. It resolves either way.
   */
  async sendToUser(userId: string, message: unknown): Promise<Publication> {
    checkId('RealtimeManager.sendToUser', 'userId', userId, MAX_USER_ID);
    return this.publish({ kind: 'user', id: userId }, message, []);
  }

  /** Sends to every registered socket in every process. */
  broadcastToAll(message: unknown): Promise<Publication> {
    return this.publish({ kind: 'all' }, message, []);
  }

  /** Sends to every registered socket connected on `path`, in every process. */
  broadcastToPath(path: string, message: unknown): Promise<Publication> {
    return this.publish({ kind: 'path', id: path }, message, []);
  }

  // ——— history ———

  /**
   * What a room or persistent channel kept after `afterId` (the last id a client saw), oldest
   * first; `complete` says whether that is everything the client missed.
   */
  getHistory(kind: 'room' | 'channel', id: string, afterId?: string, limit = this.historyLimit): Promise<HistoryReplay> {
    return this.store.readHistory(`${kind}:${id}`, afterId, limit);
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
    // Handlers are the app's; one that fails is reported and must not take the manager down.
    const report = (error: unknown): void => this.logError(`Realtime event handler for ${type} failed`, error);
    const listener = (data: EventData[E]): void => {
      try {
        const result = handler(type, data);
        if (result instanceof Promise) result.catch(report);
      } catch (error) {
        report(error);
      }
    };
    this.events.on(type, listener);
    return () => this.events.off(type, listener);
  }

  async getStats(): Promise<RealtimeStats> {
    const [rooms, channels, users] = await Promise.all([this.store.listRooms(), this.store.listChannels(), this.store.onlineUsers()]);
    return {
      rooms: rooms.length, channels: channels.length, users: users.length, connections: this.switchboard.sockets.size,
      messagesPerSecond: this.switchboard.messagesPerSecond, delivered: this.switchboard.delivered, dropped: this.switchboard.dropped,
      malformed: this.switchboard.malformed, unannounced: this.switchboard.unannounced,
    };
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
    await this.heartbeat?.stop();
    for (const timer of this.leaving.values()) clearTimeout(timer);
    this.leaving.clear();
    await Promise.all(this.departures.values());
    await this.switchboard.close();
    await this.store.close();
  }

  // ——— inside ———

  private async connect(): Promise<void> {
    await this.switchboard.start();
    this.heartbeat = new PresenceHeartbeat({
      store: this.store,
      processId: this.switchboard.processId,
      ttl: this.presenceTtl,
      localUsers: () => {
        const users: PresenceUser[] = [];
        for (const id of this.switchboard.sockets.users()) {
          const record = this.records.get(id);
          if (record) users.push(record);
        }
        return users;
      },
      departed: (departure) => this.departed(departure),
      declaredDead: () => this.rejoinCluster(),
      // The store was out of reach: the next tick renews; presence lapses only if that goes on for a TTL.
      failed: () => {},
    });
    await this.heartbeat.start();
  }

  /**
   * The other processes declared this one dead (it stalled, or lost Redis, past the TTL) and
   * took its users out of presence and their rooms. Its sockets would now get what the store
   * no longer lists them for, so they are closed with 1012: clients reconnect, and rejoin.
   */
  private async rejoinCluster(): Promise<void> {
    const sockets = [...this.switchboard.sockets.all()];
    this.records.clear();
    await Promise.all(sockets.map((ws) => ws.close(WS_1012_SERVICE_RESTART, 'Presence lapsed; reconnect').catch(() => {})));
  }

  /** Events for a user who left for good: their rooms and channels first, so member lists agree when USER_LEFT fires. */
  private departed({ user, userId, rooms, channels }: Departure): void {
    for (const roomId of rooms) this.emit(EventType.USER_LEFT_ROOM, { roomId, userId });
    for (const channelId of channels) this.emit(EventType.USER_UNSUBSCRIBED, { channelId, userId });
    if (user) this.emit(EventType.USER_LEFT, { user });
  }

  private async publish(target: Target, message: unknown, except: readonly string[]): Promise<Publication> {
    await this.start();
    return this.switchboard.publish(target, message, except);
  }

  private async announce(kind: 'room' | 'channel', id: string, userId: string, member: boolean): Promise<void> {
    await this.start();
    await this.switchboard.announce(kind, id, userId, member);
  }

  private removeSocket(ws: WebSocket): void {
    const { userId, lastOfUser } = this.switchboard.sockets.remove(ws);
    // After close() the store may be gone; presence lapses by itself.
    if (userId === undefined || !lastOfUser || this.leaving.has(userId) || this.closed) return;
    const timer = setTimeout(() => {
      this.leaving.delete(userId);
      if (this.switchboard.sockets.hasUser(userId)) return;
      const departure: Promise<void> = this.leave(userId).catch(() => {}).finally(() => {
        if (this.departures.get(userId) === departure) this.departures.delete(userId);
      });
      this.departures.set(userId, departure);
    }, this.grace);
    timer.unref();
    this.leaving.set(userId, timer);
  }

  private async leave(userId: string): Promise<void> {
    this.records.delete(userId);
    await this.switchboard.farewell(userId);
    const departure = await this.store.dropPresence(userId, this.switchboard.processId);
    if (departure.gone) this.departed(departure);
  }

  /** Publishes to a room or channel; kept in history under `historyKey` when there is one. */
  private async broadcast(target: Target, historyKey: string | undefined, message: unknown, except: readonly string[]): Promise<Broadcast> {
    if (historyKey === undefined) return this.publish(target, message, except);
    await this.start();
    // Clients learn each message's id so they can notice a gap and ask for what followed the last they saw.
    return this.switchboard.publishKept(target, message, except, (publication) => this.store.appendHistory(historyKey, message, this.historyLimit, publication));
  }

  private emit<E extends EventType>(type: E, data: EventData[E]): void {
    this.events.emit(type, data);
  }
}

/** Checks a room or channel id and a user id before anything is written. */
function checkIds(method: string, id: unknown, userId: unknown, parameter = 'roomId'): void {
  checkId(`RealtimeManager.${method}`, parameter, id, MAX_ROOM_ID);
  checkId(`RealtimeManager.${method}`, 'userId', userId, MAX_USER_ID);
}
