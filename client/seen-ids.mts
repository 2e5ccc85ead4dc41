import { isAfter } from './stream-ids.mjs';

/** How many of a stream's ids are remembered as seen; a repeat older than that is emitted again. */
const RECENT_IDS = 512;

/**
 * The history ids of one room or channel the client has emitted. A repeat is recognised by its
 * exact id, not by being at or below the newest: with several server processes sharing Redis, a
 * room's history append and its publish are separate steps, so id 6 may arrive before id 5, and
 * 5 is new. The newest id seen is where a resume starts.
 */
export class SeenIds {
  private readonly recent = new Set<string>();
  private highest: string | undefined;

  /** The newest id seen, or the point a history reply said it starts after. */
  get newest(): string | undefined {
    return this.highest;
  }

  has(id: string): boolean {
    return this.recent.has(id);
  }

  /**
   * Remembers `id` as emitted, forgetting the oldest remembered one past `RECENT_IDS`; false
   * (and nothing changes) when it is a repeat.
   */
  addIfNew(id: string): boolean {
    if (this.recent.has(id)) return false;
    this.recent.add(id);
    if (this.recent.size > RECENT_IDS) this.recent.delete(this.recent.values().next().value as string);
    this.advance(id);
    return true;
  }

  /** Moves the resume point to `id` if it is newer, without calling `id` itself seen. */
  advance(id: string): void {
    if (isAfter(id, this.highest)) this.highest = id;
  }
}
