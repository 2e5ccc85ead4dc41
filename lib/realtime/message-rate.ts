/** Counts events per second over a short sliding window (5 one-second buckets). */
export class MessageRate {
  private readonly buckets = new Float64Array(5);
  private second = Math.floor(Date.now() / 1000);

  add(count: number): void {
    this.advance();
    this.buckets[this.second % 5] += count;
  }

  /** The average over the last complete seconds of the window. */
  perSecond(): number {
    this.advance();
    let sum = 0;
    for (let i = 1; i < 5; i++) sum += this.buckets[(this.second - i + 5) % 5];
    return sum / 4;
  }

  private advance(): void {
    const now = Math.floor(Date.now() / 1000);
    for (let s = this.second + 1; s <= now && s <= this.second + 5; s++) this.buckets[s % 5] = 0;
    this.second = now;
  }
}
