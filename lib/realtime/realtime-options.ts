import type { AppLogger } from '../config/logger';
import type { RealtimeStore } from './store';

// How `app.realtime` is set up (`App({ realtime })`), and what its `stats()` report.

export interface RealtimeOptions {
  /** Where rooms, presence and history live. Default: this process's memory. */
  store?: RealtimeStore;
  /**
   * Seconds a process's heartbeat and its users' presence last unless renewed (three times per
   * TTL). A dead process's users vanish after it, and the next sweep of a live process (within
   * 4/3 of it) reports their departure once for the cluster. Default 15.
   */
  presenceTtl?: number;
  /** Milliseconds a user may be gone before `USER_LEFT` fires; a reconnect within it fires nothing. Default 3000. */
  reconnectGrace?: number;
  /** Messages each room or persistent channel keeps for replay. Default 100. */
  historyLimit?: number;
  /** Where a failing event handler is reported. Default: the app's `settings.logError`. */
  logError?: (message: string, error: unknown) => void;
  /**
   * Where warnings go: a `realtime.unannounced` event for each room or channel membership change
   * the channel layer could not confirm telling the other processes. Default: the app's logger.
   */
  logger?: AppLogger;
  /**
   * Messages this process's one real-time channel holds before it drops: every broadcast and
   * membership change from other processes passes through it, and a burst arrives from Redis
   * at once. What overflows is lost for this process's sockets (the layer counts it in
   * `stats().dropped`). Default 10000.
   */
  inboxCapacity?: number;
}

export interface RealtimeStats {
  rooms: number;
  channels: number;
  /** Users online, in every process sharing the store. */
  users: number;
  /** Sockets registered in this process. */
  connections: number;
  /** Socket deliveries per second in this process, over the last few seconds. */
  messagesPerSecond: number;
  delivered: number;
  /** Deliveries dropped by send-buffer policies in this process. */
  dropped: number;
  /** Messages from the channel layer this process dropped as malformed (each also reported through logError). */
  malformed: number;
  /** Membership changes the channel layer did not confirm telling other processes (each also a `realtime.unannounced` warning). */
  unannounced: number;
}
