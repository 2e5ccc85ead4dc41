import { randomBytes } from 'node:crypto';
import { ChannelGroups, type GroupLifecycle } from './channel-groups';
import {
  assertChannelName,
  assertMaySendToGroup,
  assertMessage,
  ChannelFull,
  type ChannelLayer,
  ChannelLayerClosed,
  type ChannelLayerOptions,
  type ChannelLayerStats,
  type ChannelMessage,
  channelProcess,
  type GroupSendResult,
  layerSettings,
  type NewChannelOptions,
} from './channel-layer';
import { DeadlineQueue } from './deadline-queue';
import { Mailbox } from './mailbox';
import { WakeTimer } from './wake-timer';

export type { GroupLifecycle };

export interface InMemoryChannelLayerOptions extends ChannelLayerOptions {
  /** The `<process>` part of channel names (letters, digits, "-", "_"); random by default. */
  processName?: string;
  /** For backends built on this layer (the Redis layer keeps one subscription per open group). */
  groupLifecycle?: GroupLifecycle;
}

const PROCESS_NAME = /^[a-zA-Z0-9_-]{1,40}$/;
const CHANNEL_PREFIX = /^[a-zA-Z0-9_\-.]+$/;

/**
 * The default channel layer: channels, groups and queues in this process's memory. Nothing is
 * shared with other processes or other instances; use `RedisChannelLayer` to scale out.
 *
 * @example
 * const layer = new InMemoryChannelLayer({ capacity: 100, expiry: 60 });
 * const channel = await layer.newChannel('chat');
 * await layer.groupAdd('room-1', channel);
 * await layer.groupSend('room-1', { type: 'chat.message', text: 'hi' });
 * await layer.receive(channel); // → { type: 'chat.message', text: 'hi' }
 */
export class InMemoryChannelLayer implements ChannelLayer {
  readonly processName: string;
  readonly capacity: number;
  /** Message and membership lifetimes in milliseconds. */
  private readonly expiryMs: number;
  private readonly mailboxes = new Map<string, Mailbox>();
  /** Channels made with a capacity of their own; the rest have the layer's. */
  private readonly capacities = new Map<string, number>();
  private readonly groups: ChannelGroups;
  /** A drained mailbox leaves a stale entry, skipped and pruned by the queue. */
  private readonly messageDeadlines = new DeadlineQueue<Mailbox>((box) => this.mailboxes.get(box.name) === box);
  private readonly wake = new WakeTimer(() => this.sweep());
  private sequence = 0;
  private closed = false;
  private readonly counts = { sent: 0, received: 0, dropped: 0, expired: 0 };

  constructor(options: InMemoryChannelLayerOptions = {}) {
    const settings = layerSettings(options);
    this.capacity = settings.capacity;
    this.expiryMs = settings.expiry * 1000;
    this.processName = options.processName ?? randomBytes(6).toString('hex');
    if (!PROCESS_NAME.test(this.processName)) {
      throw new TypeError(`processName ${JSON.stringify(this.processName)} must be 1–40 letters, digits, "-" or "_"`);
    }
    this.groups = new ChannelGroups(settings.groupExpiry * 1000, options.groupLifecycle);
  }

  async newChannel(prefix = 'specific', options: NewChannelOptions = {}): Promise<string> {
    this.assertOpen('newChannel');
    if (typeof prefix !== 'string' || !CHANNEL_PREFIX.test(prefix)) {
      throw new TypeError(`newChannel prefix ${JSON.stringify(prefix)} must be letters, digits, "-", "_" or "."`);
    }
    const { capacity } = options;
    if (capacity !== undefined && (!Number.isInteger(capacity) || capacity < 1)) {
      throw new RangeError(`newChannel option capacity must be a whole number ≥ 1, got ${capacity}`);
    }
    // The counter makes names unique here; the random tail keeps them unguessable.
    const name = `${prefix}.${this.processName}!${(++this.sequence).toString(36)}${randomBytes(6).toString('base64url')}`;
    assertChannelName('channel', name);
    // Kept for the channel's life (channels are never closed), so meant for long-lived ones.
    if (capacity !== undefined && capacity !== this.capacity) this.capacities.set(name, capacity);
    return name;
  }

  /** Messages `channel` holds before it is full: its own capacity, or the layer's. */
  capacityOf(channel: string): number {
    return this.capacities.get(channel) ?? this.capacity;
  }

  async send(channel: string, message: ChannelMessage): Promise<void> {
    this.assertOpen('send', channel);
    this.assertLocalChannel(channel, 'send to');
    assertMessage(message);
    if (!this.enqueue(channel, message)) throw new ChannelFull(channel, this.capacityOf(channel));
    this.counts.sent++;
  }

  async receive(channel: string): Promise<ChannelMessage> {
    this.assertOpen('receive', channel);
    this.assertLocalChannel(channel, 'receive from');
    const box = this.mailbox(channel);
    this.expireHead(box, performance.now());
    const queued = box.queue.shift();
    if (queued !== undefined) {
      this.counts.received++;
      this.release(box);
      return queued.message;
    }
    return new Promise<ChannelMessage>((resolve, reject) => box.waiters.push({ resolve, reject }));
  }

  async groupAdd(group: string, channel: string): Promise<void> {
    this.assertOpen('groupAdd', channel);
    assertChannelName('group', group);
    this.assertLocalChannel(channel, 'add to group');
    if (this.groups.add(group, channel, performance.now())) this.arm();
  }

  async groupDiscard(group: string, channel: string): Promise<void> {
    this.assertOpen('groupDiscard', channel);
    assertChannelName('group', group);
    assertChannelName('channel', channel);
    this.groups.discard(group, channel);
  }

  async groupSend(group: string, message: ChannelMessage): Promise<GroupSendResult> {
    this.assertOpen('groupSend');
    assertChannelName('group', group);
    assertMessage(message);
    assertMaySendToGroup(group, message);
    this.counts.sent++;
    return { ...this.fanOut(group, message), remote: 'none' };
  }

  /**
   * For backends built on this layer: hands a message that arrived from another process to a
   * channel of this one. It does not count as sent here. Returns whether it was queued; a full
   * channel drops it, and counts it in `dropped` unless `senderTold` (the backend reports the
   * refusal to the sender, who gets `ChannelFull`).
   */
  deliver(channel: string, message: ChannelMessage, senderTold = false): boolean {
    if (this.closed) return false;
    this.assertLocalChannel(channel, 'deliver to');
    assertMessage(message);
    if (this.enqueue(channel, message)) return true;
    if (!senderTold) this.counts.dropped++;
    return false;
  }

  /** For backends: `groupSend` to this process's members of a message from another process. */
  deliverToGroup(group: string, message: ChannelMessage): Omit<GroupSendResult, 'remote'> {
    if (this.closed) return { delivered: 0, dropped: 0 };
    assertChannelName('group', group);
    assertMessage(message);
    return this.fanOut(group, message);
  }

  /** Groups with at least one member in this process. */
  openGroups(): string[] {
    return this.groups.names();
  }

  /** Drops queued messages and every group; receives that are waiting keep waiting. */
  async flush(): Promise<void> {
    this.assertOpen('flush');
    for (const box of this.mailboxes.values()) {
      box.queue.clear();
      box.scheduled = false;
      this.release(box);
    }
    this.messageDeadlines.clear();
    this.groups.clear();
    this.wake.cancel();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.wake.cancel();
    for (const box of this.mailboxes.values()) {
      for (let waiter = box.waiters.shift(); waiter !== undefined; waiter = box.waiters.shift()) {
        waiter.reject(new ChannelLayerClosed('receive', box.name));
      }
    }
    this.mailboxes.clear();
    this.capacities.clear();
    this.messageDeadlines.clear();
    this.groups.clear();
  }

  stats(): ChannelLayerStats {
    return { ...this.counts, lost: 0, groups: this.groups.size, channels: this.mailboxes.size };
  }

  // ——— inside ———

  private assertOpen(operation: string, channel?: string): void {
    if (this.closed) throw new ChannelLayerClosed(operation, channel);
  }

  private assertLocalChannel(channel: string, action: string): void {
    assertChannelName('channel', channel);
    const owner = channelProcess(channel);
    if (owner === this.processName) return;
    throw owner === undefined
      ? new TypeError(`Cannot ${action} channel ${channel}: names made by newChannel() look like "prefix.<process>!<id>"`)
      : new Error(`Cannot ${action} channel ${channel}: it belongs to process ${owner}, and this layer is process ${this.processName}`);
  }

  private mailbox(channel: string): Mailbox {
    let box = this.mailboxes.get(channel);
    if (box === undefined) {
      box = new Mailbox(channel);
      this.mailboxes.set(channel, box);
    }
    return box;
  }

  /** Hands `message` to the first waiting receive, or queues it; false when the channel is full. */
  private enqueue(channel: string, message: ChannelMessage): boolean {
    const box = this.mailbox(channel);
    const waiter = box.waiters.shift();
    if (waiter !== undefined) {
      this.counts.received++;
      this.release(box);
      waiter.resolve(message);
      return true;
    }
    const now = performance.now();
    // Expired messages must not hold capacity that a live one could use.
    this.expireHead(box, now);
    if (box.queue.length >= this.capacityOf(channel)) return false;
    box.queue.push({ message, expiresAt: now + this.expiryMs });
    if (!box.scheduled) {
      box.scheduled = true;
      this.messageDeadlines.push(box, now + this.expiryMs);
      this.arm();
    }
    return true;
  }

  private fanOut(group: string, message: ChannelMessage): Omit<GroupSendResult, 'remote'> {
    const members = this.groups.members(group);
    if (members === undefined) return { delivered: 0, dropped: 0 };
    const now = performance.now();
    let delivered = 0;
    let dropped = 0;
    for (const membership of members.values()) {
      if (membership.expiresAt <= now) this.groups.expire(membership);
      else if (this.enqueue(membership.channel, message)) delivered++;
      else dropped++;
    }
    this.counts.dropped += dropped;
    return { delivered, dropped };
  }

  /** Queues are time-ordered, so expired messages are always at the head. */
  private expireHead(box: Mailbox, now: number): void {
    for (let head = box.queue.peek(); head !== undefined && head.expiresAt <= now; head = box.queue.peek()) {
      box.queue.shift();
      this.counts.expired++;
    }
  }

  /** Forgets a mailbox that holds nothing, so idle channels cost no memory. */
  private release(box: Mailbox): void {
    if (box.queue.length === 0 && box.waiters.length === 0 && this.mailboxes.get(box.name) === box) {
      this.mailboxes.delete(box.name);
      // Its deadline entry would otherwise hold the box until the expiry passed.
      if (box.scheduled) this.messageDeadlines.forget();
    }
  }

  /** Pops only what is due from the heads of the two deadline queues. */
  private sweep(): void {
    const now = performance.now();
    for (let box = this.messageDeadlines.popDue(now); box !== undefined; box = this.messageDeadlines.popDue(now)) {
      box.scheduled = false;
      this.expireHead(box, now);
      const head = box.queue.peek();
      if (head !== undefined) {
        box.scheduled = true;
        this.messageDeadlines.push(box, head.expiresAt);
      } else {
        this.release(box);
      }
    }
    this.groups.sweep(now);
    this.arm();
  }

  /** Wakes for the earliest deadline of either queue. */
  private arm(): void {
    if (!this.closed) this.wake.at(Math.min(this.messageDeadlines.next() ?? Infinity, this.groups.next() ?? Infinity));
  }
}
