import { backoffDelay, RECONNECT_DEFAULTS, type ReconnectOptions } from './backoff.mjs';

type Timer = ReturnType<typeof setTimeout>;

/**
 * When the client reconnects, and after how long: the attempt count, the backoff timer, and the
 * "stable" timer after which a connection counts as good and the backoff starts over.
 */
export class Reconnection {
  private readonly options: Required<ReconnectOptions> | false;
  private readonly fatalCodes: ReadonlySet<number>;
  private attempt = 0;
  private retryTimer: Timer | undefined;
  /** Runs once a connection has stayed open `stableAfter` ms: only then does the backoff start over. */
  private stableTimer: Timer | undefined;

  constructor(
    options: ReconnectOptions | false | undefined,
    fatalCodes: readonly number[],
    private readonly random: () => number,
  ) {
    this.options = options === false ? false : { ...RECONNECT_DEFAULTS, ...options };
    this.fatalCodes = new Set(fatalCodes);
  }

  /** A connection opened. A server that accepts and at once closes (1013 when overloaded) must not reset the backoff. */
  opened(): void {
    if (this.options === false) return;
    this.stableTimer = setTimeout(() => {
      this.attempt = 0;
    }, this.options.stableAfter);
  }

  /** Whether a connection closed with `code` is tried again; a heartbeat timeout always is, while attempts last. */
  shouldRetry(code: number, heartbeat: boolean): boolean {
    const options = this.options;
    return options !== false && (heartbeat || !this.fatalCodes.has(code)) && this.attempt < options.maxAttempts;
  }

  /** Runs `open` after the next backoff delay; returns the attempt number and the delay. */
  schedule(open: () => void): { attempt: number; delay: number } {
    this.attempt++;
    const delay = this.options === false ? 0 : backoffDelay(this.attempt, this.options, this.random);
    this.retryTimer = setTimeout(open, delay);
    return { attempt: this.attempt, delay };
  }

  /** The connection was lost: a connection that did not last is no reason to start the backoff over. */
  lost(): void {
    clearTimeout(this.stableTimer);
  }

  /** `close()`: nothing more is scheduled. */
  stop(): void {
    clearTimeout(this.retryTimer);
    clearTimeout(this.stableTimer);
  }
}
