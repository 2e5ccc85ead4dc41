import type { PresenceUser } from './events';
import {
  type Appended,
  assertHistoryId,
  type ChannelInfo,
  type Departure,
  type HistoryEntry,
  type HistoryReplay,
  historyId,
  type JoinOutcome,
  newEpoch,
  parseHistoryId,
  type RealtimeStore,
  type RoomInfo,
  readFrom,
  replayOf,
} from './store';

interface Presence {
  user: PresenceUser;
  /** processId → expiry (ms since epoch). */
  readonly processes: Map<string, number>;
}

interface History {
  /** Begun when the history was: a process that restarts starts every history in a new epoch. */
  readonly epoch: string;
  /** The newest offset given out; entries hold the last `limit` of 1…top. */
  top: number;
  readonly entries: HistoryEntry[];
}

/**
 * Real-time state kept in this process: the default, for one process. Several processes need
 * `RedisRealtimeStore`.
 *
 * @example
 * const realtime = new RealtimeManager(new InMemoryChannelLayer(), { store: new MemoryRealtimeStore() });
 */
export class MemoryRealtimeStore implements RealtimeStore {
  private readonly rooms = new Map<string, RoomInfo>();
  private readonly members = new Map<string, Set<string>>();
  private readonly invites = new Map<string, Set<string>>();
  private readonly channels = new Map<string, ChannelInfo>();
  private readonly subscriptions = new Map<string, Set<string>>();
  private readonly presence = new Map<string, Presence>();
  /** processId → heartbeat expiry (ms since epoch); processId → users it made present. */
  private readonly processes = new Map<string, number>();
  private readonly processUsers = new Map<string, Set<string>>();
  private readonly histories = new Map<string, History>();

  async createRoom(room: RoomInfo): Promise<boolean> {
    if (this.rooms.has(room.id)) return false;
    this.rooms.set(room.id, { ...room });
    this.members.set(room.id, new Set());
    return true;
  }

  async getRoom(id: string): Promise<RoomInfo | undefined> {
    return this.rooms.get(id);
  }

  async deleteRoom(id: string): Promise<boolean> {
    this.members.delete(id);
    this.invites.delete(id);
    this.histories.delete(`room:${id}`);
    return this.rooms.delete(id);
  }

  async listRooms(): Promise<RoomInfo[]> {
    return [...this.rooms.values()];
  }

  async joinRoom(roomId: string, userId: string): Promise<JoinOutcome> {
    const room = this.rooms.get(roomId);
    const members = this.members.get(roomId);
    if (!room || !members) return 'missing';
    if (members.has(userId)) return 'already';
    if (room.isPrivate && !this.invites.get(roomId)?.has(userId)) return 'forbidden';
    if (room.maxUsers > 0 && members.size >= room.maxUsers) return 'full';
    members.add(userId);
    return 'joined';
  }

  async leaveRoom(roomId: string, userId: string): Promise<boolean> {
    return this.members.get(roomId)?.delete(userId) ?? false;
  }

  async roomMembers(roomId: string): Promise<string[]> {
    return [...(this.members.get(roomId) ?? [])];
  }

  async roomsOf(userId: string): Promise<string[]> {
    return [...this.members].filter(([, members]) => members.has(userId)).map(([id]) => id);
  }

  async invite(roomId: string, userId: string): Promise<void> {
    if (!this.rooms.has(roomId)) return;
    let invited = this.invites.get(roomId);
    if (!invited) this.invites.set(roomId, (invited = new Set()));
    invited.add(userId);
  }

  async createChannel(channel: ChannelInfo): Promise<boolean> {
    if (this.channels.has(channel.id)) return false;
    this.channels.set(channel.id, channel);
    this.subscriptions.set(channel.id, new Set());
    return true;
  }

  async getChannel(id: string): Promise<ChannelInfo | undefined> {
    return this.channels.get(id);
  }

  async listChannels(): Promise<ChannelInfo[]> {
    return [...this.channels.values()];
  }

  async subscribe(channelId: string, userId: string): Promise<boolean> {
    const subscribers = this.subscriptions.get(channelId);
    if (!subscribers || subscribers.has(userId)) return false;
    subscribers.add(userId);
    return true;
  }

  async unsubscribe(channelId: string, userId: string): Promise<boolean> {
    return this.subscriptions.get(channelId)?.delete(userId) ?? false;
  }

  async subscribers(channelId: string): Promise<string[]> {
    return [...(this.subscriptions.get(channelId) ?? [])];
  }

  async channelsOf(userId: string): Promise<string[]> {
    return [...this.subscriptions].filter(([, subscribers]) => subscribers.has(userId)).map(([id]) => id);
  }

  async touchPresence(user: PresenceUser, processId: string, ttlSeconds: number): Promise<{ first: boolean; user: PresenceUser }> {
    const now = Date.now();
    const entry = this.presenceOf(user.id, now);
    const first = entry.processes.size === 0;
    entry.user = first ? user : { ...entry.user, name: user.name };
    this.present(entry, processId, now + ttlSeconds * 1000);
    return { first, user: entry.user };
  }

  async renewPresence(users: readonly PresenceUser[], processId: string, ttlSeconds: number): Promise<void> {
    const now = Date.now();
    for (const user of users) {
      const entry = this.presenceOf(user.id, now);
      if (entry.processes.size === 0) entry.user = user;
      this.present(entry, processId, now + ttlSeconds * 1000);
    }
  }

  async dropPresence(userId: string, processId: string): Promise<Departure & { gone: boolean }> {
    this.processUsers.get(processId)?.delete(userId);
    const entry = this.presence.get(userId);
    if (!entry) return { gone: true, userId, user: undefined, rooms: [], channels: [] };
    entry.processes.delete(processId);
    const gone = this.prune(entry, Date.now()) === 0;
    return gone ? { gone, ...this.depart(userId) } : { gone, userId, user: entry.user, rooms: [], channels: [] };
  }

  async heartbeat(processId: string, ttlSeconds: number, register: boolean): Promise<boolean> {
    if (!register && !this.processes.has(processId)) return false;
    this.processes.set(processId, Date.now() + ttlSeconds * 1000);
    return true;
  }

  async sweepProcesses(): Promise<Departure[]> {
    const now = Date.now();
    const departures: Departure[] = [];
    for (const [processId, until] of [...this.processes]) {
      if (until > now) continue;
      this.processes.delete(processId);
      for (const userId of this.processUsers.get(processId) ?? []) {
        const entry = this.presence.get(userId);
        // Only users this process still had: one who left it meanwhile was reported then.
        if (!entry?.processes.delete(processId)) continue;
        if (this.prune(entry, now) === 0) departures.push(this.depart(userId));
      }
      this.processUsers.delete(processId);
    }
    return departures;
  }

  async onlineUsers(): Promise<PresenceUser[]> {
    const now = Date.now();
    return [...this.presence.values()].filter((entry) => this.live(entry, now)).map((entry) => entry.user);
  }

  async getPresence(userId: string): Promise<PresenceUser | undefined> {
    const entry = this.presence.get(userId);
    return entry && this.live(entry, Date.now()) ? entry.user : undefined;
  }

  async setPresence(user: PresenceUser): Promise<void> {
    const entry = this.presence.get(user.id);
    if (entry && this.live(entry, Date.now())) entry.user = user;
  }

  async appendHistory(key: string, message: unknown, limit: number): Promise<Appended> {
    const history = this.history(key);
    const id = historyId(history.epoch, ++history.top);
    // A copy through JSON, as Redis keeps it: later changes to the caller's object do not leak into history.
    history.entries.push({ id, message: JSON.parse(JSON.stringify(message ?? null)) as unknown });
    if (history.entries.length > limit) history.entries.splice(0, history.entries.length - Math.max(0, limit));
    // Nothing to publish through: the caller delivers in this process, in the order appends resolve.
    return { id, published: false };
  }

  async readHistory(key: string, afterId: string | undefined, limit: number): Promise<HistoryReplay> {
    if (afterId !== undefined) assertHistoryId(afterId);
    const history = this.history(key);
    const after = afterId === undefined ? undefined : parseHistoryId(afterId);
    const from = readFrom(history.epoch, history.top, after);
    const newer = history.entries.filter((entry) => parseHistoryId(entry.id).offset > from);
    const kept = limit > 0 ? newer.slice(-limit) : [];
    return replayOf(history.epoch, history.top, after, kept, kept.length < newer.length);
  }

  async close(): Promise<void> {}

  /**
   * Reads leave lapsed processes in place (as in Redis, where only writes prune them), so that
   * `sweepProcesses` still finds the users of a process that died and reports their departure.
   */
  private live(entry: Presence, now: number): boolean {
    for (const until of entry.processes.values()) if (until > now) return true;
    return false;
  }

  /** A key's history, begun (in a new epoch) by the first append or read. */
  private history(key: string): History {
    let history = this.histories.get(key);
    if (!history) this.histories.set(key, (history = { epoch: newEpoch(), top: 0, entries: [] }));
    return history;
  }

  /** Forgets lapsed processes of one user; how many are left. */
  private prune(entry: Presence, now: number): number {
    for (const [processId, until] of entry.processes) if (until <= now) entry.processes.delete(processId);
    return entry.processes.size;
  }

  /** The user's entry, lapsed processes pruned; a new one (with no processes) when there was none. */
  private presenceOf(userId: string, now: number): Presence {
    const entry = this.presence.get(userId);
    if (entry) {
      this.prune(entry, now);
      return entry;
    }
    const created: Presence = { user: { id: userId, name: userId, status: 'online', metadata: {} }, processes: new Map() };
    this.presence.set(userId, created);
    return created;
  }

  private present(entry: Presence, processId: string, until: number): void {
    entry.processes.set(processId, until);
    let users = this.processUsers.get(processId);
    if (!users) this.processUsers.set(processId, (users = new Set()));
    users.add(entry.user.id);
  }

  /** A user no process has any more: out of presence and of every room and channel. */
  private depart(userId: string): Departure {
    const user = this.presence.get(userId)?.user;
    this.presence.delete(userId);
    const rooms: string[] = [];
    for (const [roomId, members] of this.members) if (members.delete(userId)) rooms.push(roomId);
    const channels: string[] = [];
    for (const [channelId, subscribers] of this.subscriptions) if (subscribers.delete(userId)) channels.push(channelId);
    return { userId, user, rooms, channels };
  }
}
