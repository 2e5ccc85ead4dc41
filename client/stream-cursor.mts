import { parseStreamId, type StreamPosition } from './stream-ids.mjs';

/** How a history id relates to where a stream stands. */
export type Arrival = 'next' | 'repeat' | 'gap';

/**
 * Where the client stands in one room's or channel's history: the last offset it emitted, in
 * which epoch. Offsets follow each other without gaps, so the next message must carry the
 * next offset: a lower or equal one is a repeat, a higher one (or another epoch: the server
 * lost the history it had) means messages were missed.
 */
export class StreamCursor {
  private position: StreamPosition | undefined;

  /** The id to resume after, `<epoch>:<offset>`; undefined before any. */
  get id(): string | undefined {
    return this.position && `${this.position.epoch}:${this.position.offset}`;
  }

  /** What `id` (a history id) is to this stream. The first id ever seen is `next`: there is nothing to compare it with. */
  classify(id: string): Arrival {
    const at = parseStreamId(id);
    const here = this.position;
    if (!at || !here) return 'next';
    if (at.epoch !== here.epoch) return 'gap';
    if (at.offset <= here.offset) return 'repeat';
    return at.offset === here.offset + 1 ? 'next' : 'gap';
  }

  /** Moves to `id` if it lies ahead: later in this epoch, or in another epoch (the one the server now has). */
  advance(id: string): boolean {
    const at = parseStreamId(id);
    if (!at) return false;
    const here = this.position;
    if (here && here.epoch === at.epoch && at.offset <= here.offset) return false;
    this.position = at;
    return true;
  }
}
