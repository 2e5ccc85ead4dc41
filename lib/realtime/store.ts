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

/**
 * One message kept in a room's or channel's history. Its id is `<epoch>:<offset>` (see
 * `historyId`): offsets count 1, 2, 3… without gaps within an epoch, so a reader that saw
 * offset 7 and next sees 9 knows it missed one.
 */
export interface HistoryEntry {
  readonly id: string;
  readonly message: unknown;
}

/** What a history read found, whether it is all that followed the given id, and where the history stands. */
export interface HistoryReplay {
  readonly entries: HistoryEntry[];
  /**
   * False when something that followed the given id is gone for good: trimmed away, left out
   * by the read limit, or lost with its epoch (the id names an epoch the history no longer has).
   */
  readonly complete: boolean;
  /**
   * The id of the newest message the history ever took in its current epoch (`<epoch>:0` when
   * none yet): where a reader that has everything resumes from.
   */
  readonly last: string;
}

/** A position in a history: the epoch (which changes when history is lost) and the offset in it. */
export interface HistoryPosition {
  readonly epoch: string;
  readonly offset: number;
}

const HISTORY_ID = /^([0-9a-z]{1,24}):(\d{1,15})$/;

/** Whether `id` is shaped like a history id, `<epoch>:<offset>`. */
export function isHistoryId(id: unknown): id is string {
  return typeof id === 'string' && HISTORY_ID.test(id);
}

/**
 * Refuses a malformed "last seen" id with a TypeError. It usually comes from a client, and
 * must not reach the store as garbage.
 */
export function assertHistoryId(id: unknown): asserts id is string {
  if (!isHistoryId(id)) throw new TypeError(`A history id looks like "<epoch>:<offset>", got ${JSON.stringify(id)}`);
}

/** The id of `offset` in `epoch`. */
export function historyId(epoch: string, offset: number): string {
  return `${epoch}:${offset}`;
}

/**
 * The epoch and offset of a well-formed history id; a TypeError for anything else.
 *
 * @example
 * const { epoch, offset } = parseHistoryId(broadcast.id); // e.g. { epoch: 'mxa7143fm15ic9', offset: 42 }
 */
export function parseHistoryId(id: string): HistoryPosition {
  const match = HISTORY_ID.exec(id);
  if (!match) throw new TypeError(`A history id looks like "<epoch>:<offset>", got ${JSON.stringify(id)}`);
  return { epoch: match[1], offset: Number(match[2]) };
}

/**
 * Orders two history ids: by epoch (epochs start with the time they began, in base 36, so a
 * later epoch sorts after an earlier one), then by offset.
 *
 * @example
 * entries.sort((a, b) => compareIds(a.id, b.id));
 */
export function compareIds(a: string, b: string): number {
  const x = parseHistoryId(a);
  const y = parseHistoryId(b);
  if (x.epoch !== y.epoch) return x.epoch.length - y.epoch.length || (x.epoch < y.epoch ? -1 : 1);
  return x.offset - y.offset;
}

/**
 * A fresh epoch: the time in base 36 (8 characters until 2059), so epochs sort by when they
 * began, then random characters, so two processes starting one in the same millisecond differ.
 */
export function newEpoch(): string {
  return Date.now().toString(36) + Math.random().toString(36).slice(2, 8).padEnd(6, '0');
}

/** The offset a read for a reader that last saw `after` starts after: 0 (everything kept) when `after` is of another epoch. */
export function readFrom(epoch: string, top: number, after: HistoryPosition | undefined): number {
  return after !== undefined && after.epoch === epoch ? Math.min(after.offset, top) : 0;
}

/**
 * What a reader that last saw `after` is told, given the history's current epoch, its newest
 * offset, the entries found after `after` (all of the epoch's when `after` is of another one)
 * and whether the read limit cut some off: the same rules for every store.
 */
export function replayOf(
  epoch: string,
  top: number,
  after: HistoryPosition | undefined,
  found: readonly HistoryEntry[],
  cut: boolean,
): HistoryReplay {
  const last = historyId(epoch, top);
  const first = found.length > 0 ? parseHistoryId(found[0].id).offset : top + 1;
  // The reader lost nothing if the entries (or the newest offset) follow on from where it stopped.
  const from = readFrom(epoch, top, after);
  const complete = !cut && first === from + 1 && (after === undefined || after.epoch === epoch);
  return { entries: [...found], complete, last };
}

/**
 * How a store publishes a message it appends to history in the same atomic step: the Redis
 * pub/sub channel and the payload, given the message's history id.
 */
export type HistoryPublication = (id: string) => { readonly channel: string; readonly payload: string };

/** What an append did: the message's history id, and whether the store published it too. */
export interface Appended {
  readonly id: string;
  readonly published: boolean;
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

  /**
   * Appends a JSON-serializable message to a bounded history under the next offset (one more
   * than the last, in the history's epoch; a history that has none, or lost its record of
   * them, starts a new epoch at 1) and resolves with its id. With `publication`, a store
   * that can publishes the message in the same atomic step (`published: true`), so that
   * subscribers receive each history's messages in offset order whichever process appended them.
   */
  appendHistory(key: string, message: unknown, limit: number, publication?: HistoryPublication): Promise<Appended>;
  /**
   * Entries after `afterId` (all kept entries when undefined), oldest first, at most `limit`
   * (the newest ones). `complete` is false when entries after `afterId` were already trimmed
   * away, left out by `limit`, or lost with an epoch. A malformed `afterId` is a TypeError.
   */
  readHistory(key: string, afterId: string | undefined, limit: number): Promise<HistoryReplay>;

  /** Releases connections; the state itself stays (in Redis) for the other processes. */
  close(): Promise<void>;
}
