import { EventEmitter } from 'node:events';

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

/**
 * The manager's event emitter. Handlers are the app's: one that throws or rejects is reported
 * through `logError` and never reaches the code that emitted the event.
 *
 * @example
 * const events = new RealtimeEvents(console.error);
 * events.on(EventType.ROOM_CREATED, (_type, { roomId }) => console.log('new room', roomId));
 * events.emit(EventType.ROOM_CREATED, { roomId: 'lobby' });
 */
export class RealtimeEvents {
  private readonly emitter = new EventEmitter();

  constructor(private readonly logError: (message: string, error: unknown) => void) {}

  on<E extends EventType>(type: E, handler: EventHandler<E>): () => void {
    const report = (error: unknown): void => this.logError(`Realtime event handler for ${type} failed`, error);
    const listener = (data: EventData[E]): void => {
      try {
        const result = handler(type, data);
        if (result instanceof Promise) result.catch(report);
      } catch (error) {
        report(error);
      }
    };
    this.emitter.on(type, listener);
    return () => this.emitter.off(type, listener);
  }

  emit<E extends EventType>(type: E, data: EventData[E]): void {
    this.emitter.emit(type, data);
  }
}
