/** A queue that pops from the head in O(1) without shifting the array on every pop. */
export class Fifo<T> {
  private items: (T | undefined)[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }
  push(item: T): void {
    this.items.push(item);
  }
  peek(): T | undefined {
    return this.items[this.head];
  }

  shift(): T | undefined {
    if (this.head === this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head++] = undefined;
    // Compacting only once the dead head outweighs the live tail keeps each pop O(1) amortised.
    if (this.head === this.items.length) this.clear();
    else if (this.head > 64 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  /** Keeps the items `keep` accepts, in order; O(n), so callers run it rarely. */
  retain(keep: (item: T) => boolean): void {
    this.items = this.items.slice(this.head).filter((item): item is T => item !== undefined && keep(item));
    this.head = 0;
  }

  clear(): void {
    this.items = [];
    this.head = 0;
  }
}
