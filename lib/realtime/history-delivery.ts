import type { Delivery } from './fan-out';

/**
 * How long a broadcast waits for its own message to come back from Redis before it reports
 * this process's deliveries as none: the subscriber connection may be down, and the caller
 * must not wait for ever. The message still reaches the sockets if it comes later; clients
 * that missed it see the gap in offsets and recover it from history.
 */
const ECHO_WAIT_MS = 2000;

const NONE: Delivery = { delivered: 0, dropped: 0 };

/** A kept message with its history id: objects get an `id` field; other values are sent as they are. */
export function stamped(message: unknown, id: string): unknown {
  return message !== null && typeof message === 'object' && !Array.isArray(message) ? { ...message, id } : message;
}

/**
 * Kept broadcasts published through Redis in one step with their history append, waiting to
 * come back: this process delivers them to its sockets only then, in Redis's order, so its
 * sockets get a history's messages in offset order like every other process's. Each carries
 * a ticket; delivering it settles the broadcast's `{ delivered, dropped }`.
 */
export class EchoTickets {
  private readonly waiting = new Map<string, (delivery: Delivery) => void>();
  private count = 0;

  constructor(private readonly owner: () => string) {}

  /** A new ticket, and the delivery it will be settled with (none if it does not come back in time). */
  issue(): { ticket: string; delivery: Promise<Delivery>; cancel: () => void } {
    const ticket = `${this.owner()}#${++this.count}`;
    let timer: NodeJS.Timeout | undefined;
    const delivery = new Promise<Delivery>((resolve) => {
      this.waiting.set(ticket, resolve);
      timer = setTimeout(() => this.settle(ticket, NONE), ECHO_WAIT_MS);
      timer.unref();
    }).finally(() => clearTimeout(timer));
    return { ticket, delivery, cancel: () => this.settle(ticket, NONE) };
  }

  /** The message with `ticket` was delivered here (or will not be). */
  settle(ticket: string, delivery: Delivery): void {
    const resolve = this.waiting.get(ticket);
    if (!resolve) return;
    this.waiting.delete(ticket);
    resolve(delivery);
  }
}
