import { Fifo } from './fifo';

/** Stale entries tolerated before a compaction; below this, they are cheaper to keep than to sweep. */
const STALE_SLACK = 1024;

/**
 * Deadlines popped from the head. Deadlines are clamped to never go backwards, so the head is
 * always the earliest and cleanup never scans; a clamped entry is only ever checked late, and
 * every reader checks the real deadline itself.
 *
 * An item that stops needing its deadline early (a channel drained, a membership discarded)
 * cannot be taken out of the middle in O(1), so it is `forget()`-ed: counted as stale and
 * skipped when it reaches the head. Once stale entries outnumber live ones (and the slack),
 * one pass drops them, so a queue never holds more than about twice its live items: a drained
 * channel costs nothing, however many send/receive cycles it went through.
 */
export class DeadlineQueue<T> {
  private readonly entries = new Fifo<{ readonly at: number; readonly item: T }>();
  private last = 0;
  private stale = 0;

  /** `isLive(item)` says whether an item still wants its deadline; popDue skips the others. */
  constructor(private readonly isLive: (item: T) => boolean) {}

  get length(): number {
    return this.entries.length;
  }
  next(): number | undefined {
    return this.entries.peek()?.at;
  }
  push(item: T, at: number): void {
    this.last = Math.max(this.last, at);
    this.entries.push({ at: this.last, item });
  }
  /** The next live item whose deadline has passed; stale ones on the way are dropped. */
  popDue(now: number): T | undefined {
    for (let head = this.entries.peek(); head !== undefined && head.at <= now; head = this.entries.peek()) {
      this.entries.shift();
      if (this.isLive(head.item)) return head.item;
      if (this.stale > 0) this.stale--;
    }
    return undefined;
  }
  /** Notes that one queued item went stale (`isLive` now says no). */
  forget(): void {
    this.stale++;
    if (this.stale > STALE_SLACK && this.stale * 2 > this.entries.length) {
      this.entries.retain((entry) => this.isLive(entry.item));
      this.stale = 0;
    }
  }
  clear(): void {
    this.entries.clear();
    this.stale = 0;
  }
}
