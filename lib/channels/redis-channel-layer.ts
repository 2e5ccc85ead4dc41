import { EventEmitter } from 'node:events';
import type { Redis, RedisOptions } from 'ioredis';
import {
  assertChannelName,
  assertMaySendToGroup,
  assertMessage,
  ChannelFull,
  type ChannelLayer,
  ChannelLayerClosed,
  type ChannelMessage,
  channelProcess,
  type NewChannelOptions,
} from './channel-layer';
import { InMemoryChannelLayer } from './in-memory-channel-layer';
import { newRedis } from './ioredis-loader';
import { Acknowledgements, acknowledgementInbox, acknowledgementOf } from './redis-acknowledgements';
import {
  ChannelLayerUnavailable,
  type RedisChannelLayerEvents,
  type RedisChannelLayerOptions,
  type RedisChannelLayerStats,
  type RedisGroupSendResult,
} from './redis-channel-layer-api';

export type { RedisDisconnected, RedisReconnected } from './redis-channel-layer-api';
export type { RedisChannelLayerEvents, RedisChannelLayerOptions, RedisChannelLayerStats, RedisGroupSendResult };
export { ChannelLayerUnavailable };

/** A PUBLISH that did not succeed: whether the command was ever written to Redis, and why. */
interface PublishFailure {
  readonly outcome: 'failed' | 'unknown';
  readonly error: Error;
}

type Connection = 'publisher' | 'subscriber';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Redacts a password so the URL can go into error messages. */
function safeUrl(url: string): string {
  return url.replace(/\/\/([^@/]*)@/, '//***@');
}

/**
 * A channel layer shared by processes through Redis pub/sub. Each process keeps its own channels
 * and group members in memory (an `InMemoryChannelLayer`), subscribes once per group that has a
 * member here and once to its own inbox; `groupSend` is one PUBLISH that every process with
 * members delivers locally, and `send` to another process's channel is one PUBLISH to its inbox.
 * Delivery is at most once: what Redis cannot take is counted in `stats().lost` and reported by
 * the 'reconnected' event (or an 'error' event while connected).
 *
 * @example
 * const layer = new RedisChannelLayer({ url: 'redis://127.0.0.1:6379', prefix: 'chat' });
 * layer.on('reconnected', ({ downtimeMs, lost }) => console.warn(`Redis back after ${downtimeMs} ms; ${lost} lost`));
 * await layer.ready();
 * const app = new App({ routes, channelLayer: layer });
 */
export class RedisChannelLayer extends EventEmitter<RedisChannelLayerEvents> implements ChannelLayer {
  readonly processName: string;
  readonly prefix: string;
  /** This process's Redis pub/sub channel for direct sends from other processes. */
  readonly inbox: string;
  private readonly groupPrefix: string;
  private readonly local: InMemoryChannelLayer;
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private readonly url: string;
  /** Subscribe/unsubscribe commands in flight per group, awaited by groupAdd/groupDiscard. */
  private readonly pending = new Map<string, Promise<void>>();
  private readonly started: Promise<void>;
  /** `started` that never rejects: calls wait for the first connection, then go on regardless. */
  private readonly startup: Promise<void>;
  private settleStart: ((error?: Error) => void) | undefined;
  private startTimer: NodeJS.Timeout | undefined;
  private up = false;
  /** True once the current subscriber connection has re-subscribed to everything. */
  private subscribed = false;
  private downSince = performance.now();
  private lostThisOutage = 0;
  /** Why a connection last failed, for 'disconnected' and the startup error; cleared once up. */
  private lastError: string | undefined;
  private closing: Promise<void> | undefined;
  private readonly counts = { remoteSent: 0, lost: 0, unroutable: 0, malformed: 0, unconfirmed: 0 };
  private readonly commandTimeoutMs: number;
  /** Direct sends waiting for the receiving process's acknowledgement. */
  private readonly acks = new Acknowledgements();

  constructor(options: RedisChannelLayerOptions = {}) {
    super();
    // The default listener keeps an unhandled 'error' from crashing the process.
    this.on('error', (error) => {
      if (this.listenerCount('error') === 1) process.emitWarning(error.message, 'RedisChannelLayerWarning');
    });
    this.local = new InMemoryChannelLayer({
      ...options,
      groupLifecycle: { opened: (group) => this.resubscribe(group, true), closed: (group) => this.resubscribe(group, false) },
    });
    this.processName = this.local.processName;
    this.prefix = options.prefix ?? 'starwire';
    if (!/^[a-zA-Z0-9_\-.:]{1,60}$/.test(this.prefix)) {
      throw new TypeError(`RedisChannelLayer prefix ${JSON.stringify(this.prefix)} must be 1–60 letters, digits, "-", "_", "." or ":"`);
    }
    this.inbox = `${this.prefix}:inbox:${this.processName}`;
    this.groupPrefix = `${this.prefix}:group:`;
    this.url = options.url ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
    this.commandTimeoutMs = options.commandTimeoutMs ?? 2000;

    const redisOptions: RedisOptions = {
      ...options.redisOptions,
      // Fail fast while Redis is down instead of queueing messages that would arrive stale or never.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      commandTimeout: this.commandTimeoutMs,
    };
    this.publisher = newRedis('RedisChannelLayer', this.url, { ...redisOptions, connectionName: `${this.prefix}:${this.processName}:pub` });
    // Subscriptions are re-made from this layer's own state, which also knows those changed while Redis was down.
    this.subscriber = newRedis('RedisChannelLayer', this.url, {
      ...redisOptions,
      autoResubscribe: false,
      connectionName: `${this.prefix}:${this.processName}:sub`,
    });
    this.watch(this.publisher, 'publisher');
    this.watch(this.subscriber, 'subscriber');
    this.subscriber.on('message', (channel: string, payload: string) => this.onMessage(channel, payload));

    this.started = new Promise<void>((resolve, reject) => {
      this.settleStart = (error) => (error ? reject(error) : resolve());
    });
    this.startup = this.started.catch(() => undefined);
    const timeout = options.connectTimeoutMs ?? 5000;
    this.startTimer = setTimeout(() => {
      this.finishStart(
        new Error(
          `RedisChannelLayer could not reach Redis at ${safeUrl(this.url)} within ${timeout} ms: ${this.lastError ?? 'no connection yet'}`,
        ),
      );
    }, timeout);
    this.startTimer.unref();
  }

  /** Resolves once both connections are up and subscribed; rejects if Redis is unreachable. */
  ready(): Promise<void> {
    return this.started;
  }

  /** The Redis pub/sub channel a group's messages travel on. */
  groupChannel(group: string): string {
    return `${this.groupPrefix}${group}`;
  }

  newChannel(prefix?: string, options?: NewChannelOptions): Promise<string> {
    return this.local.newChannel(prefix, options);
  }

  receive(channel: string): Promise<ChannelMessage> {
    return this.local.receive(channel);
  }

  /**
   * Queues `message` on `channel`. For another process's channel, that process checks its
   * capacity and acknowledges through Redis, so a full channel throws `ChannelFull` here, as
   * in memory; no acknowledgement within `commandTimeoutMs` throws `ChannelLayerUnavailable`
   * with outcome `'unknown'`.
   */
  async send(channel: string, message: ChannelMessage): Promise<void> {
    this.assertOpen('send', channel);
    assertChannelName('channel', channel);
    const owner = channelProcess(channel);
    if (owner === this.processName || owner === undefined) return this.local.send(channel, message);
    assertMessage(message);
    const { id, acknowledged } = this.acks.expect();
    // The receiver answers on this process's inbox, naming the request.
    const payload = JSON.stringify({ c: channel, m: message, r: this.processName, i: id });
    await this.startup;
    const receivers = await this.publish(`${this.prefix}:inbox:${owner}`, payload, `channel ${channel}`);
    if (typeof receivers !== 'number' || receivers === 0) this.acks.forget(id);
    if (typeof receivers !== 'number') throw new ChannelLayerUnavailable(channel, receivers.outcome, receivers.error);
    if (receivers === 0) {
      this.counts.remoteSent++;
      this.counts.unroutable++;
      return;
    }
    const ack = await this.acks.within(id, acknowledged, this.commandTimeoutMs);
    if (ack === undefined) {
      this.counts.unconfirmed++;
      throw new ChannelLayerUnavailable(
        channel,
        'unknown',
        new Error(`process ${owner} did not acknowledge within ${this.commandTimeoutMs} ms`),
      );
    }
    if (ack.status === 'full') throw new ChannelFull(channel, ack.capacity);
    this.counts.remoteSent++;
  }

  async groupAdd(group: string, channel: string): Promise<void> {
    await this.local.groupAdd(group, channel);
    await this.startup;
    await this.pending.get(group);
  }

  async groupDiscard(group: string, channel: string): Promise<void> {
    await this.local.groupDiscard(group, channel);
    await this.pending.get(group);
  }

  /** Delivers to this process's members at once and publishes once for the others; never throws for Redis. */
  async groupSend(group: string, message: ChannelMessage): Promise<RedisGroupSendResult> {
    this.assertOpen('groupSend');
    assertChannelName('group', group);
    assertMessage(message);
    assertMaySendToGroup(group, message);
    // Serialise before delivering anything, so a message Redis cannot carry fails whole.
    const payload = JSON.stringify({ o: this.processName, m: message });
    const here = await this.local.groupSend(group, message);
    await this.startup;
    const processes = await this.publish(this.groupChannel(group), payload, `group ${group}`);
    return typeof processes === 'number' ? { ...here, remote: 'sent', processes } : { ...here, remote: processes.outcome, processes: 0 };
  }

  /**
   * The PUBLISH a `groupSend` of `message` would make, for a `RedisRealtimeStore` on the same
   * Redis to make in one step with a history append. The payload names no sending process, so
   * this process's members get it from Redis too, in Redis's order, rather than at once.
   *
   * @example
   * const { channel, payload } = layer.groupPublication('rt.room.bG9iYnk', { type: 'realtime.deliver', payload: '{}' });
   */
  groupPublication(group: string, message: ChannelMessage): { channel: string; payload: string } {
    assertChannelName('group', group);
    assertMessage(message);
    return { channel: this.groupChannel(group), payload: JSON.stringify({ m: message }) };
  }

  /** Drops this process's queued messages and group memberships (and their subscriptions); Redis holds no keys. */
  async flush(): Promise<void> {
    await this.local.flush();
    await Promise.all(this.pending.values());
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      clearTimeout(this.startTimer);
      this.finishStart(new ChannelLayerClosed('ready'));
      await this.local.close();
      await Promise.all(
        [this.publisher, this.subscriber].map(async (client) => {
          if (client.status === 'ready') await client.quit().catch(() => client.disconnect());
          else client.disconnect();
        }),
      );
    })();
    return this.closing;
  }

  stats(): RedisChannelLayerStats {
    const local = this.local.stats();
    const { remoteSent, lost, unroutable, malformed, unconfirmed } = this.counts;
    return { ...local, sent: local.sent + remoteSent, lost, unroutable, malformed, unconfirmed };
  }

  // ——— inside ———

  private assertOpen(operation: string, channel?: string): void {
    if (this.closing) throw new ChannelLayerClosed(operation, channel);
  }

  /**
   * PUBLISH that never throws: the number of receivers, or how it failed, counted. A command
   * that was never written (the connection was not ready) is lost; one that was written but got
   * no reply may still have been run by Redis, so its outcome is unknown.
   */
  private async publish(channel: string, payload: string, target: string): Promise<number | PublishFailure> {
    const written = this.publisher.status === 'ready' && this.publisher.stream?.writable === true;
    try {
      return await this.publisher.publish(channel, payload);
    } catch (caught) {
      const error = caught instanceof Error ? caught : new Error(String(caught));
      const outcome = written ? 'unknown' : 'failed';
      if (outcome === 'failed') this.counts.lost++;
      else this.counts.unconfirmed++;
      // ioredis reports 'ready' until its close handler runs, though the socket is already dead.
      const connectionDown = !this.up || this.publisher.status !== 'ready' || !this.publisher.stream?.writable;
      if (connectionDown) {
        this.markDown(`publisher: ${error.message}`);
        if (outcome === 'failed') this.lostThisOutage++;
      } else {
        const what = outcome === 'failed' ? 'lost a message' : 'got no confirmation of a message';
        this.emit('error', new Error(`RedisChannelLayer ${what} for ${target}: ${error.message}`, { cause: error }));
      }
      return { outcome, error };
    }
  }

  private watch(client: Redis, name: Connection): void {
    client.on('error', (error: Error) => {
      this.lastError = `${name}: ${error.message}`;
      // While down, ioredis reports every failed reconnect; 'reconnected' sums the outage up instead.
      if (this.up && !this.closing)
        this.emit('error', new Error(`RedisChannelLayer ${name} connection: ${error.message}`, { cause: error }));
    });
    client.on('close', () => {
      if (name === 'subscriber') this.subscribed = false;
      this.markDown(this.lastError ?? `${name}: connection closed`);
    });
    client.on('ready', () => {
      if (name === 'subscriber') void this.subscribeAll();
      else this.markUp();
    });
    client.on('end', () => {
      if (!this.closing)
        this.emit('error', new Error(`RedisChannelLayer ${name} connection ended: ioredis stopped reconnecting (retryStrategy)`));
    });
  }

  /** Re-makes every subscription on a fresh subscriber connection, then counts the layer up. */
  private async subscribeAll(): Promise<void> {
    const channels = [this.inbox, ...this.local.openGroups().map((group) => this.groupChannel(group))];
    const batches: Promise<unknown>[] = [];
    // Batches of 1000 keep each command small; sent together, they share round trips.
    for (let i = 0; i < channels.length; i += 1000) batches.push(this.subscriber.subscribe(...channels.slice(i, i + 1000)));
    try {
      await Promise.all(batches);
    } catch (error) {
      // The connection dropped again; its next 'ready' runs this anew.
      this.lastError = `subscriber: ${error instanceof Error ? error.message : String(error)}`;
      return;
    }
    if (this.subscriber.status !== 'ready') return;
    this.subscribed = true;
    this.markUp();
  }

  private markUp(): void {
    if (this.up || this.closing || !this.subscribed || this.publisher.status !== 'ready') return;
    this.up = true;
    this.lastError = undefined;
    if (this.settleStart !== undefined) {
      this.finishStart();
      return;
    }
    this.emit('reconnected', { downtimeMs: Math.round(performance.now() - this.downSince), lost: this.lostThisOutage });
  }

  private markDown(reason: string): void {
    if (!this.up || this.closing) return;
    this.up = false;
    this.downSince = performance.now();
    this.lostThisOutage = 0;
    this.emit('disconnected', { reason });
  }

  private finishStart(error?: Error): void {
    const settle = this.settleStart;
    if (settle === undefined) return;
    this.settleStart = undefined;
    clearTimeout(this.startTimer);
    if (error !== undefined && !(error instanceof ChannelLayerClosed)) this.emit('error', error);
    settle(error);
  }

  /** Keeps one subscription per group with members here; the order of commands on one connection settles races. */
  private resubscribe(group: string, subscribe: boolean): void {
    if (this.closing || this.subscriber.status !== 'ready') return; // subscribeAll() will see the group
    const channel = this.groupChannel(group);
    const command = subscribe ? this.subscriber.subscribe(channel) : this.subscriber.unsubscribe(channel);
    const settled = command.then(
      () => undefined,
      (error: unknown) => {
        if (this.subscriber.status === 'ready' && !this.closing) {
          const message = error instanceof Error ? error.message : String(error);
          this.emit(
            'error',
            new Error(`RedisChannelLayer could not ${subscribe ? 'subscribe to' : 'unsubscribe from'} group ${group}: ${message}`),
          );
        }
      },
    );
    this.pending.set(group, settled);
    void settled.then(() => {
      if (this.pending.get(group) === settled) this.pending.delete(group);
    });
  }

  /** Where a direct send wants its acknowledgement: the sender's inbox, or undefined for none. */
  /** Tells the sender whether its message was queued; a lost reply leaves it with outcome 'unknown'. */
  private acknowledge(inbox: string, id: unknown, queued: boolean, capacity: number): void {
    if (this.closing) return; // nothing was queued: the sender learns 'unknown'
    this.publisher.publish(inbox, acknowledgementOf(id, queued, capacity)).catch(() => {});
  }

  private onMessage(channel: string, payload: string): void {
    try {
      const envelope: unknown = JSON.parse(payload);
      if (channel === this.inbox && isRecord(envelope) && envelope.a !== undefined) {
        this.acks.settle(envelope);
        return;
      }
      if (!isRecord(envelope) || !isRecord(envelope.m)) throw new TypeError('not a channel layer envelope');
      const message = envelope.m as ChannelMessage;
      if (channel === this.inbox) {
        if (typeof envelope.c !== 'string') throw new TypeError('inbox message names no channel');
        const replyTo = acknowledgementInbox(this.prefix, envelope);
        const queued = this.local.deliver(envelope.c, message, replyTo !== undefined);
        if (replyTo !== undefined) this.acknowledge(replyTo, envelope.i, queued, this.local.capacityOf(envelope.c));
      } else if (channel.startsWith(this.groupPrefix)) {
        // This process delivered its own groupSend locally before publishing.
        if (envelope.o !== this.processName) this.local.deliverToGroup(channel.slice(this.groupPrefix.length), message);
      }
    } catch (error) {
      // Anyone who can PUBLISH on Redis can put anything here: it is counted and reported, never thrown.
      this.counts.malformed++;
      const reason = error instanceof Error ? error.message : String(error);
      this.emit('error', new Error(`RedisChannelLayer dropped a malformed message on ${channel}: ${reason}`));
    }
  }
}
