import type { ChannelMessage, RemoteOutcome } from '../channels/channel-layer';
import type { Delivery } from './fan-out';
import { groupName as group } from './ids';

// What processes tell each other on the channel layer about real-time traffic, and who it is for.

/** Who a broadcast is for. */
export type Target =
  | { readonly kind: 'room' | 'channel' | 'user'; readonly id: string }
  | { readonly kind: 'all' }
  | { readonly kind: 'path'; readonly id: string };

/**
 * What a send or broadcast reached: this process's sockets, and in `remote` whether the
 * other processes were reached (`'failed'` or `'unknown'` during a channel layer outage).
 */
export interface Publication extends Delivery {
  readonly remote: RemoteOutcome;
}

/** A broadcast passed between processes: the payload is serialized once, by the sender. */
export interface DeliverMessage extends ChannelMessage {
  readonly type: 'realtime.deliver';
  readonly origin: string;
  readonly target: Target;
  readonly payload: string;
  readonly except: readonly string[];
  /** Set on a kept message published through Redis: the sender delivers it when it comes back, and settles the ticket. */
  readonly ticket?: string;
  /** The message's history id, when it was kept: event streams send it as the event's id. */
  readonly historyId?: string;
}

/** An announcement of a membership change that other processes may not have heard (see `Switchboard.announce`). */
export interface Unannounced {
  readonly kind: 'room' | 'channel';
  readonly id: string;
  readonly userId: string;
  readonly member: boolean;
  readonly remote: 'failed' | 'unknown';
}

/** A user joined or left a room or channel: processes holding that user's sockets follow. */
export interface MembershipMessage extends ChannelMessage {
  readonly type: 'realtime.membership';
  readonly origin: string;
  readonly kind: 'room' | 'channel';
  readonly id: string;
  readonly userId: string;
  readonly member: boolean;
}

export const ALL = 'rt.all';

export function targetGroup(target: Target): string {
  return target.kind === 'all' || target.kind === 'path' ? ALL : group(target.kind, target.id);
}
