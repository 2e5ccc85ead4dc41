/**
 * The channel layer contract: how consumers in one process or many pass messages to each
 * other. It follows the Channels layer specification in TypeScript idiom; see
 * docs/channel-layers.md for the full contract, which every backend passes as one test suite.
 */

/** Every message carries a `type`; consumers dispatch on it (`chat.message` → `chatMessage`). */
export interface ChannelMessage {
  readonly type: string;
  readonly [key: string]: unknown;
}

/**
 * What became of a message for the other processes sharing the layer:
 * - `'none'`: there are none (an in-memory layer);
 * - `'sent'`: the backend took the message for them;
 * - `'failed'`: it never left this process (the backend was unreachable); no other process gets it, ever;
 * - `'unknown'`: it was handed over but never confirmed (a timeout, or the connection died
 *   meanwhile); other processes may or may not get it.
 */
export type RemoteOutcome = 'none' | 'sent' | 'failed' | 'unknown';

/** What a `groupSend` achieved: in this process, and for the others. */
export interface GroupSendResult {
  /** Channels (in this process) the message was queued for. */
  readonly delivered: number;
  /** Channels (in this process) that were full, so the message was dropped for them. */
  readonly dropped: number;
  /** Whether the other processes' members were reached (see `RemoteOutcome`). */
  readonly remote: RemoteOutcome;
}

export interface ChannelLayerOptions {
  /** Messages a channel holds before `send` fails with `ChannelFull`. Default 100. */
  capacity?: number;
  /** Seconds a queued message waits for `receive` before it is discarded. Default 60. */
  expiry?: number;
  /** Seconds a group membership lasts unless renewed by `groupAdd`. Default 86400. */
  groupExpiry?: number;
}

/** Settings of one channel made by `newChannel`. */
export interface NewChannelOptions {
  /** Messages this channel holds before it is full; default the layer's `capacity`. */
  capacity?: number;
}

/** Counters a layer keeps since it was made. */
export interface ChannelLayerStats {
  sent: number;
  received: number;
  /** Messages dropped because a channel was full. */
  dropped: number;
  /** Messages discarded because nobody received them within `expiry`. */
  expired: number;
  /** Messages that could not be handed to the backend (e.g. Redis down): lost, and counted here. */
  lost: number;
  groups: number;
  channels: number;
}

/**
 * How consumers pass messages, in one process (`InMemoryChannelLayer`) or across many
 * (`RedisChannelLayer`); an app's consumers and real-time manager share the one it is given.
 *
 * @example
 * const layer: ChannelLayer = new InMemoryChannelLayer();
 * const inbox = await layer.newChannel('worker');
 * await layer.groupAdd('jobs', inbox);
 * await layer.groupSend('jobs', { type: 'job.start', id: 1 });
 * const job = await layer.receive(inbox);   // { type: 'job.start', id: 1 }
 */
export interface ChannelLayer {
  /** Queues `message` on `channel`; throws `ChannelFull` when the channel is at capacity. */
  send(channel: string, message: ChannelMessage): Promise<void>;
  /** Waits for the next message on `channel`, which must have been made by `newChannel` in this process. */
  receive(channel: string): Promise<ChannelMessage>;
  /**
   * A new, unique channel name that routes to this process. `options.capacity` gives this one
   * channel its own capacity in place of the layer's (a process-wide inbox that takes bursts).
   */
  newChannel(prefix?: string, options?: NewChannelOptions): Promise<string>;
  groupAdd(group: string, channel: string): Promise<void>;
  groupDiscard(group: string, channel: string): Promise<void>;
  /** Sends to every channel in the group; full channels are skipped and counted, never thrown. */
  groupSend(group: string, message: ChannelMessage): Promise<GroupSendResult>;
  /**
   * What a `groupSend` of `message` would publish on Redis (the pub/sub channel and payload),
   * for a Redis store to publish in the same atomic step as a write. Every process with
   * members, this one included, then delivers it from Redis, in the order Redis ran the steps.
   * Only layers that carry groups over Redis pub/sub have it.
   */
  groupPublication?(group: string, message: ChannelMessage): { channel: string; payload: string };
  /**
   * False while the layer cannot reach its backend (a Redis layer before it connects, and while
   * Redis is down); `app.readiness()` reports it. Absent on layers with no backend (in memory).
   */
  readonly reachable?: boolean;
  /** Removes every channel, group and queued message (tests and resets). */
  flush(): Promise<void>;
  /** Releases connections and timers; waiting receives reject. */
  close(): Promise<void>;
  stats(): ChannelLayerStats;
}

/**
 * `send` found the channel at capacity; the message was not queued.
 *
 * @example
 * try {
 *   await layer.send(channel, { type: 'chat.message', text });
 * } catch (error) {
 *   if (!(error instanceof ChannelFull)) throw error;
 *   console.warn(`${error.channel} is behind (${error.capacity} queued): message dropped`);
 * }
 */
export class ChannelFull extends Error {
  constructor(
    readonly channel: string,
    readonly capacity: number,
  ) {
    super(`Channel ${channel} is full (${capacity} messages)`);
    this.name = 'ChannelFull';
  }
}

/** The Channels layer specification's names: ASCII letters, digits, "-", "_", "."; a channel may have one "!". */
const NAME_RULES = {
  channel: { pattern: /^[a-zA-Z0-9_\-.]+(?:![a-zA-Z0-9_\-.]*)?$/, says: 'letters, digits, "-", "_", "." and at most one "!"' },
  group: { pattern: /^[a-zA-Z0-9_\-.]+$/, says: 'letters, digits, "-", "_" or "." ("!" is for channel names only)' },
} as const;

/** A name the contract does not allow: a TypeError that names it and the rule. */
export function assertChannelName(kind: 'channel' | 'group', name: string): void {
  const rule = NAME_RULES[kind];
  if (typeof name !== 'string' || name.length === 0 || name.length >= 100 || !rule.pattern.test(name)) {
    throw new TypeError(`${kind} name ${JSON.stringify(name)} must be 1–99 characters of ${rule.says}`);
  }
}

/**
 * Groups Starwire's real-time layer keeps for itself (`rt.all`, `rt.room.<id>`, `rt.user.<id>`,
 * see lib/realtime/switchboard.ts). App code may not send to them: their messages steer
 * delivery in every process.
 */
export const RESERVED_GROUP_PREFIX = 'rt.';

/** Messages Starwire itself sends to reserved groups; known by identity, so nothing can forge the mark. */
const frameworkMessages = new WeakSet<ChannelMessage>();

/** Marks a message of Starwire's own, which may go to a reserved group (internal: not exported by the package). */
export function frameworkMessage<T extends ChannelMessage>(message: T): T {
  frameworkMessages.add(message);
  return message;
}

/** True for a message marked by `frameworkMessage` (internal). */
export function isFrameworkMessage(message: ChannelMessage): boolean {
  return frameworkMessages.has(message);
}

/** Messages Starwire passes by identity (a consumer's stop signal): a traced layer sends them as they are. */
const untracedMessages = new WeakSet<ChannelMessage>();

/** Marks a message a traced layer must not copy to carry trace context (internal). */
export function untracedMessage<T extends ChannelMessage>(message: T): T {
  untracedMessages.add(message);
  return message;
}

/** True for a message marked by `untracedMessage` (internal). */
export function isUntracedMessage(message: ChannelMessage): boolean {
  return untracedMessages.has(message);
}

/** Refuses, with a TypeError naming the group, a `groupSend` by app code to a group Starwire reserves. */
export function assertMaySendToGroup(group: string, message: ChannelMessage): void {
  if (group.startsWith(RESERVED_GROUP_PREFIX) && !frameworkMessages.has(message)) {
    throw new TypeError(
      `groupSend: group ${JSON.stringify(group)} is reserved for Starwire's real-time layer (names starting with "${RESERVED_GROUP_PREFIX}"); use app.realtime to reach its rooms and users`,
    );
  }
}

export function assertMessage(message: ChannelMessage): void {
  if (message === null || typeof message !== 'object' || typeof message.type !== 'string' || message.type === '') {
    throw new TypeError('A channel layer message must be an object with a non-empty string "type"');
  }
}

/**
 * A call reached a layer after `close()`, or a `receive` was still waiting when it closed.
 *
 * @example
 * const layer = new InMemoryChannelLayer();
 * const inbox = await layer.newChannel('worker');
 * const waiting = layer.receive(inbox);
 * await layer.close();
 * await assert.rejects(waiting, ChannelLayerClosed);
 */
export class ChannelLayerClosed extends Error {
  constructor(
    readonly operation: string,
    readonly channel?: string,
  ) {
    super(`Channel layer is closed: ${operation}${channel === undefined ? '' : ` on ${channel}`} cannot complete`);
    this.name = 'ChannelLayerClosed';
  }
}

/** The `<process>` of a channel name `prefix.<process>!<id>`, or `undefined` if it names none. */
export function channelProcess(channel: string): string | undefined {
  const bang = channel.indexOf('!');
  const dot = bang < 0 ? -1 : channel.lastIndexOf('.', bang);
  return dot < 0 || dot + 1 === bang ? undefined : channel.slice(dot + 1, bang);
}

/** Fills in the defaults and refuses values that would make the layer misbehave later. */
export function layerSettings(options: ChannelLayerOptions): Required<ChannelLayerOptions> {
  const settings = { capacity: options.capacity ?? 100, expiry: options.expiry ?? 60, groupExpiry: options.groupExpiry ?? 86400 };
  if (!Number.isInteger(settings.capacity) || settings.capacity < 1) {
    throw new RangeError(`channel layer option capacity must be a whole number ≥ 1, got ${settings.capacity}`);
  }
  for (const key of ['expiry', 'groupExpiry'] as const) {
    if (!(settings[key] > 0) || !Number.isFinite(settings[key])) {
      throw new RangeError(`channel layer option ${key} must be a positive number of seconds, got ${settings[key]}`);
    }
  }
  return settings;
}
