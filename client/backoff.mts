/** How the client waits between reconnection attempts. */
export interface ReconnectOptions {
  /** Delay before the first attempt, in ms. Default 500. */
  readonly initialDelay?: number;
  /** Cap on the un-jittered delay, in ms. Default 10 000. */
  readonly maxDelay?: number;
  /** Growth per attempt. Default 2. */
  readonly factor?: number;
  /** Spread, as a fraction of the delay: 0.5 draws from [0.5 d, 1.5 d]. Default 0.5. */
  readonly jitter?: number;
  /** Consecutive failed attempts before giving up (state 'closed'). Default Infinity. */
  readonly maxAttempts?: number;
  /**
   * How long, in ms, a connection must stay open before the attempt count (and so the delay)
   * starts over. A connection closed sooner counts as a failed attempt: a server that accepts
   * and at once closes is not retried at the shortest delay forever. Default 5000.
   */
  readonly stableAfter?: number;
}

export const RECONNECT_DEFAULTS: Required<ReconnectOptions> = {
  initialDelay: 500,
  maxDelay: 10_000,
  factor: 2,
  jitter: 0.5,
  maxAttempts: Infinity,
  stableAfter: 5000,
};

/**
 * The wait before reconnection attempt `attempt` (1 for the first):
 * `min(maxDelay, initialDelay * factor^(attempt-1))`, then moved by up to ±`jitter` of itself,
 * so clients dropped together by one server restart do not all come back in the same instant.
 * Always within [0, maxDelay * (1 + jitter)].
 *
 * @example
 * backoffDelay(3, { initialDelay: 100, factor: 2, jitter: 0 });   // 400
 * backoffDelay(3, { initialDelay: 100, jitter: 0.5 }, () => 0);   // 200 (the low end)
 */
export function backoffDelay(attempt: number, options: ReconnectOptions = {}, random: () => number = Math.random): number {
  const { initialDelay, maxDelay, factor, jitter } = { ...RECONNECT_DEFAULTS, ...options };
  const base = Math.min(maxDelay, initialDelay * factor ** Math.max(0, attempt - 1));
  const spread = Math.min(1, Math.max(0, jitter));
  const draw = Math.min(1, Math.max(0, random()));
  return Math.max(0, Math.round(base * (1 + spread * (2 * draw - 1))));
}
