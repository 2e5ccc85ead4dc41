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

/** What a `groupSend` achieved in this process. */
export interface GroupSendResult {
  /** Channels (in this process) the message was queued for. */
  readonly delivered: number;
  /** Channels (in this process) that were full, so the message was dropped for them. */
  readonly dropped: number;
}

export interface ChannelLayerOptions {
  /** Messages a channel holds before `send` fails with `ChannelFull`. Default 100. */
  capacity?: number;
  /** Seconds a queued message waits for `receive` before it is discarded. Default 60. */
  expiry?: number;
  /** Seconds a group membership lasts unless renewed by `groupAdd`. Default 86400. */
  groupExpiry?: number;
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

export interface ChannelLayer {
  /** Queues `message` on `channel`; throws `ChannelFull` when the channel is at capacity. */
  send(channel: string, message: ChannelMessage): Promise<void>;
  /** Waits for the next message on `channel`, which must have been made by `newChannel` in this process. */
  receive(channel: string): Promise<ChannelMessage>;
  /** A new, unique channel name that routes to this process. */
  newChannel(prefix?: string): Promise<string>;
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
  /** Removes every channel, group and queued message (tests and resets). */
  flush(): Promise<void>;
  /** Releases connections and timers; waiting receives reject. */
  close(): Promise<void>;
  stats(): ChannelLayerStats;
}

/** `send` found the channel at capacity; the message was not queued. */
export class ChannelFull extends Error {
  constructor(readonly channel: string, readonly capacity: number) {
    super(`Channel ${channel} is full (${capacity} messages)`);
    this.name = 'ChannelFull';
  }
}

/** A name or message the contract does not allow. */
export function assertChannelName(kind: 'channel' | 'group', name: string): void {
  if (typeof name !== 'string' || name.length === 0 || name.length >= 100 || !/^[a-zA-Z0-9_\-.!]+$/.test(name)) {
    throw new TypeError(`${kind} name ${JSON.stringify(name)} must be 1–99 characters of letters, digits, "-", "_", "." or "!"`);
  }
}

export function assertMessage(message: ChannelMessage): void {
  if (message === null || typeof message !== 'object' || typeof message.type !== 'string' || message.type === '') {
    throw new TypeError('A channel layer message must be an object with a non-empty string "type"');
  }
}
