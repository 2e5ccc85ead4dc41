/** What the real-time manager announces. */
export enum EventType {
  /** A user's first connection opened (anywhere, for a shared store), after the reconnect grace period. */
  USER_JOINED = 'user.joined',
  /** A user's last connection closed and stayed closed through the grace period. */
  USER_LEFT = 'user.left',
  STATUS_CHANGED = 'user.status',
  ROOM_CREATED = 'room.created',
  ROOM_DELETED = 'room.deleted',
  USER_JOINED_ROOM = 'room.joined',
  USER_LEFT_ROOM = 'room.left',
  CHANNEL_CREATED = 'channel.created',
  USER_SUBSCRIBED = 'channel.subscribed',
  USER_UNSUBSCRIBED = 'channel.unsubscribed',
}

/** A user as presence reports them. */
export interface PresenceUser {
  readonly id: string;
  readonly name: string;
  readonly status: string;
  readonly metadata: Readonly<Record<string, unknown>>;
}

/** The data each event carries. */
export interface EventData {
  [EventType.USER_JOINED]: { user: PresenceUser };
  [EventType.USER_LEFT]: { user: PresenceUser };
  [EventType.STATUS_CHANGED]: { user: PresenceUser };
  [EventType.ROOM_CREATED]: { roomId: string };
  [EventType.ROOM_DELETED]: { roomId: string };
  [EventType.USER_JOINED_ROOM]: { roomId: string; userId: string };
  [EventType.USER_LEFT_ROOM]: { roomId: string; userId: string };
  [EventType.CHANNEL_CREATED]: { channelId: string };
  [EventType.USER_SUBSCRIBED]: { channelId: string; userId: string };
  [EventType.USER_UNSUBSCRIBED]: { channelId: string; userId: string };
}

export type EventHandler<E extends EventType> = (type: E, data: EventData[E]) => unknown;
