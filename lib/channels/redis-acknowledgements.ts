/**
 * Acknowledgements of the Redis layer's direct sends. A `send` to a channel another process
 * owns carries a request id and the sender's process name; the owner answers on the sender's
 * inbox whether it queued the message or found the channel full, so the sender can raise
 * `ChannelFull` as channels_redis does, or report the outcome unknown when no answer comes.
 */

/** What the owning process answered. */
export interface Acknowledgement {
  readonly status: 'queued' | 'full';
  readonly capacity: number;
}

/**
 * The direct sends of this process waiting for their acknowledgement, by request id.
 *
 * @example
 * const acks = new Acknowledgements();
 * const { id, acknowledged } = acks.expect();
 * acks.settle({ a: id, s: 'queued', n: 100 });
 * await acks.within(id, acknowledged, 2000); // { status: 'queued', capacity: 100 }
 */
export class Acknowledgements {
  private readonly waiting = new Map<number, (ack: Acknowledgement | undefined) => void>();
  private sequence = 0;

  /** A new request id, and what its acknowledgement will be. */
  expect(): { id: number; acknowledged: Promise<Acknowledgement | undefined> } {
    const id = ++this.sequence;
    const acknowledged = new Promise<Acknowledgement | undefined>((resolve) => this.waiting.set(id, resolve));
    return { id, acknowledged };
  }

  /** Stops waiting for `id` (the send failed before anyone could answer). */
  forget(id: number): void {
    this.waiting.delete(id);
  }

  /** The acknowledgement of `id`, or `undefined` when none came within `ms`. */
  async within(id: number, acknowledged: Promise<Acknowledgement | undefined>, ms: number): Promise<Acknowledgement | undefined> {
    const timer = setTimeout(() => this.waiting.get(id)?.(undefined), ms);
    try {
      return await acknowledged;
    } finally {
      clearTimeout(timer);
      this.waiting.delete(id);
    }
  }

  /** An acknowledgement that arrived on this process's inbox; one for a send that gave up finds nothing. */
  settle(envelope: Readonly<Record<string, unknown>>): void {
    const { a: id, s: status, n: capacity } = envelope;
    if (typeof id !== 'number' || (status !== 'queued' && status !== 'full') || typeof capacity !== 'number') {
      throw new TypeError('not a valid acknowledgement');
    }
    this.waiting.get(id)?.({ status, capacity });
  }
}

/** The inbox a direct send asks to be acknowledged on, or `undefined` for a send that asks for none. */
export function acknowledgementInbox(prefix: string, envelope: Readonly<Record<string, unknown>>): string | undefined {
  if (envelope.r === undefined && envelope.i === undefined) return undefined;
  // The reply goes to an inbox named by the message, so only a process name is accepted.
  if (typeof envelope.r !== 'string' || !/^[a-zA-Z0-9_-]{1,40}$/.test(envelope.r) || !Number.isSafeInteger(envelope.i)) {
    throw new TypeError('direct send names no valid sender to acknowledge');
  }
  return `${prefix}:inbox:${envelope.r}`;
}

/** The acknowledgement payload for request `id`. */
export function acknowledgementOf(id: unknown, queued: boolean, capacity: number): string {
  return JSON.stringify({ a: id, s: queued ? 'queued' : 'full', n: capacity });
}
