/** A message waiting for the connection to open, and the request it belongs to, if any. */
export interface Queued {
  readonly text: string;
  readonly requestId?: number;
}

/** What `send()` and `request()` hold while the client is not open: at most `capacity` messages, sent in order on open. */
export class Outbox {
  private queue: Queued[] = [];

  constructor(private readonly capacity: number) {}

  /** Holds `text` for the next open connection; throws when `capacity` messages already wait. */
  hold(text: string, requestId?: number): void {
    if (this.queue.length >= this.capacity) {
      throw new Error(`StarwireClient: ${this.capacity} messages already wait for the connection (maxQueue); not queued`);
    }
    this.queue.push({ text, requestId });
  }

  /** Takes back a request that gave up before it was sent: it never will be. */
  withdraw(requestId: number): void {
    this.queue = this.queue.filter((entry) => entry.requestId !== requestId);
  }

  /** Empties the outbox, returning what waited, oldest first. */
  takeAll(): Queued[] {
    const queued = this.queue;
    this.queue = [];
    return queued;
  }
}
