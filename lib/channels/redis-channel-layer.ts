import { EventEmitter } from 'node:events';
import { Logger } from '../config/logger';
import { environmentLogLevel } from '../config/settings';
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
import type * as RedisChannelConnectionModule from './redis-channel-connection';
import type { RedisChannelConnection } from './redis-channel-connection';
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

interface Acknowledgement {
  readonly status: 'queued' | 'full';
  readonly capacity: number;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
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
  private readonly connection: RedisChannelConnection;
  private closing: Promise<void> | undefined;
  private readonly counts = { remoteSent: 0, lost: 0, unroutable: 0, malformed: 0, unconfirmed: 0, reconnects: 0 };
  private readonly commandTimeoutMs: number;
  /** Direct sends waiting for the receiving process's acknowledgement, by request id. */
  private readonly acks = new Map<number, (ack: Acknowledgement | undefined) => void>();
  private ackSequence = 0;

  constructor(options: RedisChannelLayerOptions = {}) {
    super();
    // The default listener keeps an unhandled 'error' from crashing the process, and logs it.
    const logger = options.logger ?? new Logger({ level: environmentLogLevel() });
    this.on('error', (error) => {
      if (this.listenerCount('error') === 1)
        logger.warn({ event: 'channel-layer.error', layer: 'redis', err: error }, `Redis channel layer: ${error.message}`);
    });
    this.local = new InMemoryChannelLayer({
      ...options,
      groupLifecycle: {
        opened: (group) => this.connection.resubscribe(group, this.groupChannel(group), true),
        closed: (group) => this.connection.resubscribe(group, this.groupChannel(group), false),
      },
    });
    this.processName = this.local.processName;
    this.prefix = options.prefix ?? 'starwire';
    if (!/^[a-zA-Z0-9_\-.:]{1,60}$/.test(this.prefix)) {
      throw new TypeError(`RedisChannelLayer prefix ${JSON.stringify(this.prefix)} must be 1–60 letters, digits, "-", "_", "." or ":"`);
    }
    this.inbox = `${this.prefix}:inbox:${this.processName}`;
    this.groupPrefix = `${this.prefix}:group:`;
    // Loaded with the first layer made: an app on the in-memory layer does not pay for it at `require('starwire')`.
    const { RedisChannelConnection } = require('./redis-channel-connection.js') as typeof RedisChannelConnectionModule;
    this.connection = new RedisChannelConnection(options, `${this.prefix}:${this.processName}`, {
      events: this,
      counts: this.counts,
      subscriptions: () => [this.inbox, ...this.local.openGroups().map((group) => this.groupChannel(group))],
      message: (channel, payload) => this.onMessage(channel, payload),
      closing: () => this.closing !== undefined,
    });
    this.commandTimeoutMs = this.connection.commandTimeoutMs;
  }

  /** Resolves once both connections are up and subscribed; rejects if Redis is unreachable. */
  ready(): Promise<void> {
    return this.connection.started;
  }

  /**
   * Whether Redis is reachable now: false until `ready()` resolves, from a 'disconnected' event
   * to the next 'reconnected', and once the layer is closed.
   */
  get reachable(): boolean {
    return this.connection.connected && this.closing === undefined;
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
    const id = ++this.ackSequence;
    // The receiver answers on this process's inbox, naming the request.
    const payload = JSON.stringify({ c: channel, m: message, r: this.processName, i: id });
    await this.connection.startup;
    const acknowledged = new Promise<Acknowledgement | undefined>((resolve) => this.acks.set(id, resolve));
    const receivers = await this.connection.publish(`${this.prefix}:inbox:${owner}`, payload, `channel ${channel}`);
    if (typeof receivers !== 'number' || receivers === 0) this.acks.delete(id);
    if (typeof receivers !== 'number') throw new ChannelLayerUnavailable(channel, receivers.outcome, receivers.error);
    if (receivers === 0) {
      this.counts.remoteSent++;
      this.counts.unroutable++;
      return;
    }
    const timer = setTimeout(() => this.acks.get(id)?.(undefined), this.commandTimeoutMs);
    const ack = await acknowledged;
    clearTimeout(timer);
    this.acks.delete(id);
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
    await this.connection.startup;
    await this.connection.settling(group);
  }

  async groupDiscard(group: string, channel: string): Promise<void> {
    await this.local.groupDiscard(group, channel);
    await this.connection.settling(group);
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
    await this.connection.startup;
    const processes = await this.connection.publish(this.groupChannel(group), payload, `group ${group}`);
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
    await this.connection.settled();
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.connection.stopStarting();
      await this.local.close();
      await this.connection.quit();
    })();
    return this.closing;
  }

  stats(): RedisChannelLayerStats {
    const local = this.local.stats();
    const { remoteSent, lost, unroutable, malformed, unconfirmed, reconnects } = this.counts;
    return { ...local, sent: local.sent + remoteSent, lost, unroutable, malformed, unconfirmed, reconnects };
  }

  // ——— inside ———

  private assertOpen(operation: string, channel?: string): void {
    if (this.closing) throw new ChannelLayerClosed(operation, channel);
  }

  /** Where a direct send wants its acknowledgement: the sender's inbox, or undefined for none. */
  private acknowledgeTo(envelope: Record<string, unknown>): string | undefined {
    if (envelope.r === undefined && envelope.i === undefined) return undefined;
    // The reply goes to an inbox named by the message, so only a process name is accepted.
    if (typeof envelope.r !== 'string' || !/^[a-zA-Z0-9_-]{1,40}$/.test(envelope.r) || !Number.isSafeInteger(envelope.i)) {
      throw new TypeError('direct send names no valid sender to acknowledge');
    }
    return `${this.prefix}:inbox:${envelope.r}`;
  }

  /** Tells the sender whether its message was queued; a lost reply leaves it with outcome 'unknown'. */
  private acknowledge(inbox: string, id: unknown, queued: boolean, capacity: number): void {
    if (this.closing) return; // nothing was queued: the sender learns 'unknown'
    const reply = JSON.stringify({ a: id, s: queued ? 'queued' : 'full', n: capacity });
    this.connection.publisher.publish(inbox, reply).catch(() => {});
  }

  /** An acknowledgement of one of this process's direct sends. */
  private onAcknowledgement(envelope: Record<string, unknown>): void {
    const { a: id, s: status, n: capacity } = envelope;
    if (typeof id !== 'number' || (status !== 'queued' && status !== 'full') || typeof capacity !== 'number') {
      throw new TypeError('not a valid acknowledgement');
    }
    // One for a send that already gave up (timed out) finds nothing waiting.
    this.acks.get(id)?.({ status, capacity });
  }

  private onMessage(channel: string, payload: string): void {
    try {
      const envelope: unknown = JSON.parse(payload);
      if (channel === this.inbox && isRecord(envelope) && envelope.a !== undefined) {
        this.onAcknowledgement(envelope);
        return;
      }
      if (!isRecord(envelope) || !isRecord(envelope.m)) throw new TypeError('not a channel layer envelope');
      const message = envelope.m as ChannelMessage;
      if (channel === this.inbox) {
        if (typeof envelope.c !== 'string') throw new TypeError('inbox message names no channel');
        const replyTo = this.acknowledgeTo(envelope);
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
