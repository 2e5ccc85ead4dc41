import type { PresenceUser } from './events';
import type { Departure, RealtimeStore } from './store';

/** What the heartbeat needs from its manager. */
export interface HeartbeatHost {
  readonly store: RealtimeStore;
  readonly processId: string;
  /** Seconds a heartbeat or a presence renewal lasts. */
  readonly ttl: number;
  /** The records of the users with a socket in this process, to renew. */
  localUsers(): PresenceUser[];
  /** A user of a dead process left for good; this process is the one that reports it. */
  departed(departure: Departure): void;
  /**
   * The cluster declared this process dead (it missed heartbeats for longer than the TTL: a
   * stall, or Redis out of reach) and took its users offline. Resolves once this process
   * agrees again with the store; the heartbeat then registers anew.
   */
  declaredDead(): Promise<void>;
  /** A tick that failed (the store unreachable); the next tick tries again. */
  failed(error: unknown): void;
}

/**
 * Keeps this process alive in the store and watches the others, as Phoenix Presence does on
 * node down: three times per TTL it renews its heartbeat and its users' presence, then sweeps
 * processes whose heartbeat lapsed, reporting each of their users' departures. The store gives
 * each dead process to one sweeper, so a departure is reported once in the cluster; a process
 * dead for a TTL is noticed by the next sweep, within about 4/3 of the TTL.
 *
 * @example
 * const heartbeat = new PresenceHeartbeat(host);
 * await heartbeat.start();
 * // ...
 * heartbeat.stop();
 */
export class PresenceHeartbeat {
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly host: HeartbeatHost) {}

  async start(): Promise<void> {
    await this.host.store.heartbeat(this.host.processId, this.host.ttl, true);
    // Three renewals per TTL: one lost renewal (a slow Redis reply) does not let presence lapse.
    const every = Math.max(100, (this.host.ttl * 1000) / 3);
    this.timer = setInterval(() => {
      // A tick still running (a slow store) is not overtaken by the next.
      this.ticking ??= this.tick()
        .catch((error: unknown) => this.host.failed(error))
        .finally(() => {
          this.ticking = undefined;
        });
    }, every);
    this.timer.unref();
  }

  /** Stops ticking; a tick under way finishes. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.ticking;
  }

  private async tick(): Promise<void> {
    const { store, processId, ttl } = this.host;
    if (!(await store.heartbeat(processId, ttl, false))) {
      if (this.stopped) return;
      await this.host.declaredDead();
      await store.heartbeat(processId, ttl, true);
      return;
    }
    const users = this.host.localUsers();
    if (users.length) await store.renewPresence(users, processId, ttl);
    for (const departure of await store.sweepProcesses()) this.host.departed(departure);
  }
}
