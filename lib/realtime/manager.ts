import { EventEmitter } from 'node:events';
import type { WebSocket } from '../../components/web-socket';
import type { ChannelLayer, ChannelMessage } from '../channel-layer';
import { EventType, type EventData, type EventHandler, type PresenceUser } from './events';
import { fanOut, type Delivery } from './fan-out';
import { LocalSockets } from './local-sockets';
import { MemoryRealtimeStore } from './memory-store';
import { MessageRate } from './message-rate';
import type { ChannelInfo, HistoryReplay, RealtimeStore, RoomInfo } from './store';

export interface RealtimeOptions {
  /** Where rooms, presence and history live. Default: this process's memory. */
  store?: RealtimeStore;
  /** Seconds a process's presence for a user lasts unless renewed; a dead process's users vanish after it. Default 15. */
  presenceTtl?: number;
  /** Milliseconds a user may be gone before `USER_LEFT` fires; a reconnect within it fires nothing. Default 3000. */
  reconnectGrace?: number;
  /** Messages each room or persistent channel keeps for replay. Default 100. */
  historyLimit?: number;
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
}

type Target =
  | { readonly kind: 'room' | 'channel' | 'user'; readonly id: string }
  | { readonly kind: 'all' }
  | { readonly kind: 'path'; readonly id: string };

/** The one layer message type the manager passes between processes. */
interface DeliverMessage extends ChannelMessage {
  readonly type: 'realtime.deliver';
  readonly origin: string;
  readonly target: Target;
  readonly payload: string;
  readonly except: readonly string[];
}

interface MembershipMessage extends ChannelMessage {
  readonly type: 'realtime.membership';
  readonly origin: string;
  readonly kind: 'room' | 'channel';
  readonly id: string;
  readonly userId: string;
  readonly member: boolean;
}

const ALL = 'rt.all';

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
  private readonly local = new LocalSockets();
  /** roomId/channelId → local users who are members. */
  private readonly localRooms = new Map<string, Set<string>>();
  private readonly localChannels = new Map<string, Set<string>>();
  private readonly leaving = new Map<string, NodeJS.Timeout>();
  /** Users whose grace ran out and whose leave is still being written; a reconnect waits for it. */
  private readonly departures = new Map<string, Promise<void>>();
  /** The presence record of each user with a socket here, to restore it if it lapsed (see renewPresence). */
  private readonly records = new Map<string, PresenceUser>();
  private readonly events = new EventEmitter();
  private readonly rate = new MessageRate();
  private readonly presenceTtl: number;
  private readonly grace: number;
  private readonly historyLimit: number;
  private processChannel: string | undefined;
  private started: Promise<void> | undefined;
  private renewal: NodeJS.Timeout | undefined;
  private closed = false;
  private delivered = 0;
  private dropped = 0;

  constructor(private readonly layer: ChannelLayer, options: RealtimeOptions = {}) {
    this.store = options.store ?? new MemoryRealtimeStore();
    this.presenceTtl = options.presenceTtl ?? 15;
    this.grace = options.reconnectGrace ?? 3000;
    this.historyLimit = options.historyLimit ?? 100;
    // Event handlers are the app's; one that throws must not take the manager down.
    this.events.on('error', () => {});
  }

  /** Joins the layer: a channel for this process and the groups every process is in. Idempotent. */
  start(): Promise<void> {
    return (this.started ??= this.connect());
  }

  // ——— users and presence ———

  /**
   * Registers a socket for a user: presence goes online (USER_JOINED fires for the user's first
   * socket anywhere, not within the reconnect grace), and the user's rooms and channels reach
   * it. The socket is removed by itself when it closes.
   */
  async addUser(init: UserInit, ws: WebSocket): Promise<PresenceUser> {
    await this.start();
    const user: PresenceUser = { id: init.id, name: init.name ?? init.id, status: init.status ?? 'online', metadata: init.metadata ?? {} };
    const pending = this.leaving.get(user.id);
    if (pending) {
      clearTimeout(pending);
      this.leaving.delete(user.id);
    }
    const firstHere = !this.local.hasUser(user.id);
    if (!this.local.add(user.id, ws)) return user;
    void ws.done.then(() => this.removeSocket(ws));
    this.records.set(user.id, user);
    // A leave already under way must finish first, or its dropPresence would undo this touch.
    await this.departures.get(user.id);
    const { first } = await this.store.touchPresence(user, this.processId(), this.presenceTtl);
    if (firstHere) {
      await this.layer.groupAdd(group('user', user.id), this.processId());
      const [rooms, channels] = await Promise.all([this.store.roomsOf(user.id), this.store.channelsOf(user.id)]);
      for (const roomId of rooms) await this.addLocal('room', roomId, user.id);
      for (const channelId of channels) await this.addLocal('channel', channelId, user.id);
    }
    if (first) this.emit(EventType.USER_JOINED, { user });
    return user;
  }

  /** Unregisters a user's sockets in this process (all, or just `ws`). */
  async removeUser(userId: string, ws?: WebSocket): Promise<void> {
    const sockets = ws ? [ws] : [...(this.local.ofUser(userId) ?? [])];
    for (const socket of sockets) this.removeSocket(socket);
  }

  async setStatus(userId: string, status: string, metadata?: Readonly<Record<string, unknown>>): Promise<void> {
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
    checkId('room', init.id);
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
    if (!(await this.store.getRoom(roomId))) throw new RoomError(roomId, 'missing');
    await this.store.invite(roomId, userId);
  }

  /**
   * Adds a user to a room. Throws `RoomError` when the room does not exist, is full
   * (`maxUsers`), or is private and the user was not invited.
   */
  async joinRoom(roomId: string, userId: string): Promise<void> {
    const outcome = await this.store.joinRoom(roomId, userId);
    if (outcome === 'already') return;
    if (outcome !== 'joined') throw new RoomError(roomId, outcome);
    await this.announce('room', roomId, userId, true);
    this.emit(EventType.USER_JOINED_ROOM, { roomId, userId });
  }

  async leaveRoom(roomId: string, userId: string): Promise<void> {
    if (!(await this.store.leaveRoom(roomId, userId))) return;
    await this.announce('room', roomId, userId, false);
    this.emit(EventType.USER_LEFT_ROOM, { roomId, userId });
  }

  getRoomMembers(roomId: string): Promise<string[]> {
    return this.store.roomMembers(roomId);
  }

  /** Sends to every member of a room, in every process; `except` lists user ids to skip. Kept in history if the room keeps it. */
  async broadcastToRoom(roomId: string, message: unknown, options: { except?: readonly string[] } = {}): Promise<Delivery> {
    const room = await this.store.getRoom(roomId);
    if (!room) throw new RoomError(roomId, 'missing');
    if (room.keepHistory) message = await this.remember(`room:${roomId}`, message);
    return this.publish({ kind: 'room', id: roomId }, message, options.except ?? []);
  }

  // ——— channels ———

  async createChannel(init: { id: string; name?: string; isPersistent?: boolean }): Promise<ChannelInfo> {
    checkId('channel', init.id);
    const channel: ChannelInfo = { id: init.id, name: init.name ?? init.id, isPersistent: init.isPersistent ?? false };
    if (await this.store.createChannel(channel)) this.emit(EventType.CHANNEL_CREATED, { channelId: channel.id });
    return (await this.store.getChannel(channel.id)) ?? channel;
  }

  async subscribeToChannel(channelId: string, userId: string): Promise<void> {
    if (!(await this.store.getChannel(channelId))) throw new RoomError(channelId, 'missing', 'Channel');
    if (!(await this.store.subscribe(channelId, userId))) return;
    await this.announce('channel', channelId, userId, true);
    this.emit(EventType.USER_SUBSCRIBED, { channelId, userId });
  }

  async unsubscribeFromChannel(channelId: string, userId: string): Promise<void> {
    if (!(await this.store.unsubscribe(channelId, userId))) return;
    await this.announce('channel', channelId, userId, false);
    this.emit(EventType.USER_UNSUBSCRIBED, { channelId, userId });
  }

  /** Sends to every subscriber; persistent channels keep it in history. */
  async broadcastToChannel(channelId: string, message: unknown): Promise<Delivery> {
    const channel = await this.store.getChannel(channelId);
    if (!channel) throw new RoomError(channelId, 'missing', 'Channel');
    if (channel.isPersistent) message = await this.remember(`channel:${channelId}`, message);
    return this.publish({ kind: 'channel', id: channelId }, message, []);
  }

  // ——— direct and global ———

  /** Sends to every socket of a user, in every process. */
  sendToUser(userId: string, message: unknown): Promise<Delivery> {
    return this.publish({ kind: 'user', id: userId }, message, []);
  }

  /** Sends to every registered socket in every process. */
  broadcastToAll(message: unknown): Promise<Delivery> {
    return this.publish({ kind: 'all' }, message, []);
  }

  /** Sends to every registered socket connected on `path`, in every process. */
  broadcastToPath(path: string, message: unknown): Promise<Delivery> {
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
    const listener = (data: EventData[E]): void => {
      try {
        const result = handler(type, data);
        if (result instanceof Promise) result.catch((error: unknown) => this.events.emit('error', error));
      } catch (error) {
        this.events.emit('error', error);
      }
    };
    this.events.on(type, listener);
    return () => this.events.off(type, listener);
  }

  async getStats(): Promise<RealtimeStats> {
    const [rooms, channels, users] = await Promise.all([this.store.listRooms(), this.store.listChannels(), this.store.onlineUsers()]);
    return {
      rooms: rooms.length, channels: channels.length, users: users.length, connections: this.local.size,
      messagesPerSecond: this.rate.perSecond(), delivered: this.delivered, dropped: this.dropped,
    };
  }

  /**
   * Stops renewing presence, leaves the layer and closes the store (as `App.close()` closes the
   * channel layer it was given). Presence of this process's users lapses within the TTL, so a
   * restart inside it keeps them online.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.renewal);
    for (const timer of this.leaving.values()) clearTimeout(timer);
    this.leaving.clear();
    await Promise.all(this.departures.values());
    if (this.processChannel) await this.layer.groupDiscard(ALL, this.processChannel).catch(() => {});
    await this.store.close();
  }

  // ——— inside ———

  private async connect(): Promise<void> {
    this.processChannel = await this.layer.newChannel('realtime');
    await this.layer.groupAdd(ALL, this.processChannel);
    void this.listen(this.processChannel);
    // Three renewals per TTL: one lost renewal (a slow Redis reply) does not let presence lapse.
    const every = Math.max(100, (this.presenceTtl * 1000) / 3);
    this.renewal = setInterval(() => {
      const users: PresenceUser[] = [];
      for (const id of this.local.users()) {
        const record = this.records.get(id);
        if (record) users.push(record);
      }
      if (users.length) this.store.renewPresence(users, this.processId(), this.presenceTtl).catch(() => {});
    }, every);
    this.renewal.unref();
  }

  private processId(): string {
    if (!this.processChannel) throw new Error('RealtimeManager used before start()');
    return this.processChannel;
  }

  private async listen(channel: string): Promise<void> {
    while (!this.closed) {
      let message: ChannelMessage;
      try {
        message = await this.layer.receive(channel);
      } catch {
        return;
      }
      if (message.type === 'realtime.deliver') this.receiveDelivery(message as DeliverMessage);
      else if (message.type === 'realtime.membership' && message.origin !== channel) {
        // announce() applied it here already; only other processes' changes arrive this way.
        await this.receiveMembership(message as MembershipMessage).catch(() => {});
      }
    }
  }

  private async publish(target: Target, message: unknown, except: readonly string[]): Promise<Delivery> {
    await this.start();
    const payload = JSON.stringify(message);
    const delivery = this.deliverLocally(target, Buffer.from(payload), except);
    const deliver: DeliverMessage = { type: 'realtime.deliver', origin: this.processId(), target, payload, except };
    // Other processes with members get it through the layer; this one already has.
    await this.layer.groupSend(targetGroup(target), deliver);
    return delivery;
  }

  private receiveDelivery(message: DeliverMessage): void {
    if (message.origin === this.processChannel) return;
    this.deliverLocally(message.target, Buffer.from(message.payload), message.except);
  }

  private deliverLocally(target: Target, payload: Buffer, except: readonly string[]): Delivery {
    const skip = except.length ? (ws: WebSocket) => except.includes(this.local.userOf(ws) ?? '') : undefined;
    let sockets: Iterable<WebSocket>;
    switch (target.kind) {
      case 'all': sockets = this.local.all(); break;
      case 'path': sockets = this.local.ofPath(target.id) ?? []; break;
      case 'user': sockets = this.local.ofUser(target.id) ?? []; break;
      default: sockets = this.socketsOfMembers(target.kind === 'room' ? this.localRooms : this.localChannels, target.id);
    }
    const delivery = fanOut(sockets, payload, skip);
    this.delivered += delivery.delivered;
    this.dropped += delivery.dropped;
    this.rate.add(delivery.delivered);
    return delivery;
  }

  private *socketsOfMembers(index: Map<string, Set<string>>, id: string): Iterable<WebSocket> {
    for (const userId of index.get(id) ?? []) yield* this.local.ofUser(userId) ?? [];
  }

  /** Tells every process (this one too) that a user joined or left a room or channel. */
  private async announce(kind: 'room' | 'channel', id: string, userId: string, member: boolean): Promise<void> {
    await this.start();
    await this.receiveMembership({ type: 'realtime.membership', origin: this.processId(), kind, id, userId, member });
    await this.layer.groupSend(ALL, { type: 'realtime.membership', origin: this.processId(), kind, id, userId, member });
  }

  private async receiveMembership(message: MembershipMessage): Promise<void> {
    if (!this.local.hasUser(message.userId)) return;
    if (message.member) await this.addLocal(message.kind, message.id, message.userId);
    else await this.removeLocal(message.kind, message.id, message.userId);
  }

  private async addLocal(kind: 'room' | 'channel', id: string, userId: string): Promise<void> {
    const index = kind === 'room' ? this.localRooms : this.localChannels;
    let users = index.get(id);
    if (!users) {
      index.set(id, (users = new Set()));
      await this.layer.groupAdd(group(kind, id), this.processId());
    }
    users.add(userId);
  }

  private async removeLocal(kind: 'room' | 'channel', id: string, userId: string): Promise<void> {
    const index = kind === 'room' ? this.localRooms : this.localChannels;
    const users = index.get(id);
    if (!users?.delete(userId) || users.size > 0) return;
    index.delete(id);
    await this.layer.groupDiscard(group(kind, id), this.processId());
  }

  private removeSocket(ws: WebSocket): void {
    const { userId, lastOfUser } = this.local.remove(ws);
    // After close() the store may be gone; presence lapses by itself.
    if (userId === undefined || !lastOfUser || this.leaving.has(userId) || this.closed) return;
    const timer = setTimeout(() => {
      this.leaving.delete(userId);
      if (this.local.hasUser(userId)) return;
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
    for (const [id, users] of this.localRooms) if (users.has(userId)) await this.removeLocal('room', id, userId);
    for (const [id, users] of this.localChannels) if (users.has(userId)) await this.removeLocal('channel', id, userId);
    await this.layer.groupDiscard(group('user', userId), this.processId()).catch(() => {});
    const { gone, user } = await this.store.dropPresence(userId, this.processId());
    if (gone && user) this.emit(EventType.USER_LEFT, { user });
  }

  private async remember(key: string, message: unknown): Promise<unknown> {
    const id = await this.store.appendHistory(key, message, this.historyLimit);
    // Clients learn each message's id so they can ask for what followed it after a reconnect.
    return message !== null && typeof message === 'object' && !Array.isArray(message) ? { ...message, id } : message;
  }

  private emit<E extends EventType>(type: E, data: EventData[E]): void {
    this.events.emit(type, data);
  }
}

/** A room or channel refused a join, or does not exist. */
export class RoomError extends Error {
  constructor(readonly id: string, readonly reason: 'missing' | 'full' | 'forbidden', kind = 'Room') {
    super(reason === 'missing' ? `${kind} ${id} does not exist` : reason === 'full' ? `${kind} ${id} is full` : `${kind} ${id} is private`);
    this.name = 'RoomError';
  }
}

function checkId(kind: string, id: string): void {
  if (typeof id !== 'string' || id.length === 0 || id.length > 64) throw new TypeError(`${kind} id must be 1–64 characters, got ${JSON.stringify(id)}`);
}

/** Layer group names allow few characters; ids are encoded to fit. */
function group(kind: string, id: string): string {
  return `rt.${kind}.${Buffer.from(id).toString('base64url')}`;
}

function targetGroup(target: Target): string {
  return target.kind === 'all' || target.kind === 'path' ? ALL : group(target.kind, target.id);
}
