import type { RedisOptions } from 'ioredis';
import type * as IoredisLoader from '../channels/ioredis-loader';
import type { PresenceUser } from './events';
import type * as RedisHistoryModule from './redis-history';
import type { RedisHistory } from './redis-history';
import type * as RedisPresenceModule from './redis-presence';
import type { RedisPresence } from './redis-presence';
import type * as RedisRecords from './redis-records';
import type * as RedisScripts from './redis-scripts';
import type { ScriptClient } from './redis-scripts';
import type { Appended, ChannelInfo, Departure, HistoryPublication, HistoryReplay, JoinOutcome, RealtimeStore, RoomInfo } from './store';

export interface RedisRealtimeStoreOptions {
  /** Default `process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'`. */
  url?: string;
  /** Namespace of the store's keys (all under `<prefix>:rt:`); stores share state only under one prefix. Default 'starwire'. */
  prefix?: string;
  /** A command that gets no reply in this time (Redis down or unreachable) fails. Default 2000. */
  commandTimeoutMs?: number;
  /** More ioredis options (TLS, password, `retryStrategy`, ...). */
  redisOptions?: RedisOptions;
}

/**
 * The store's Redis half (scripts, records, history, presence) is loaded when the first store is
 * made: an app on the in-memory store does not pay for it at `require('starwire')`.
 */
let recordsModule: typeof RedisRecords | undefined;
const redisRecords = (): typeof RedisRecords => (recordsModule ??= require('./redis-records.js') as typeof RedisRecords);

const JOIN_OUTCOMES: readonly string[] = ['joined', 'already', 'full', 'missing', 'forbidden'] satisfies JoinOutcome[];

/**
 * Real-time state in Redis, shared by every process that uses the same prefix: what lets
 * `RealtimeManager`s in several processes see one set of rooms, channels, presence and history.
 * Each process still delivers to its own sockets; this store only holds the shared state.
 *
 * Keys, under `<prefix>:rt:` (ids go last, after a type tag, so no id can forge another key):
 * - `rooms`, `channels`: sets of ids; `room:<id>`, `channel:<id>`: hashes of their settings;
 * - `members:<room>`, `invites:<room>`, `subscribers:<channel>`: sets of user ids, and
 *   `user-rooms:<user>`, `user-channels:<user>`: the reverse indexes `roomsOf`/`channelsOf` read;
 * - `presence:<user>`: a sorted set of process id → expiry (ms); `user:<user>`: the user's
 *   record (a hash); `online`: a sorted set of user id → the latest expiry. Readers ignore
 *   scores in the past, so a process that dies takes its users offline within the TTL; the
 *   first two keys expire a TTL after that, so that the sweep still finds what to report;
 * - `processes`: a sorted set of process id → heartbeat expiry; `process-users:<process>`:
 *   the users a process made present. A live process that finds a lapsed heartbeat there
 *   sweeps that process (see `sweepProcesses`): its users leave presence, rooms and channels;
 * - `history:<room:id|channel:id>`: a stream whose entry ids are the messages' offsets, trimmed
 *   to the history limit; `history-meta:<room:id|channel:id>`: its epoch and newest offset.
 *
 * Needs Redis 6.2 or later and a single Redis (or a primary with
 * replicas): scripts touch keys derived from set members, which Redis Cluster does not allow.
 *
 * @example
 * const store = new RedisRealtimeStore({ url: process.env.REDIS_URL, prefix: 'chat' });
 * await store.ready();
 * const app = new App({
 *   routes,
 *   channelLayer: new RedisChannelLayer({ prefix: 'chat' }),
 *   realtime: { store, presenceTtl: 15 },
 * });
 */
export class RedisRealtimeStore implements RealtimeStore {
  readonly prefix: string;
  private readonly redis: ScriptClient;
  private readonly history: RedisHistory;
  private readonly url: string;
  private readonly keys: string;
  private lastError: string | undefined;
  private readonly presence: RedisPresence;
  private closing: Promise<void> | undefined;

  constructor(options: RedisRealtimeStoreOptions = {}) {
    this.prefix = options.prefix ?? 'starwire';
    if (!/^[a-zA-Z0-9_\-.:]{1,60}$/.test(this.prefix)) {
      throw new TypeError(`RedisRealtimeStore prefix ${JSON.stringify(this.prefix)} must be 1–60 letters, digits, "-", "_", "." or ":"`);
    }
    this.keys = `${this.prefix}:rt:`;
    this.url = options.url ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
    const { newRedis } = require('../channels/ioredis-loader.js') as typeof IoredisLoader;
    const { defineScripts } = require('./redis-scripts.js') as typeof RedisScripts;
    const { RedisHistory } = require('./redis-history.js') as typeof RedisHistoryModule;
    const { RedisPresence } = require('./redis-presence.js') as typeof RedisPresenceModule;
    const client = newRedis('RedisRealtimeStore', this.url, {
      ...options.redisOptions,
      // Commands issued while connecting wait for the connection, but never longer than this.
      commandTimeout: options.commandTimeoutMs ?? 2000,
      maxRetriesPerRequest: options.redisOptions?.maxRetriesPerRequest ?? 1,
      connectionName: options.redisOptions?.connectionName ?? `${this.prefix}:realtime-store`,
    });
    // ioredis reconnects by itself; the reason is kept for ready()'s error message.
    client.on('error', (error: Error) => {
      this.lastError = error.message;
    });
    this.redis = defineScripts(client);
    this.history = new RedisHistory(this.redis, (type, id) => this.key(type, id));
    this.presence = new RedisPresence(this.redis, this.keys);
  }

  /** Resolves once Redis answers; rejects, naming the URL (password hidden) and why, if it does not. */
  async ready(): Promise<void> {
    try {
      await this.redis.ping();
    } catch (error) {
      const reason = this.lastError ?? (error instanceof Error ? error.message : String(error));
      throw new Error(`RedisRealtimeStore cannot reach Redis at ${this.url.replace(/\/\/([^@/]*)@/, '//***@')}: ${reason}`, {
        cause: error,
      });
    }
  }

  // ——— rooms ———

  async createRoom(room: RoomInfo): Promise<boolean> {
    const fields = [
      'id',
      room.id,
      'name',
      room.name,
      'description',
      room.description,
      'maxUsers',
      room.maxUsers,
      'isPrivate',
      room.isPrivate ? 1 : 0,
      'keepHistory',
      room.keepHistory ? 1 : 0,
    ];
    return (await this.redis.rtCreate(this.key('rooms'), this.key('room', room.id), room.id, ...fields)) === 1;
  }

  async getRoom(id: string): Promise<RoomInfo | undefined> {
    return redisRecords().toRoom(await this.redis.hgetall(this.key('room', id)));
  }

  async deleteRoom(id: string): Promise<boolean> {
    const deleted = await this.redis.rtDeleteRoom(
      this.key('rooms'),
      this.key('room', id),
      this.key('members', id),
      this.key('invites', id),
      this.key('history', `room:${id}`),
      this.key('history-meta', `room:${id}`),
      id,
      this.key('user-rooms', ''),
    );
    return deleted === 1;
  }

  async listRooms(): Promise<RoomInfo[]> {
    const records = await this.hashes('room', await this.redis.smembers(this.key('rooms')));
    return records.map(redisRecords().toRoom).filter((room) => room !== undefined);
  }

  async joinRoom(roomId: string, userId: string): Promise<JoinOutcome> {
    const outcome = await this.redis.rtJoin(
      this.key('room', roomId),
      this.key('members', roomId),
      this.key('invites', roomId),
      this.key('user-rooms', userId),
      userId,
      roomId,
    );
    if (typeof outcome !== 'string' || !JOIN_OUTCOMES.includes(outcome))
      throw new Error(`RedisRealtimeStore: unexpected join reply ${String(outcome)}`);
    return outcome as JoinOutcome;
  }

  async leaveRoom(roomId: string, userId: string): Promise<boolean> {
    const [removed] = await redisRecords().exec(
      this.redis.multi().srem(this.key('members', roomId), userId).srem(this.key('user-rooms', userId), roomId),
    );
    return removed === 1;
  }

  roomMembers(roomId: string): Promise<string[]> {
    return this.redis.smembers(this.key('members', roomId));
  }

  roomsOf(userId: string): Promise<string[]> {
    return this.redis.smembers(this.key('user-rooms', userId));
  }

  async invite(roomId: string, userId: string): Promise<void> {
    await this.redis.rtInvite(this.key('room', roomId), this.key('invites', roomId), userId);
  }

  // ——— channels ———

  async createChannel(channel: ChannelInfo): Promise<boolean> {
    const fields = ['id', channel.id, 'name', channel.name, 'isPersistent', channel.isPersistent ? 1 : 0];
    return (await this.redis.rtCreate(this.key('channels'), this.key('channel', channel.id), channel.id, ...fields)) === 1;
  }

  async getChannel(id: string): Promise<ChannelInfo | undefined> {
    return redisRecords().toChannel(await this.redis.hgetall(this.key('channel', id)));
  }

  async listChannels(): Promise<ChannelInfo[]> {
    const records = await this.hashes('channel', await this.redis.smembers(this.key('channels')));
    return records.map(redisRecords().toChannel).filter((channel) => channel !== undefined);
  }

  async subscribe(channelId: string, userId: string): Promise<boolean> {
    const added = await this.redis.rtSubscribe(
      this.key('channel', channelId),
      this.key('subscribers', channelId),
      this.key('user-channels', userId),
      userId,
      channelId,
    );
    return added === 1;
  }

  async unsubscribe(channelId: string, userId: string): Promise<boolean> {
    const [removed] = await redisRecords().exec(
      this.redis.multi().srem(this.key('subscribers', channelId), userId).srem(this.key('user-channels', userId), channelId),
    );
    return removed === 1;
  }

  subscribers(channelId: string): Promise<string[]> {
    return this.redis.smembers(this.key('subscribers', channelId));
  }

  channelsOf(userId: string): Promise<string[]> {
    return this.redis.smembers(this.key('user-channels', userId));
  }

  // ——— presence ———

  touchPresence(user: PresenceUser, processId: string, ttlSeconds: number): Promise<{ first: boolean; user: PresenceUser }> {
    return this.presence.touch(user, processId, ttlSeconds);
  }

  renewPresence(users: readonly PresenceUser[], processId: string, ttlSeconds: number): Promise<void> {
    return this.presence.renew(users, processId, ttlSeconds);
  }

  dropPresence(userId: string, processId: string): Promise<Departure & { gone: boolean }> {
    return this.presence.drop(userId, processId);
  }

  heartbeat(processId: string, ttlSeconds: number, register: boolean): Promise<boolean> {
    return this.presence.heartbeat(processId, ttlSeconds, register);
  }

  sweepProcesses(): Promise<Departure[]> {
    return this.presence.sweepProcesses();
  }

  onlineUsers(): Promise<PresenceUser[]> {
    return this.presence.onlineUsers();
  }

  getPresence(userId: string): Promise<PresenceUser | undefined> {
    return this.presence.get(userId);
  }

  setPresence(user: PresenceUser): Promise<void> {
    return this.presence.set(user);
  }

  // ——— history ———

  appendHistory(key: string, message: unknown, limit: number, publication?: HistoryPublication): Promise<Appended> {
    return this.history.append(key, message, limit, publication);
  }

  readHistory(key: string, afterId: string | undefined, limit: number): Promise<HistoryReplay> {
    return this.history.read(key, afterId, limit);
  }

  /** Closes the connection; the state stays in Redis for the other processes (presence lapses by its TTL). */
  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.redis.status === 'ready') await this.redis.quit().catch(() => this.redis.disconnect());
      else this.redis.disconnect();
    })();
    return this.closing;
  }

  // ——— inside ———

  private key(type: string, id?: string): string {
    return id === undefined ? `${this.keys}${type}` : `${this.keys}${type}:${id}`;
  }

  /** Every listed hash, in one round trip. */
  private async hashes(type: string, ids: readonly string[]): Promise<unknown[]> {
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hgetall(this.key(type, id));
    return redisRecords().exec(pipeline);
  }
}
