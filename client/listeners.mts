/**
 * Event listeners that cannot hurt their emitter: a listener that throws is reported through
 * the `error` event (or `console.error`, when the thrower is an `error` listener or nobody
 * listens for errors), and the other listeners still run.
 */
export class Listeners<Events extends { error: Error }> {
  private readonly table = new Map<keyof Events, Set<(payload: never) => void>>();

  constructor(private readonly owner: string) {}

  /** Adds a listener; the returned function removes it. */
  on<E extends keyof Events>(event: E, listener: (payload: Events[E]) => void): () => void {
    if (typeof listener !== 'function') throw new TypeError(`${this.owner}.on('${String(event)}'): listener must be a function`);
    let set = this.table.get(event);
    if (!set) this.table.set(event, (set = new Set()));
    // Wrapped, so one function added twice is two listeners, each removed by its own unsubscribe.
    const entry = (payload: never): void => listener(payload);
    set.add(entry);
    return () => void set.delete(entry);
  }

  emit<E extends keyof Events>(event: E, payload: Events[E]): void {
    const set = this.table.get(event);
    if (event === 'error' && (!set || set.size === 0)) {
      console.error(`${this.owner}:`, payload);
      return;
    }
    // A snapshot: listeners added or removed by a listener take effect from the next event.
    for (const listener of [...(set ?? [])]) {
      try {
        (listener as (payload: Events[E]) => void)(payload);
      } catch (error) {
        this.report(event, error);
      }
    }
  }

  private report(event: keyof Events, error: unknown): void {
    const failure = error instanceof Error ? error : new Error(String(error));
    if (event === 'error') {
      console.error(`${this.owner}: an 'error' listener threw`, failure);
      return;
    }
    const wrapped = new Error(`${this.owner}: a '${String(event)}' listener threw: ${failure.message}`, { cause: failure });
    this.emit('error', wrapped as Events['error']);
  }
}
