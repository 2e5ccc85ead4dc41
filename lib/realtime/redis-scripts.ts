import type { ChainableCommander, Redis } from 'ioredis';
import { LEAVE_ALL, presenceScripts } from './presence-scripts';

/**
 * The Lua scripts `RedisRealtimeStore` runs: each step that must read and then write without
 * another process in between is one script, so Redis runs it atomically in one round trip.
 * ioredis sends them by SHA and falls back to the full text when Redis does not know it yet.
 *
 * Times are milliseconds since the epoch from the caller's clock: the processes sharing a store
 * must agree on the time to well within the presence TTL (NTP does).
 */
const scripts = {
  /**
   * Creates a room or channel unless it exists.
   * KEYS: index set, entity hash. ARGV: id, then the hash's field/value pairs. → 1 created, 0 existed.
   */
  rtCreate: {
    numberOfKeys: 2,
    lua: `
      if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
      redis.call('HSET', KEYS[2], unpack(ARGV, 2))
      redis.call('SADD', KEYS[1], ARGV[1])
      return 1`,
  },

  /**
   * Deletes a room and everything hanging off it, reverse indexes included.
   * KEYS: index set, room hash, members, invites, history, history meta. ARGV: room id, prefix
   * of the members' reverse-index keys. → 1 deleted, 0 missing.
   */
  rtDeleteRoom: {
    numberOfKeys: 6,
    lua: `
      if redis.call('SREM', KEYS[1], ARGV[1]) == 0 then return 0 end
      for _, member in ipairs(redis.call('SMEMBERS', KEYS[3])) do
        redis.call('SREM', ARGV[2] .. member, ARGV[1])
      end
      redis.call('DEL', KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6])
      return 1`,
  },

  /**
   * Joins a room, checking existence, privacy and capacity in the same step as the add, so two
   * processes cannot both take the last place.
   * KEYS: room hash, members, invites, the user's rooms. ARGV: user id, room id. → a JoinOutcome.
   */
  rtJoin: {
    numberOfKeys: 4,
    lua: `
      local room = redis.call('HMGET', KEYS[1], 'maxUsers', 'isPrivate')
      if not room[1] then return 'missing' end
      if redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 1 then return 'already' end
      if room[2] == '1' and redis.call('SISMEMBER', KEYS[3], ARGV[1]) == 0 then return 'forbidden' end
      local max = tonumber(room[1])
      if max > 0 and redis.call('SCARD', KEYS[2]) >= max then return 'full' end
      redis.call('SADD', KEYS[2], ARGV[1])
      redis.call('SADD', KEYS[4], ARGV[2])
      return 'joined'`,
  },

  /** Invites a user to an existing room. KEYS: room hash, invites. ARGV: user id. */
  rtInvite: {
    numberOfKeys: 2,
    lua: `
      if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
      return redis.call('SADD', KEYS[2], ARGV[1])`,
  },

  /**
   * Subscribes a user to an existing channel. KEYS: channel hash, subscribers, the user's
   * channels. ARGV: user id, channel id. → 1 subscribed, 0 missing or already.
   */
  rtSubscribe: {
    numberOfKeys: 3,
    lua: `
      if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
      if redis.call('SADD', KEYS[2], ARGV[1]) == 0 then return 0 end
      redis.call('SADD', KEYS[3], ARGV[2])
      return 1`,
  },

  /**
   * Marks a user present from one process until `expiry`. The per-user sorted set holds each
   * process's expiry, and the user's score in the online set is the latest of them; readers
   * ignore scores in the past, so a dead process's users go offline with nobody cleaning up.
   * The per-user keys outlive that by `keep` ms, so that the process that sweeps the dead one
   * still finds the user and their record to report the departure (rtSweep).
   * The record is written whole when no process had the user; otherwise 'touch' updates the
   * name only (a status the user set survives a second tab) and 'renew' writes nothing unless
   * the record is missing.
   * KEYS: the user's processes, online set, the user's record, the process's users. ARGV: mode,
   * process id, now, expiry, user id, name, status, metadata JSON, keep.
   * → { 1 when no process had the user present before else 0, the record's field/value pairs }.
   */
  rtPresence: {
    numberOfKeys: 4,
    lua: `
      redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[3])
      local first = redis.call('ZCARD', KEYS[1]) == 0
      if first or redis.call('EXISTS', KEYS[3]) == 0 then
        redis.call('HSET', KEYS[3], 'id', ARGV[5], 'name', ARGV[6], 'status', ARGV[7], 'metadata', ARGV[8])
      elseif ARGV[1] == 'touch' then
        redis.call('HSET', KEYS[3], 'name', ARGV[6])
      end
      redis.call('ZADD', KEYS[1], ARGV[4], ARGV[2])
      redis.call('SADD', KEYS[4], ARGV[5])
      local latest = tonumber(redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')[2])
      redis.call('PEXPIREAT', KEYS[1], latest + tonumber(ARGV[9]))
      redis.call('PEXPIREAT', KEYS[3], latest + tonumber(ARGV[9]))
      redis.call('ZADD', KEYS[2], latest, ARGV[5])
      return { first and 1 or 0, redis.call('HGETALL', KEYS[3]) }`,
  },

  /**
   * Withdraws one process's presence for a user; when no process has them any more, they leave
   * every room and channel in the same step.
   * KEYS: the user's processes, online set, the user's record, the process's users. ARGV:
   * process id, now, user id, key prefix, keep (see rtPresence).
   * → { 1 if no process has the user any more else 0, the record's field/value pairs, rooms left, channels left }.
   */
  rtDropPresence: {
    numberOfKeys: 4,
    lua: `${LEAVE_ALL}
      redis.call('SREM', KEYS[4], ARGV[3])
      redis.call('ZREM', KEYS[1], ARGV[1])
      redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
      local record = redis.call('HGETALL', KEYS[3])
      local latest = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')[2]
      if latest then
        redis.call('PEXPIREAT', KEYS[1], tonumber(latest) + tonumber(ARGV[5]))
        redis.call('PEXPIREAT', KEYS[3], tonumber(latest) + tonumber(ARGV[5]))
        redis.call('ZADD', KEYS[2], latest, ARGV[3])
        return { 0, record, {}, {} }
      end
      redis.call('DEL', KEYS[1], KEYS[3])
      redis.call('ZREM', KEYS[2], ARGV[3])
      local rooms, channels = leaveAll(ARGV[4], ARGV[3])
      return { 1, record, rooms, channels }`,
  },

  /** Replaces the record of a user who is present. KEYS: the user's record. ARGV: name, status, metadata JSON. */
  rtSetPresence: {
    numberOfKeys: 1,
    lua: `
      if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
      redis.call('HSET', KEYS[1], 'name', ARGV[1], 'status', ARGV[2], 'metadata', ARGV[3])
      return 1`,
  },

  /**
   * Appends to a history under the next offset and, given a channel, publishes it in the same
   * step: Redis runs one script at a time, so every subscriber receives a history's messages
   * in offset order, whichever process appended them. The stream's entry ids are the offsets
   * (`<offset>-0`); the meta hash holds the epoch (`e`) and the newest offset (`s`). A history
   * whose meta is gone (evicted, or Redis restarted without its data) starts a new epoch and
   * drops what entries it had: their offsets mean nothing in the new one.
   * KEYS: stream, meta. ARGV: message JSON, limit, a fresh epoch (used if none), channel ('' for
   * none), then the payload in pieces to be joined with the entry's id. → { epoch, offset }.
   */
  rtAppendHistory: {
    numberOfKeys: 2,
    lua: `
      local epoch = redis.call('HGET', KEYS[2], 'e')
      if not epoch then
        epoch = ARGV[3]
        redis.call('DEL', KEYS[1])
        redis.call('HSET', KEYS[2], 'e', epoch, 's', 0)
      end
      local offset = redis.call('HINCRBY', KEYS[2], 's', 1)
      redis.call('XADD', KEYS[1], 'MAXLEN', ARGV[2], offset .. '-0', 'm', ARGV[1])
      if ARGV[4] ~= '' then
        redis.call('PUBLISH', ARGV[4], table.concat({ unpack(ARGV, 5) }, epoch .. ':' .. offset))
      end
      return { epoch, offset }`,
  },

  /**
   * Reads a history for a reader that last saw `<after epoch>:<after offset>`: the entries
   * after that offset if the epoch is the current one, else all of them; newest first, one more
   * than `limit` (the extra one tells that the limit left some out). Starts the epoch of a
   * history that has none, so that a reader of an empty history learns where it will begin.
   * KEYS: stream, meta. ARGV: a fresh epoch, after epoch ('' for none), after offset, limit.
   * → { epoch, newest offset, entries }.
   */
  rtReadHistory: {
    numberOfKeys: 2,
    lua: `
      local meta = redis.call('HMGET', KEYS[2], 'e', 's')
      local epoch, top = meta[1], tonumber(meta[2])
      if not epoch then
        epoch, top = ARGV[1], 0
        redis.call('DEL', KEYS[1])
        redis.call('HSET', KEYS[2], 'e', epoch, 's', 0)
      end
      local from = 0
      if ARGV[2] == epoch then from = math.min(tonumber(ARGV[3]), top) end
      local entries = redis.call('XREVRANGE', KEYS[1], '+', '(' .. from .. '-0', 'COUNT', tonumber(ARGV[4]) + 1)
      return { epoch, top, entries }`,
  },
  ...presenceScripts,
} as const;

export type ScriptName = keyof typeof scripts;
type ScriptArgs = (string | number)[];

/** A client with the scripts defined on it, as `defineScripts` leaves it. */
export type ScriptClient = Redis & { [K in ScriptName]: (...args: ScriptArgs) => Promise<unknown> };
/** A pipeline of such a client: ioredis gives every pipeline the client's scripts. */
export type ScriptPipeline = ChainableCommander & { [K in ScriptName]: (...args: ScriptArgs) => ScriptPipeline };

/** Defines every script on `client` (as ioredis custom commands) and returns it typed accordingly. */
export function defineScripts(client: Redis): ScriptClient {
  for (const [name, definition] of Object.entries(scripts)) client.defineCommand(name, definition);
  return client as ScriptClient;
}
