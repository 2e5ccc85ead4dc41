import { WS_1012_SERVICE_RESTART } from '../errors/status';
import type { WebSocket } from '../websocket/websocket';
import { EventType, type PresenceUser, type RealtimeEvents } from './events';
import { checkId, MAX_USER_ID } from './ids';
import { PresenceHeartbeat } from './presence-heartbeat';
import type { Departure, RealtimeStore } from './store';
import type { Switchboard } from './switchboard';

/** Who a user is, for `addUser`. */
export interface UserInit {
  readonly id: string;
  readonly name?: string;
  readonly status?: string;
  readonly metadata?: Readonly<Record<string, unknown>>;
}

/** What presence needs of the manager that owns it. */
export interface PresenceContext {
  readonly store: RealtimeStore;
  readonly switchboard: Switchboard;
  readonly events: RealtimeEvents;
  /** Seconds a process's presence lasts unless renewed. */
  readonly ttl: number;
  /** Milliseconds a user may be gone before they leave for good. */
  readonly grace: number;
  /** Resolves once the manager has joined the channel layer. */
  ready(): Promise<void>;
}

/**
 * Who is online: each user's sockets in this process, their presence record in the store, the
 * reconnect grace before a user leaves for good, and the heartbeat that keeps this process's
 * users present and sweeps the users of processes that died. `RealtimeManager` is its face.
 */
export class Presence {
  private readonly leaving = new Map<string, NodeJS.Timeout>();
  /** Users whose grace ran out and whose leave is still being written; a reconnect waits for it. */
  private readonly departures = new Map<string, Promise<void>>();
  /** The presence record of each user with a socket here, to restore it if it lapsed (see the heartbeat). */
  private readonly records = new Map<string, PresenceUser>();
  private heartbeat: PresenceHeartbeat | undefined;
  private closed = false;

  constructor(private readonly context: PresenceContext) {}

  async addUser(init: UserInit, ws: WebSocket): Promise<PresenceUser> {
    checkId('RealtimeManager.addUser', 'user.id', init.id, MAX_USER_ID);
    const { store, switchboard, events } = this.context;
    await this.context.ready();
    const user: PresenceUser = { id: init.id, name: init.name ?? init.id, status: init.status ?? 'online', metadata: init.metadata ?? {} };
    const pending = this.leaving.get(user.id);
    if (pending) {
      clearTimeout(pending);
      this.leaving.delete(user.id);
    }
    const firstHere = !switchboard.sockets.hasUser(user.id);
    if (!switchboard.sockets.add(user.id, ws)) return this.records.get(user.id) ?? user;
    void ws.done.then(() => this.removeSocket(ws));
    this.records.set(user.id, user);
    // A leave already under way must finish first, or its dropPresence would undo this touch.
    await this.departures.get(user.id);
    const touched = await store.touchPresence(user, switchboard.processId, this.context.ttl);
    this.records.set(user.id, touched.user);
    if (firstHere) await switchboard.welcome(user.id);
    if (touched.first) events.emit(EventType.USER_JOINED, { user: touched.user });
    // A status given explicitly replaces the one kept from the user's other sockets, and says so.
    if (!touched.first && init.status !== undefined && init.status !== touched.user.status) {
      await this.setStatus(user.id, init.status, init.metadata);
      return this.records.get(user.id) ?? touched.user;
    }
    return touched.user;
  }

  removeUser(userId: string, ws?: WebSocket): void {
    const sockets = ws ? [ws] : [...(this.context.switchboard.sockets.ofUser(userId) ?? [])];
    for (const socket of sockets) this.removeSocket(socket);
  }

  async setStatus(userId: string, status: string, metadata?: Readonly<Record<string, unknown>>): Promise<void> {
    checkId('RealtimeManager.setStatus', 'userId', userId, MAX_USER_ID);
    const user = await this.context.store.getPresence(userId);
    if (!user) return;
    const updated = { ...user, status, metadata: metadata ?? user.metadata };
    await this.context.store.setPresence(updated);
    if (this.records.has(userId)) this.records.set(userId, updated);
    this.context.events.emit(EventType.STATUS_CHANGED, { user: updated });
  }

  /** Starts renewing this process's presence and sweeping dead processes' users. */
  async startHeartbeat(): Promise<void> {
    const { store, switchboard } = this.context;
    this.heartbeat = new PresenceHeartbeat({
      store,
      processId: switchboard.processId,
      ttl: this.context.ttl,
      localUsers: () => {
        const users: PresenceUser[] = [];
        for (const id of switchboard.sockets.users()) {
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

  /** Stops the heartbeat and the grace timers, and lets leaves under way finish. */
  async close(): Promise<void> {
    this.closed = true;
    await this.heartbeat?.stop();
    for (const timer of this.leaving.values()) clearTimeout(timer);
    this.leaving.clear();
    await Promise.all(this.departures.values());
  }

  /**
   * The other processes declared this one dead (it stalled, or lost Redis, past the TTL) and
   * took its users out of presence and their rooms. Its sockets would now get what the store
   * no longer lists them for, so they are closed with 1012: clients reconnect, and rejoin.
   */
  private async rejoinCluster(): Promise<void> {
    const sockets = [...this.context.switchboard.sockets.all()];
    this.records.clear();
    await Promise.all(sockets.map((ws) => ws.close(WS_1012_SERVICE_RESTART, 'Presence lapsed; reconnect').catch(() => {})));
  }

  /** Events for a user who left for good: their rooms and channels first, so member lists agree when USER_LEFT fires. */
  private departed({ user, userId, rooms, channels }: Departure): void {
    const { events } = this.context;
    for (const roomId of rooms) events.emit(EventType.USER_LEFT_ROOM, { roomId, userId });
    for (const channelId of channels) events.emit(EventType.USER_UNSUBSCRIBED, { channelId, userId });
    if (user) events.emit(EventType.USER_LEFT, { user });
  }

  private removeSocket(ws: WebSocket): void {
    const { switchboard } = this.context;
    const { userId, lastOfUser } = switchboard.sockets.remove(ws);
    // After close() the store may be gone; presence lapses by itself.
    if (userId === undefined || !lastOfUser || this.leaving.has(userId) || this.closed) return;
    const timer = setTimeout(() => {
      this.leaving.delete(userId);
      if (switchboard.sockets.hasUser(userId)) return;
      const departure: Promise<void> = this.leave(userId)
        .catch(() => {})
        .finally(() => {
          if (this.departures.get(userId) === departure) this.departures.delete(userId);
        });
      this.departures.set(userId, departure);
    }, this.context.grace);
    timer.unref();
    this.leaving.set(userId, timer);
  }

  private async leave(userId: string): Promise<void> {
    this.records.delete(userId);
    await this.context.switchboard.farewell(userId);
    const departure = await this.context.store.dropPresence(userId, this.context.switchboard.processId);
    if (departure.gone) this.departed(departure);
  }
}
