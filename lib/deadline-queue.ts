import { Fifo } from './fifo';

/**
 * Deadlines popped from the head. Deadlines are clamped to never go backwards, so the head is
 * always the earliest and cleanup never scans; a clamped entry is only ever checked late, and
 * every reader checks the real deadline itself.
 */
export class DeadlineQueue<T> {
  private readonly entries = new Fifo<{ readonly at: number; readonly item: T }>();
  private last = 0;

  get length(): number { return this.entries.length; }
  next(): number | undefined { return this.entries.peek()?.at; }
  push(item: T, at: number): void {
    this.last = Math.max(this.last, at);
    this.entries.push({ at: this.last, item });
  }
  popDue(now: number): T | undefined {
    const head = this.entries.peek();
    if (head === undefined || head.at > now) return undefined;
    this.entries.shift();
    return head.item;
  }
  retain(keep: (item: T) => boolean): void { this.entries.retain((entry) => keep(entry.item)); }
  clear(): void { this.entries.clear(); }
}
