import type { PresenceUser } from './events';

/** A room's settings, as stored. */
export interface RoomInfo {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  /** Members at most; 0 for no limit. */
  readonly maxUsers: number;
  /** Private rooms are left out of `listRooms()` and admit invited users only. */
  readonly isPrivate: boolean;
  /** Keep the last messages for replay. */
  readonly keepHistory: boolean;
}

/** A broadcast channel's settings, as stored (seed 000's "channels": topics users subscribe to). */
export interface ChannelInfo {
  readonly id: string;
  readonly name: string;
  /** Persistent channels keep their history. */
  readonly isPersistent: boolean;
}

/** One message kept in a room's or channel's history; ids grow, so a client can ask for what followed the last it saw. */
export interface HistoryEntry {
  readonly id: string;
  readonly message: unknown;
}

/** What a history read found, and whether it is all that followed the given id. */
export interface HistoryReplay {
  readonly entries: HistoryEntry[];
  readonly complete: boolean;
}

/** Whether `id` is shaped like a history id (`<ms>-<seq>`, as Redis Streams writes them). */
export function isHistoryId(id: unknown): id is string {
  return typeof id === 'string' && /^\d{1,15}-\d{1,15}$/.test(id);
}

/**
 * Refuses a malformed "last seen" id with a TypeError. It usually comes from a client, and
 * each store would otherwise read garbage its own way (Redis answers with an error).
 */
export function assertHistoryId(id: unknown): asserts id is string {
  if (!isHistoryId(id)) throw new TypeError(`A history id looks like "<ms>-<seq>", got ${JSON.stringify(id)}`);
}

/** Compares two history ids (`<ms>-<seq>`, as Redis Streams writes them). */
export function compareIds(a: string, b: string): number {
  const [am, as] = a.split('-').map(Number);
  const [bm, bs] = b.split('-').map(Number);
  return am !== bm ? am - bm : (as ?? 0) - (bs ?? 0);
}

/**
 * A user who left for good: their record (undefined when it is no longer known) and the rooms
 * and channels they were taken out of.
 */
export interface Departure {
  readonly userId: string;
  readonly user: PresenceUser | undefined;
  readonly rooms: string[];
  readonly channels: string[];
}

export type JoinOutcome = 'joined' | 'already' | 'full' | 'missing' | 'forbidden';

/**
 * The state every process shares: rooms and their members, channels and their subscribers,
 * presence and history. `MemoryRealtimeStore` keeps it in the process; `RedisRealtimeStore`
 * in Redis, for several processes.
 */
export interface RealtimeStore {
  createRoom(room: RoomInfo): Promise<boolean>;
  getRoom(id: string): Promise<RoomInfo | undefined>;
  deleteRoom(id: string): Promise<boolean>;
  listRooms(): Promise<RoomInfo[]>;
  /** Adds a member unless the room is missing, full, or private and the user not invited; atomic. */
  joinRoom(roomId: string, userId: string): Promise<JoinOutcome>;
  leaveRoom(roomId: string, userId: string): Promise<boolean>;
  roomMembers(roomId: string): Promise<string[]>;
  /** Rooms the user is a member of. */
  roomsOf(userId: string): Promise<string[]>;
  /** Lets a user into a private room; does nothing when the room does not exist. */
  invite(roomId: string, userId: string): Promise<void>;

  createChannel(channel: ChannelInfo): Promise<boolean>;
  getChannel(id: string): Promise<ChannelInfo | undefined>;
  listChannels(): Promise<ChannelInfo[]>;
  subscribe(channelId: string, userId: string): Promise<boolean>;
  unsubscribe(channelId: string, userId: string): Promise<boolean>;
  subscribers(channelId: string): Promise<string[]>;
  /** Channels the user subscribes to. */
  channelsOf(userId: string): Promise<string[]>;

  /**
   * Marks `user` present from `processId` until `ttlSeconds` from now. `first` is true when no
   * process had the user present before; then `user` is stored as given. Otherwise the stored
   * status and metadata stay (a status set from one tab survives the next tab or a reconnect)
   * and the name is updated; the answer's `user` is the record as stored.
   */
  touchPresence(user: PresenceUser, processId: string, ttlSeconds: number): Promise<{ first: boolean; user: PresenceUser }>;
  /**
   * Renews every listed user's presence from `processId` in one round trip. A user whose
   * presence lapsed meanwhile (the process stalled, or the store was unreachable, for longer
   * than the TTL) is restored from the given record; a record still present is kept as is,
   * since another process may have changed the status since.
   */
  renewPresence(users: readonly PresenceUser[], processId: string, ttlSeconds: number): Promise<void>;
  /**
   * Removes `processId`'s presence for the user; `gone` is true when no process has them any
   * more, and then, in the same step, the user leaves every room and channel (listed in the
   * answer), so their seats are free and no per-room state outlives them.
   */
  dropPresence(userId: string, processId: string): Promise<Departure & { gone: boolean }>;
  /**
   * Says `processId` is alive for `ttlSeconds` more. `register` adds it; otherwise it answers
   * false, and writes nothing, when the process was declared dead meanwhile (it missed
   * heartbeats for longer than the TTL, and `sweepProcesses` took its users offline).
   */
  heartbeat(processId: string, ttlSeconds: number, register: boolean): Promise<boolean>;
  /**
   * Declares dead the processes whose heartbeat lapsed and takes over their users: each user no
   * other process has leaves presence and every room and channel. Atomic: among any number of
   * callers, one gets each dead process, so each departure is reported exactly once.
   */
  sweepProcesses(): Promise<Departure[]>;
  onlineUsers(): Promise<PresenceUser[]>;
  getPresence(userId: string): Promise<PresenceUser | undefined>;
  /** Replaces the record of a user who is present; does nothing for one who is not. */
  setPresence(user: PresenceUser): Promise<void>;

  /** Appends a JSON-serializable message to a bounded history; resolves with the entry's id, greater than every earlier one. */
  appendHistory(key: string, message: unknown, limit: number): Promise<string>;
  /**
   * Entries after `afterId` (all kept entries when undefined), oldest first, at most `limit`
   * (the newest ones). `complete` is false when entries after `afterId` were already trimmed
   * away, or left out by `limit`. A malformed `afterId` is a TypeError.
   */
  readHistory(key: string, afterId: string | undefined, limit: number): Promise<HistoryReplay>;

  /** Releases connections; the state itself stays (in Redis) for the other processes. */
  close(): Promise<void>;
}
