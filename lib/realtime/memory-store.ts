import type { PresenceUser } from './events';
import {
  assertHistoryId, historyId, newEpoch, parseHistoryId, readFrom, replayOf,
  type Appended, type ChannelInfo, type HistoryEntry, type HistoryReplay, type JoinOutcome, type RealtimeStore, type RoomInfo,
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

  async touchPresence(user: PresenceUser, processId: string, ttlSeconds: number): Promise<{ first: boolean }> {
    const now = Date.now();
    let entry = this.presence.get(user.id);
    const first = !entry || !this.live(entry, now);
    if (!entry) this.presence.set(user.id, (entry = { user, processes: new Map() }));
    entry.user = user;
    entry.processes.set(processId, now + ttlSeconds * 1000);
    return { first };
  }

  async renewPresence(users: readonly PresenceUser[], processId: string, ttlSeconds: number): Promise<void> {
    const now = Date.now();
    for (const user of users) {
      let entry = this.presence.get(user.id);
      if (!entry) this.presence.set(user.id, (entry = { user, processes: new Map() }));
      else if (!this.live(entry, now)) entry.user = user;
      entry.processes.set(processId, now + ttlSeconds * 1000);
    }
  }

  async dropPresence(userId: string, processId: string): Promise<{ gone: boolean; user: PresenceUser | undefined }> {
    const entry = this.presence.get(userId);
    if (!entry) return { gone: true, user: undefined };
    entry.processes.delete(processId);
    const gone = !this.live(entry, Date.now());
    if (gone) this.presence.delete(userId);
    return { gone, user: entry.user };
  }

  async onlineUsers(): Promise<PresenceUser[]> {
    const now = Date.now();
    const users: PresenceUser[] = [];
    for (const [id, entry] of this.presence) {
      if (this.live(entry, now)) users.push(entry.user);
      else this.presence.delete(id);
    }
    return users;
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

  private live(entry: Presence, now: number): boolean {
    for (const [processId, until] of entry.processes) {
      if (until > now) return true;
      entry.processes.delete(processId);
    }
    return false;
  }

  /** A key's history, begun (in a new epoch) by the first append or read. */
  private history(key: string): History {
    let history = this.histories.get(key);
    if (!history) this.histories.set(key, (history = { epoch: newEpoch(), top: 0, entries: [] }));
    return history;
  }
}
