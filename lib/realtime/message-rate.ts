/** Counts events per second over a short sliding window (5 one-second buckets). */
export class MessageRate {
  private readonly buckets = new Float64Array(5);
  private readonly since = Date.now();
  private second = Math.floor(this.since / 1000);

  add(count: number): void {
    this.advance();
    this.buckets[this.second % 5] += count;
  }

  /**
   * The average over the window: the last four whole seconds plus the current partial one.
   * The partial second counts, or traffic would read as zero for up to a second; a window
   * younger than a second is taken as one second, so a first burst does not read as a spike.
   */
  perSecond(): number {
    const now = Date.now();
    this.advance(now);
    let sum = 0;
    for (const count of this.buckets) sum += count;
    const span = Math.min(4 + (now % 1000) / 1000, (now - this.since) / 1000);
    return sum / Math.max(1, span);
  }

  private advance(nowMs = Date.now()): void {
    const now = Math.floor(nowMs / 1000);
    for (let s = this.second + 1; s <= now && s <= this.second + 5; s++) this.buckets[s % 5] = 0;
    this.second = now;
  }
}
