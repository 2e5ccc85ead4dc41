/**
 * Runs tasks one after another per key (and keys side by side), forgetting a key once its
 * tasks are done, so the map holds only keys with work in flight. A task that fails does not
 * stop the ones queued after it; its caller sees the failure.
 *
 * @example
 * const queue = new KeyedQueue();
 * await queue.run(userId, () => follow(userId));
 */
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task);
    const tail = result.catch(() => {});
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }
}
