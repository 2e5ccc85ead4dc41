import type { Tracing } from '../tracing/tracing';
import {
  type ChannelLayer,
  type ChannelLayerStats,
  type ChannelMessage,
  frameworkMessage,
  type GroupSendResult,
  isFrameworkMessage,
  isUntracedMessage,
  type NewChannelOptions,
} from './channel-layer';

/**
 * The reserved fields a traced layer adds to a message to carry its trace context (W3C
 * `traceparent` / `tracestate`, from the registered propagator); stripped before delivery.
 */
export const TRACE_FIELDS: Readonly<Record<string, string>> = { traceparent: '__traceparent', tracestate: '__tracestate' };

/**
 * A delivered message's trace context: `handle` runs its handling in a consumer span
 * (`process <destination>`, the channel it was received on unless named), a child of the
 * publisher's span.
 */
export interface Delivery {
  handle<T>(run: () => T | Promise<T>, destination?: string): Promise<T>;
}

const deliveries = new WeakMap<ChannelMessage, Delivery>();

/** The trace context a traced layer received `message` with, or undefined (untraced). */
export function deliveryOf(message: ChannelMessage): Delivery | undefined {
  return deliveries.get(message);
}

/**
 * A channel layer whose `send` / `groupSend` each make a producer span and carry its context in
 * the message (`__traceparent`), so a consumer in another process continues the trace; `receive`
 * strips the fields. The App wraps its layer in one when `tracing` is on.
 */
export class TracedChannelLayer implements ChannelLayer {
  readonly groupPublication?: (group: string, message: ChannelMessage) => { channel: string; payload: string };

  constructor(
    readonly inner: ChannelLayer,
    private readonly tracing: Tracing,
  ) {
    const publication = inner.groupPublication;
    if (publication) {
      this.groupPublication = (group, message) => {
        const { span, traced } = this.publish('publish', group, message);
        span.end();
        return publication.call(inner, group, traced);
      };
    }
  }

  get reachable(): boolean | undefined {
    return this.inner.reachable;
  }

  async send(channel: string, message: ChannelMessage): Promise<void> {
    if (isUntracedMessage(message)) return this.inner.send(channel, message);
    const { span, traced } = this.publish('send', channel, message);
    try {
      await this.tracing.run(span, () => this.inner.send(channel, traced));
      this.tracing.end(span);
    } catch (error) {
      this.tracing.end(span, error);
      throw error;
    }
  }

  async groupSend(group: string, message: ChannelMessage): Promise<GroupSendResult> {
    const { span, traced } = this.publish('publish', group, message);
    const result = await this.tracing.run(span, () => this.inner.groupSend(group, traced));
    span.setAttribute('messaging.batch.message_count', result.delivered);
    this.tracing.end(span, result.remote === 'failed' ? new Error(`groupSend ${group}: the backend was unreachable`) : undefined);
    return result;
  }

  async receive(channel: string): Promise<ChannelMessage> {
    const message = await this.inner.receive(channel);
    if (typeof message.__traceparent !== 'string') return message;
    const carrier: Record<string, string> = {};
    const rest: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(message)) {
      const header = key === '__traceparent' ? 'traceparent' : key === '__tracestate' ? 'tracestate' : undefined;
      if (header === undefined) rest[key] = value;
      else if (typeof value === 'string') carrier[header] = value;
    }
    const stripped = rest as ChannelMessage;
    if (isFrameworkMessage(message)) frameworkMessage(stripped);
    const tracing = this.tracing;
    deliveries.set(stripped, {
      async handle(run, destination = channel) {
        const span = tracing.startDelivery(destination, carrier);
        try {
          const value = await tracing.run(span, run);
          tracing.end(span);
          return value;
        } catch (error) {
          tracing.end(span, error);
          throw error;
        }
      },
    });
    return stripped;
  }

  newChannel(prefix?: string, options?: NewChannelOptions): Promise<string> {
    return this.inner.newChannel(prefix, options);
  }

  groupAdd(group: string, channel: string): Promise<void> {
    return this.inner.groupAdd(group, channel);
  }

  groupDiscard(group: string, channel: string): Promise<void> {
    return this.inner.groupDiscard(group, channel);
  }

  flush(): Promise<void> {
    return this.inner.flush();
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  stats(): ChannelLayerStats {
    return this.inner.stats();
  }

  /** A producer span for `operation` on `destination`, and `message` with its context in the reserved fields. */
  private publish(operation: string, destination: string, message: ChannelMessage) {
    const { span, carrier } = this.tracing.startPublish(operation, destination);
    const traced: Record<string, unknown> = { ...message };
    for (const [header, field] of Object.entries(TRACE_FIELDS)) if (carrier[header] !== undefined) traced[field] = carrier[header];
    const copy = traced as ChannelMessage;
    if (isFrameworkMessage(message)) frameworkMessage(copy);
    return { span, traced: copy };
  }
}
