import { EventType, type RealtimeEvents } from './events';
import { checkId, MAX_ROOM_ID, MAX_USER_ID } from './ids';
import { RoomError } from './room-error';
import type { ChannelInfo, RealtimeStore, RoomInfo } from './store';
import type { Publication, Switchboard, Target } from './switchboard';

/** What a room or channel broadcast reached (see `Publication`), and the history id it was kept under (if it was). */
export interface Broadcast extends Publication {
  /** The message's id in the room's or channel's history; absent when it was not kept. */
  id?: string;
}

/** A room to create, for `createRoom`: only `id` is required. */
export interface RoomInit {
  readonly id: string;
  readonly name?: string;
  readonly description?: string;
  /** 0 (the default) for no limit. */
  readonly maxUsers?: number;
  readonly isPrivate?: boolean;
  /** Default true. */
  readonly keepHistory?: boolean;
}

/** A channel to create, for `createChannel`: only `id` is required. */
export interface ChannelInit {
  readonly id: string;
  readonly name?: string;
  readonly isPersistent?: boolean;
}

/** What rooms need of the manager that owns them. */
export interface RoomsContext {
  readonly store: RealtimeStore;
  readonly switchboard: Switchboard;
  readonly events: RealtimeEvents;
  /** Messages each room or persistent channel keeps for replay. */
  readonly historyLimit: number;
  /** Resolves once the manager has joined the channel layer. */
  ready(): Promise<void>;
}

/**
 * Rooms (membership with rules: size, privacy, invitations) and channels (subscriptions without
 * rules), their membership in the store, the announcements that tell other processes who
 * is in them, and broadcasts to them, kept in history where the room or channel says so.
 * `RealtimeManager` is its face.
 */
export class Rooms {
  constructor(private readonly context: RoomsContext) {}

  async createRoom(init: RoomInit): Promise<RoomInfo> {
    checkId('RealtimeManager.createRoom', 'room.id', init.id, MAX_ROOM_ID);
    const { store, events } = this.context;
    const room: RoomInfo = {
      id: init.id,
      name: init.name ?? init.id,
      description: init.description ?? '',
      maxUsers: init.maxUsers ?? 0,
      isPrivate: init.isPrivate ?? false,
      keepHistory: init.keepHistory ?? true,
    };
    if (await store.createRoom(room)) events.emit(EventType.ROOM_CREATED, { roomId: room.id });
    return (await store.getRoom(room.id)) ?? room;
  }

  async deleteRoom(roomId: string): Promise<void> {
    const { store, events } = this.context;
    const members = await store.roomMembers(roomId);
    if (!(await store.deleteRoom(roomId))) return;
    for (const userId of members) await this.announce('room', roomId, userId, false);
    events.emit(EventType.ROOM_DELETED, { roomId });
  }

  async invite(roomId: string, userId: string): Promise<void> {
    checkIds('invite', roomId, userId);
    if (!(await this.context.store.getRoom(roomId))) throw new RoomError(roomId, 'missing');
    await this.context.store.invite(roomId, userId);
  }

  async joinRoom(roomId: string, userId: string): Promise<void> {
    checkIds('joinRoom', roomId, userId);
    const outcome = await this.context.store.joinRoom(roomId, userId);
    if (outcome === 'already') return;
    if (outcome !== 'joined') throw new RoomError(roomId, outcome);
    await this.announce('room', roomId, userId, true);
    this.context.events.emit(EventType.USER_JOINED_ROOM, { roomId, userId });
  }

  async leaveRoom(roomId: string, userId: string): Promise<void> {
    checkIds('leaveRoom', roomId, userId);
    if (!(await this.context.store.leaveRoom(roomId, userId))) return;
    await this.announce('room', roomId, userId, false);
    this.context.events.emit(EventType.USER_LEFT_ROOM, { roomId, userId });
  }

  async broadcastToRoom(roomId: string, message: unknown, options: { except?: readonly string[]; history?: boolean }): Promise<Broadcast> {
    const room = await this.context.store.getRoom(roomId);
    if (!room) throw new RoomError(roomId, 'missing');
    const history = room.keepHistory && options.history !== false ? `room:${roomId}` : undefined;
    return this.broadcast({ kind: 'room', id: roomId }, history, message, options.except ?? []);
  }

  async createChannel(init: ChannelInit): Promise<ChannelInfo> {
    checkId('RealtimeManager.createChannel', 'channel.id', init.id, MAX_ROOM_ID);
    const { store, events } = this.context;
    const channel: ChannelInfo = { id: init.id, name: init.name ?? init.id, isPersistent: init.isPersistent ?? false };
    if (await store.createChannel(channel)) events.emit(EventType.CHANNEL_CREATED, { channelId: channel.id });
    return (await store.getChannel(channel.id)) ?? channel;
  }

  async subscribeToChannel(channelId: string, userId: string): Promise<void> {
    checkIds('subscribeToChannel', channelId, userId, 'channelId');
    const { store, events } = this.context;
    if (!(await store.getChannel(channelId))) throw new RoomError(channelId, 'missing', 'Channel');
    if (!(await store.subscribe(channelId, userId))) return;
    await this.announce('channel', channelId, userId, true);
    events.emit(EventType.USER_SUBSCRIBED, { channelId, userId });
  }

  async unsubscribeFromChannel(channelId: string, userId: string): Promise<void> {
    checkIds('unsubscribeFromChannel', channelId, userId, 'channelId');
    if (!(await this.context.store.unsubscribe(channelId, userId))) return;
    await this.announce('channel', channelId, userId, false);
    this.context.events.emit(EventType.USER_UNSUBSCRIBED, { channelId, userId });
  }

  async broadcastToChannel(channelId: string, message: unknown, options: { history?: boolean }): Promise<Broadcast> {
    const channel = await this.context.store.getChannel(channelId);
    if (!channel) throw new RoomError(channelId, 'missing', 'Channel');
    const history = channel.isPersistent && options.history !== false ? `channel:${channelId}` : undefined;
    return this.broadcast({ kind: 'channel', id: channelId }, history, message, []);
  }

  /** Publishes to a room or channel; kept in history under `historyKey` when there is one. */
  private async broadcast(target: Target, historyKey: string | undefined, message: unknown, except: readonly string[]): Promise<Broadcast> {
    const { switchboard, store, historyLimit } = this.context;
    await this.context.ready();
    if (historyKey === undefined) return switchboard.publish(target, message, except);
    // Clients learn each message's id so they can notice a gap and ask for what followed the last they saw.
    return switchboard.publishKept(target, message, except, (publication) =>
      store.appendHistory(historyKey, message, historyLimit, publication),
    );
  }

  private async announce(kind: 'room' | 'channel', id: string, userId: string, member: boolean): Promise<void> {
    await this.context.ready();
    await this.context.switchboard.announce(kind, id, userId, member);
  }
}

/** Checks a room or channel id and a user id before anything is written. */
function checkIds(method: string, id: unknown, userId: unknown, parameter = 'roomId'): void {
  checkId(`RealtimeManager.${method}`, parameter, id, MAX_ROOM_ID);
  checkId(`RealtimeManager.${method}`, 'userId', userId, MAX_USER_ID);
}
