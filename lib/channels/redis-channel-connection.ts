import type { EventEmitter } from 'node:events';
import type { Redis, RedisOptions } from 'ioredis';
import { ChannelLayerClosed } from './channel-layer';
import { newRedis } from './ioredis-loader';
import type { RedisChannelLayerEvents, RedisChannelLayerOptions } from './redis-channel-layer-api';

/** A PUBLISH that did not succeed: whether the command was ever written to Redis, and why. */
export interface PublishFailure {
  readonly outcome: 'failed' | 'unknown';
  readonly error: Error;
}

/** What the connections need of the layer they carry. */
export interface ConnectionOwner {
  /** Where 'error', 'disconnected' and 'reconnected' are told. */
  readonly events: EventEmitter<RedisChannelLayerEvents>;
  /** The layer's counters that failed publishes, and recoveries from an outage, add to. */
  readonly counts: { lost: number; unconfirmed: number; reconnects: number };
  /** Every Redis channel a fresh subscriber connection must subscribe to. */
  subscriptions(): string[];
  /** Called for each message on the subscriber connection. */
  readonly message: (channel: string, payload: string) => void;
  closing(): boolean;
}

type Connection = 'publisher' | 'subscriber';

/** Redacts a password so the URL can go into error messages. */
function safeUrl(url: string): string {
  return url.replace(/\/\/([^@/]*)@/, '//***@');
}

/**
 * The Redis channel layer's two connections (publisher, subscriber): startup, reconnects and
 * the events they raise, PUBLISH that never throws, and the subscriptions kept per group.
 */
export class RedisChannelConnection {
  readonly publisher: Redis;
  readonly subscriber: Redis;
  readonly commandTimeoutMs: number;
  readonly started: Promise<void>;
  /** `started` that never rejects: calls wait for the first connection, then go on regardless. */
  readonly startup: Promise<void>;
  private readonly url: string;
  /** Subscribe/unsubscribe commands in flight per group, awaited by groupAdd/groupDiscard. */
  private readonly pending = new Map<string, Promise<void>>();
  private settleStart: ((error?: Error) => void) | undefined;
  private startTimer: NodeJS.Timeout | undefined;
  private up = false;
  /** True once the current subscriber connection has re-subscribed to everything. */
  private subscribed = false;
  private downSince = performance.now();
  private lostThisOutage = 0;
  /** Why a connection last failed, for 'disconnected' and the startup error; cleared once up. */
  private lastError: string | undefined;

  constructor(
    options: RedisChannelLayerOptions,
    connectionName: string,
    private readonly owner: ConnectionOwner,
  ) {
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
    this.publisher = newRedis('RedisChannelLayer', this.url, { ...redisOptions, connectionName: `${connectionName}:pub` });
    // Subscriptions are re-made from this layer's own state, which also knows those changed while Redis was down.
    this.subscriber = newRedis('RedisChannelLayer', this.url, {
      ...redisOptions,
      autoResubscribe: false,
      connectionName: `${connectionName}:sub`,
    });
    this.watch(this.publisher, 'publisher');
    this.watch(this.subscriber, 'subscriber');
    this.subscriber.on('message', owner.message);

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

  /** Both connections are up and every subscription made: false before the start and during an outage. */
  get connected(): boolean {
    return this.up;
  }

  /** The subscribe or unsubscribe command in flight for `group`, if any. */
  settling(group: string): Promise<void> | undefined {
    return this.pending.get(group);
  }

  /** Every subscribe or unsubscribe command in flight. */
  settled(): Promise<unknown> {
    return Promise.all(this.pending.values());
  }

  /** Ends startup for a closing layer: `ready()` rejects with `ChannelLayerClosed`. */
  stopStarting(): void {
    clearTimeout(this.startTimer);
    this.finishStart(new ChannelLayerClosed('ready'));
  }

  quit(): Promise<unknown> {
    return Promise.all(
      [this.publisher, this.subscriber].map(async (client) => {
        if (client.status === 'ready') await client.quit().catch(() => client.disconnect());
        else client.disconnect();
      }),
    );
  }

  /**
   * PUBLISH that never throws: the number of receivers, or how it failed, counted. A command
   * that was never written (the connection was not ready) is lost; one that was written but got
   * no reply may still have been run by Redis, so its outcome is unknown.
   */
  async publish(channel: string, payload: string, target: string): Promise<number | PublishFailure> {
    const written = this.publisher.status === 'ready' && this.publisher.stream?.writable === true;
    try {
      return await this.publisher.publish(channel, payload);
    } catch (caught) {
      const error = caught instanceof Error ? caught : new Error(String(caught));
      const outcome = written ? 'unknown' : 'failed';
      if (outcome === 'failed') this.owner.counts.lost++;
      else this.owner.counts.unconfirmed++;
      // ioredis reports 'ready' until its close handler runs, though the socket is already dead.
      const connectionDown = !this.up || this.publisher.status !== 'ready' || !this.publisher.stream?.writable;
      if (connectionDown) {
        this.markDown(`publisher: ${error.message}`);
        if (outcome === 'failed') this.lostThisOutage++;
      } else {
        const what = outcome === 'failed' ? 'lost a message' : 'got no confirmation of a message';
        this.owner.events.emit('error', new Error(`RedisChannelLayer ${what} for ${target}: ${error.message}`, { cause: error }));
      }
      return { outcome, error };
    }
  }

  /** Keeps one subscription per group with members here; the order of commands on one connection settles races. */
  resubscribe(group: string, channel: string, subscribe: boolean): void {
    if (this.owner.closing() || this.subscriber.status !== 'ready') return; // subscribeAll() will see the group
    const command = subscribe ? this.subscriber.subscribe(channel) : this.subscriber.unsubscribe(channel);
    const settled = command.then(
      () => undefined,
      (error: unknown) => {
        if (this.subscriber.status === 'ready' && !this.owner.closing()) {
          const message = error instanceof Error ? error.message : String(error);
          this.owner.events.emit(
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

  private watch(client: Redis, name: Connection): void {
    client.on('error', (error: Error) => {
      this.lastError = `${name}: ${error.message}`;
      // While down, ioredis reports every failed reconnect; 'reconnected' sums the outage up instead.
      if (this.up && !this.owner.closing())
        this.owner.events.emit('error', new Error(`RedisChannelLayer ${name} connection: ${error.message}`, { cause: error }));
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
      if (!this.owner.closing())
        this.owner.events.emit(
          'error',
          new Error(`RedisChannelLayer ${name} connection ended: ioredis stopped reconnecting (retryStrategy)`),
        );
    });
  }

  /** Re-makes every subscription on a fresh subscriber connection, then counts the layer up. */
  private async subscribeAll(): Promise<void> {
    const channels = this.owner.subscriptions();
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
    if (this.up || this.owner.closing() || !this.subscribed || this.publisher.status !== 'ready') return;
    this.up = true;
    this.lastError = undefined;
    if (this.settleStart !== undefined) {
      this.finishStart();
      return;
    }
    this.owner.counts.reconnects++;
    this.owner.events.emit('reconnected', {
      downtimeMs: Math.round(performance.now() - this.downSince),
      lost: this.lostThisOutage,
    });
  }

  private markDown(reason: string): void {
    if (!this.up || this.owner.closing()) return;
    this.up = false;
    this.downSince = performance.now();
    this.lostThisOutage = 0;
    this.owner.events.emit('disconnected', { reason });
  }

  private finishStart(error?: Error): void {
    const settle = this.settleStart;
    if (settle === undefined) return;
    this.settleStart = undefined;
    clearTimeout(this.startTimer);
    if (error !== undefined && !(error instanceof ChannelLayerClosed)) this.owner.events.emit('error', error);
    settle(error);
  }
}
