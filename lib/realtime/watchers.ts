/** Hears a room's or channel's broadcasts: the payload as serialized once, and its history id when kept. */
export type Watcher = (payload: string, historyId: string | undefined) => void;

interface Watched {
  readonly listeners: Set<Watcher>;
  /** Settles once this process has joined the room's layer group for its watchers. */
  joined: Promise<void>;
}

/**
 * What in this process listens to rooms and channels without being a member's socket: Server-Sent
 * Event streams (`RealtimeManager.roomEventStream`). The process follows a watched room on the
 * channel layer as it does one its users are in.
 */
export class Watchers {
  private readonly watched = new Map<string, Watched>();

  has(kind: 'room' | 'channel', id: string): boolean {
    return this.watched.has(`${kind}:${id}`);
  }

  /** Adds a watcher; `join` runs for the first one of the room, and the result settles once it has. */
  add(kind: 'room' | 'channel', id: string, watcher: Watcher, join: () => Promise<void>): Promise<void> {
    const key = `${kind}:${id}`;
    let entry = this.watched.get(key);
    if (!entry) {
      entry = { listeners: new Set(), joined: Promise.resolve() };
      this.watched.set(key, entry);
      entry.joined = join();
    }
    entry.listeners.add(watcher);
    return entry.joined;
  }

  /** Removes a watcher; true when it was the room's last. */
  remove(kind: 'room' | 'channel', id: string, watcher: Watcher): boolean {
    const key = `${kind}:${id}`;
    const entry = this.watched.get(key);
    if (!entry?.listeners.delete(watcher) || entry.listeners.size > 0) return false;
    this.watched.delete(key);
    return true;
  }

  /** Hands a broadcast to the room's watchers; how many there were. */
  notify(kind: 'room' | 'channel', id: string, payload: string, historyId: string | undefined): number {
    const entry = this.watched.get(`${kind}:${id}`);
    if (!entry) return 0;
    for (const watcher of entry.listeners) watcher(payload, historyId);
    return entry.listeners.size;
  }
}
