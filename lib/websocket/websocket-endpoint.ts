import type { Span } from '@opentelemetry/api';
import type { Endpoint } from '../routing/endpoint';
import type { InvalidMessagePolicy } from '../routing/routes';
import type { Tracing } from '../tracing/tracing';

/** A WebSocket route, compiled: the endpoint plus how its handler runs. */
export interface WebSocketEndpoint extends Endpoint {
  /** True for a message handler (it injects `Message`): runs once per message. */
  readonly perMessage: boolean;
  readonly onInvalidMessage: InvalidMessagePolicy;
}

/** A traced connection: its span, parent of one span per handled message. */
export interface ConnectionTrace {
  readonly tracing: Tracing;
  readonly span: Span;
}
