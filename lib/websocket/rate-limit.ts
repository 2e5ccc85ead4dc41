/**
 * A token bucket: `messages` per `per` milliseconds, refilled continuously, so a burst of up to
 * `messages` passes and a steady flow above the rate does not.
 */
export class RateLimit {
  private tokens: number;
  private last: number;

  constructor(
    private readonly messages: number,
    private readonly per: number,
  ) {
    this.tokens = messages;
    this.last = performance.now();
  }

  /** Takes one token; false when the bucket is empty. */
  take(): boolean {
    const now = performance.now();
    this.tokens = Math.min(this.messages, this.tokens + ((now - this.last) * this.messages) / this.per);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
