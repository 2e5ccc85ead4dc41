/**
 * Lua for presence across processes (see `RedisRealtimeStore`): process heartbeats, and taking
 * over the users of a process that died. Each runs atomically, so among the processes sweeping
 * at once exactly one takes each dead process and reports its users' departures.
 *
 * Keys are built inside the scripts from the store's key prefix (ARGV), as `<prefix>presence:<user>`
 * and so on, because which keys matter depends on set members read in the same step.
 */

/**
 * A Lua function: takes a user out of every room and channel (the reverse indexes list them),
 * deletes those indexes, and returns the rooms and the channels.
 */
export const LEAVE_ALL = `
local function leaveAll(prefix, userId)
  local rooms = redis.call('SMEMBERS', prefix .. 'user-rooms:' .. userId)
  for _, room in ipairs(rooms) do redis.call('SREM', prefix .. 'members:' .. room, userId) end
  local channels = redis.call('SMEMBERS', prefix .. 'user-channels:' .. userId)
  for _, channel in ipairs(channels) do redis.call('SREM', prefix .. 'subscribers:' .. channel, userId) end
  redis.call('DEL', prefix .. 'user-rooms:' .. userId, prefix .. 'user-channels:' .. userId)
  return rooms, channels
end
`;

export const presenceScripts = {
  /**
   * Keeps a process alive until `expiry`. Unless `register` is '1', a process missing from the
   * set (swept as dead) stays out and hears so.
   * KEYS: processes (sorted set of process id → expiry). ARGV: process id, expiry, register.
   * → 1 alive, 0 declared dead.
   */
  rtHeartbeat: {
    numberOfKeys: 1,
    lua: `
      if ARGV[3] ~= '1' and not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
      redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
      return 1`,
  },

  /**
   * Takes over up to 10 processes whose heartbeat lapsed: each is removed from the set, and
   * each of its users that no live process has leaves presence, rooms and channels. A user
   * whose entry for the process is already gone (they left it, or another sweep or drop
   * pruned it) was reported then and is skipped here.
   * KEYS: processes, online set. ARGV: now, key prefix.
   * → { { user id, record field/value pairs, rooms, channels }, ... }.
   */
  rtSweep: {
    numberOfKeys: 2,
    lua: `${LEAVE_ALL}
      local departures = {}
      for _, processId in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, 10)) do
        redis.call('ZREM', KEYS[1], processId)
        local usersKey = ARGV[2] .. 'process-users:' .. processId
        for _, userId in ipairs(redis.call('SMEMBERS', usersKey)) do
          local presence = ARGV[2] .. 'presence:' .. userId
          if redis.call('ZREM', presence, processId) == 1 then
            redis.call('ZREMRANGEBYSCORE', presence, '-inf', ARGV[1])
            if redis.call('ZCARD', presence) == 0 then
              local recordKey = ARGV[2] .. 'user:' .. userId
              local record = redis.call('HGETALL', recordKey)
              redis.call('DEL', presence, recordKey)
              redis.call('ZREM', KEYS[2], userId)
              local rooms, channels = leaveAll(ARGV[2], userId)
              departures[#departures + 1] = { userId, record, rooms, channels }
            end
          end
        end
        redis.call('DEL', usersKey)
      end
      return departures`,
  },
} as const;
