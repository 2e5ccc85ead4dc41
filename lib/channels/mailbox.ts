import type { ChannelMessage } from './channel-layer';
import { Fifo } from './fifo';

/** A `receive` waiting for a message on a channel. */
export interface Waiter {
  resolve(message: ChannelMessage): void;
  reject(error: Error): void;
}

/** A channel's queued messages and waiting receives; exists only while it holds either. */
export class Mailbox {
  readonly queue = new Fifo<{ readonly message: ChannelMessage; readonly expiresAt: number }>();
  readonly waiters = new Fifo<Waiter>();
  /** Whether the mailbox has an entry in the expiry queue (one at a time, whatever its length). */
  scheduled = false;
  constructor(readonly name: string) {}
}
