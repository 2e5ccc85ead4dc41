import type { PresenceUser } from './events';
import { exec, pairs, toDeparture, toUser } from './redis-records';
import type { ScriptClient, ScriptPipeline } from './redis-scripts';
import type { Departure } from './store';

/** How often a reader may sweep expired users out of the online set; renewals sweep too. */
const SWEEP_EVERY_MS = 5000;

/**
 * The presence half of RedisRealtimeStore: which users are online through which processes,
 * their records, and the process heartbeats that let a live process sweep a dead one's users.
 * The keys are the store's (see `RedisRealtimeStore`), all under `keys`.
 *
 * @example
 * const presence = new RedisPresence(defineScripts(redis), 'chat:rt:');
 * const { first } = await presence.touch({ id: 'u1', name: 'Ann', status: 'online', metadata: {} }, 'p1', 15);
 */
export class RedisPresence {
  private lastSweep = 0;
  /**
   * How long a user's keys outlive their presence (ms): one TTL, the longest seen, so the
   * process that sweeps a dead one (within about a TTL) still finds what to report.
   */
  private keepMs = 0;

  constructor(
    private readonly redis: ScriptClient,
    private readonly keys: string,
  ) {}

  async touch(user: PresenceUser, processId: string, ttlSeconds: number): Promise<{ first: boolean; user: PresenceUser }> {
    const reply = await this.redis.rtPresence(...this.presenceArgs('touch', user, processId, Date.now(), ttlSeconds));
    if (!Array.isArray(reply) || reply.length !== 2 || !Array.isArray(reply[1]))
      throw new Error('RedisRealtimeStore: unexpected touchPresence reply');
    return { first: reply[0] === 1, user: toUser(pairs(reply[1])) ?? user };
  }

  async renew(users: readonly PresenceUser[], processId: string, ttlSeconds: number): Promise<void> {
    if (users.length === 0) return;
    const now = Date.now();
    const pipeline = this.redis.pipeline() as ScriptPipeline;
    for (const user of users) pipeline.rtPresence(...this.presenceArgs('renew', user, processId, now, ttlSeconds));
    // Renewals run a few times per TTL in every process: a cheap, regular sweep of users whose processes died.
    pipeline.zremrangebyscore(this.key('online'), '-inf', now);
    this.lastSweep = now;
    await exec(pipeline);
  }

  async drop(userId: string, processId: string): Promise<Departure & { gone: boolean }> {
    const reply = await this.redis.rtDropPresence(
      this.key('presence', userId),
      this.key('online'),
      this.key('user', userId),
      this.key('process-users', processId),
      processId,
      Date.now(),
      userId,
      this.keys,
      this.keepMs,
    );
    if (!Array.isArray(reply) || reply.length !== 4) throw new Error('RedisRealtimeStore: unexpected dropPresence reply');
    return { gone: reply[0] === 1, ...toDeparture([userId, ...reply.slice(1)]) };
  }

  async heartbeat(processId: string, ttlSeconds: number, register: boolean): Promise<boolean> {
    this.keepMs = Math.max(this.keepMs, Math.round(ttlSeconds * 1000));
    const expiry = Date.now() + Math.round(ttlSeconds * 1000);
    return (await this.redis.rtHeartbeat(this.key('processes'), processId, expiry, register ? '1' : '0')) === 1;
  }

  async sweepProcesses(): Promise<Departure[]> {
    const departures: Departure[] = [];
    // Ten processes a call keeps each script short; a cluster rarely loses more at once.
    for (let round = 0; round < 100; round++) {
      const reply = await this.redis.rtSweep(this.key('processes'), this.key('online'), Date.now(), this.keys);
      if (!Array.isArray(reply)) throw new Error('RedisRealtimeStore: unexpected sweep reply');
      if (reply.length === 0) break;
      for (const item of reply) departures.push(toDeparture(item));
    }
    return departures;
  }

  async onlineUsers(): Promise<PresenceUser[]> {
    const now = Date.now();
    const ids = await this.redis.zrangebyscore(this.key('online'), `(${now}`, '+inf');
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hgetall(this.key('user', id));
    if (now - this.lastSweep > SWEEP_EVERY_MS) {
      this.lastSweep = now;
      pipeline.zremrangebyscore(this.key('online'), '-inf', now);
    }
    const replies = ids.length || pipeline.length ? await exec(pipeline) : [];
    const users: PresenceUser[] = [];
    for (let i = 0; i < ids.length; i++) {
      // A record can expire between the two reads; that user has just gone offline.
      const user = toUser(replies[i]);
      if (user) users.push(user);
    }
    return users;
  }

  async get(userId: string): Promise<PresenceUser | undefined> {
    const [until, record] = await exec(this.redis.pipeline().zscore(this.key('online'), userId).hgetall(this.key('user', userId)));
    return typeof until === 'string' && Number(until) > Date.now() ? toUser(record) : undefined;
  }

  async set(user: PresenceUser): Promise<void> {
    await this.redis.rtSetPresence(this.key('user', user.id), user.name, user.status, JSON.stringify(user.metadata));
  }

  // ——— inside ———

  private key(type: string, id?: string): string {
    return id === undefined ? `${this.keys}${type}` : `${this.keys}${type}:${id}`;
  }

  private presenceArgs(
    mode: 'touch' | 'renew',
    user: PresenceUser,
    processId: string,
    now: number,
    ttlSeconds: number,
  ): (string | number)[] {
    this.keepMs = Math.max(this.keepMs, Math.round(ttlSeconds * 1000));
    return [
      this.key('presence', user.id),
      this.key('online'),
      this.key('user', user.id),
      this.key('process-users', processId),
      mode,
      processId,
      now,
      now + Math.round(ttlSeconds * 1000),
      user.id,
      user.name,
      user.status,
      JSON.stringify(user.metadata),
      this.keepMs,
    ];
  }
}
