/**
 * One unref'd timer for the earliest of several deadlines (`performance.now()` times): asking
 * for a later one keeps the timer as it is. It never keeps the process alive.
 *
 * @example
 * const wake = new WakeTimer(() => sweep());
 * wake.at(performance.now() + 5000);
 * wake.at(performance.now() + 100); // now fires in ~100 ms
 */
export class WakeTimer {
  private timer: NodeJS.Timeout | undefined;
  private due = Infinity;

  constructor(private readonly fire: () => void) {}

  /** Wakes at `time` (or earlier, if already set so); `Infinity` changes nothing. */
  at(time: number): void {
    if (time === Infinity || time >= this.due) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.due = time;
    // A floor of 10 ms batches deadlines that fall close together into one wake-up.
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.due = Infinity;
        this.fire();
      },
      Math.max(10, Math.ceil(time - performance.now())),
    );
    this.timer.unref();
  }

  cancel(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.due = Infinity;
  }
}
