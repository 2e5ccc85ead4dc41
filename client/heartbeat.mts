import type { HeartbeatOptions } from './options.mjs';

/**
 * Application-level liveness, for clients that cannot see WebSocket pings (browsers): after
 * `interval` ms without a word from the server it pings; if `timeout` ms more pass in silence,
 * the connection is dead. One timer, rescheduled as it fires, rather than one per message:
 * hearing from the server only records the time.
 */
export class Heartbeat {
  private readonly interval: number;
  private readonly timeout: number;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastHeard = 0;
  private pingSentAt: number | undefined;

  constructor(
    options: HeartbeatOptions,
    private readonly ping: () => void,
    private readonly dead: () => void,
  ) {
    this.interval = options.interval ?? 20_000;
    this.timeout = options.timeout ?? 10_000;
  }

  /** A connection opened: silence counts from now. */
  start(): void {
    this.stop();
    this.lastHeard = Date.now();
    this.schedule(this.interval);
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pingSentAt = undefined;
  }

  /** The server said something (any message counts). */
  heard(): void {
    this.lastHeard = Date.now();
    if (this.pingSentAt === undefined) return;
    // The ping was answered: the next one is due an interval of silence from now, not when the timeout would have struck.
    this.pingSentAt = undefined;
    this.schedule(this.interval);
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.beat(), ms);
  }

  private beat(): void {
    const now = Date.now();
    if (this.pingSentAt !== undefined) {
      if (this.lastHeard < this.pingSentAt) {
        this.stop();
        this.dead();
        return;
      }
      this.pingSentAt = undefined;
    }
    const silence = now - this.lastHeard;
    if (silence < this.interval) {
      this.schedule(this.interval - silence);
      return;
    }
    this.pingSentAt = now;
    this.schedule(this.timeout);
    this.ping();
  }
}
