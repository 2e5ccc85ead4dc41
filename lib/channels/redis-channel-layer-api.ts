import type { RedisOptions } from 'ioredis';
import type { AppLogger } from '../config/logger';
import type { ChannelLayerOptions, ChannelLayerStats, GroupSendResult } from './channel-layer';

/*
 * The Redis channel layer's public shapes: its options, what groupSend and stats() report,
 * the events it emits on an outage and its recovery, and the error a send gets while Redis is
 * out of reach.
 */

export interface RedisChannelLayerOptions extends ChannelLayerOptions {
  /** Default `process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'`. */
  url?: string;
  /** Namespace of this layer's Redis pub/sub channels; layers share messages only under one prefix. Default 'starwire'. */
  prefix?: string;
  /** The `<process>` part of this process's channel names; random by default. */
  processName?: string;
  /** How long `ready()` and the first calls wait for Redis before giving up. Default 5000. */
  connectTimeoutMs?: number;
  /** A Redis command that gets no reply in this time fails (its message counts as lost). Default 2000. */
  commandTimeoutMs?: number;
  /**
   * Where 'error' events go when nothing else listens: one `channel-layer.error` line at `warn`.
   * Default: a `Logger` at `STARWIRE_LOG_LEVEL` (else warn), writing to standard error.
   */
  logger?: AppLogger;
  /**
   * More ioredis options (TLS, password, `retryStrategy`, ...). The layer sets the ones its
   * guarantees rest on: no offline queue, no retried or re-sent commands, its own re-subscribe.
   */
  redisOptions?: RedisOptions;
}

/** What a `groupSend` achieved: this process's counts, and what Redis did with the message. */
export interface RedisGroupSendResult extends GroupSendResult {
  /**
   * `'sent'` when Redis took the message; `'failed'` when it never reached Redis (counted in
   * `lost`, and no other process ever gets it); `'unknown'` when Redis never confirmed it (counted
   * in `unconfirmed`: other processes may or may not get it).
   */
  readonly remote: 'sent' | 'failed' | 'unknown';
  /** Processes subscribed to the group when Redis took the message, this one included if it has members; 0 unless `'sent'`. */
  readonly processes: number;
}

export interface RedisChannelLayerStats extends ChannelLayerStats {
  /** Direct sends Redis took but no process was listening for (the channel's process is gone). */
  unroutable: number;
  /** Payloads on this layer's Redis channels that were not its messages: dropped, each also an 'error' event. */
  malformed: number;
  /** Messages handed to Redis that it never confirmed (timeout, connection lost meanwhile): other processes may or may not have got them. */
  unconfirmed: number;
  /** Outages recovered from: each time both connections were back and subscribed after Redis was lost (one 'reconnected' event each). */
  reconnects: number;
}

export interface RedisDisconnected {
  /** Which connection noticed first, and why. */
  readonly reason: string;
}

export interface RedisReconnected {
  readonly downtimeMs: number;
  /** Messages lost while Redis was unreachable (also in `stats().lost`). */
  readonly lost: number;
}

export interface RedisChannelLayerEvents {
  disconnected: [event: RedisDisconnected];
  reconnected: [event: RedisReconnected];
  error: [error: Error];
}

/**
 * `send` could not confirm a message for another process's channel. `outcome` says what is
 * known: `'failed'`, it never reached Redis and is lost (counted in `lost`); `'unknown'`, Redis or
 * the receiving process never confirmed it, so it may or may not be queued there (counted in
 * `unconfirmed`).
 *
 * @example
 * try {
 *   await layer.send(channel, { type: 'order.placed', id });
 * } catch (error) {
 *   if (!(error instanceof ChannelLayerUnavailable)) throw error;
 *   // 'failed': safe to send again later; 'unknown': it may have arrived, so only an idempotent message is resent.
 *   if (error.outcome === 'failed') retryLater(channel, id);
 * }
 */
export class ChannelLayerUnavailable extends Error {
  constructor(
    readonly channel: string,
    readonly outcome: 'failed' | 'unknown',
    cause: unknown,
  ) {
    const what = outcome === 'failed' ? 'did not take the message' : 'did not confirm the message (it may still arrive)';
    super(`Redis ${what} for channel ${channel}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'ChannelLayerUnavailable';
  }
}

/** What a process answers a direct send with: queued, or refused because the channel was full. */
