import { DeadlineQueue } from './deadline-queue';

/** Told when a group gains its first member in this process and when it loses its last. */
export interface GroupLifecycle {
  opened(group: string): void;
  closed(group: string): void;
}

/** A membership's identity: a discarded then re-added channel is a new one, so old deadlines skip it. */
export interface Membership {
  readonly group: string;
  readonly channel: string;
  expiresAt: number;
}

/**
 * The groups of one in-memory channel layer: who is a member of what, until when, and the
 * queue of membership deadlines. The layer owns the timer; it asks `next()` when to wake.
 */
export class ChannelGroups {
  private readonly groups = new Map<string, Map<string, Membership>>();
  /** An ended membership leaves a stale entry, skipped and pruned by the queue. */
  private readonly deadlines = new DeadlineQueue<Membership>((m) => this.groups.get(m.group)?.get(m.channel) === m);

  constructor(
    private readonly expiryMs: number,
    private readonly lifecycle: GroupLifecycle | undefined,
  ) {}

  get size(): number {
    return this.groups.size;
  }

  /** Groups with at least one member. */
  names(): string[] {
    return [...this.groups.keys()];
  }

  /** The earliest membership deadline, if any. */
  next(): number | undefined {
    return this.deadlines.next();
  }

  /** A group's memberships, live or past their deadline (`fanOut` checks each). */
  members(group: string): Map<string, Membership> | undefined {
    return this.groups.get(group);
  }

  /**
   * Adds `channel` to `group`, or renews its membership. True when a new deadline was queued,
   * which the layer's timer may need to wake for.
   */
  add(group: string, channel: string, now: number): boolean {
    let members = this.groups.get(group);
    const opened = members === undefined;
    members ??= new Map();
    this.groups.set(group, members);
    const existing = members.get(channel);
    if (existing !== undefined) existing.expiresAt = now + this.expiryMs;
    else {
      const membership: Membership = { group, channel, expiresAt: now + this.expiryMs };
      members.set(channel, membership);
      this.deadlines.push(membership, membership.expiresAt);
    }
    if (opened) this.lifecycle?.opened(group);
    return existing === undefined;
  }

  discard(group: string, channel: string): void {
    const members = this.groups.get(group);
    if (members === undefined || !members.delete(channel)) return;
    this.deadlines.forget();
    if (members.size === 0) this.close(group);
  }

  /** Ends a membership found past its deadline; its deadline entry is still queued, so it goes stale. */
  expire(membership: Membership): void {
    this.end(membership);
    this.deadlines.forget();
  }

  /** Ends the memberships whose deadlines have passed; renewed ones are queued again. */
  sweep(now: number): void {
    for (let m = this.deadlines.popDue(now); m !== undefined; m = this.deadlines.popDue(now)) {
      if (m.expiresAt <= now) this.end(m);
      else this.deadlines.push(m, m.expiresAt); // renewed by groupAdd since it was queued
    }
  }

  clear(): void {
    const names = [...this.groups.keys()];
    this.groups.clear();
    this.deadlines.clear();
    for (const group of names) this.lifecycle?.closed(group);
  }

  private end(membership: Membership): void {
    const members = this.groups.get(membership.group);
    if (members?.get(membership.channel) !== membership) return;
    members.delete(membership.channel);
    if (members.size === 0) this.close(membership.group);
  }

  private close(group: string): void {
    this.groups.delete(group);
    this.lifecycle?.closed(group);
  }
}
