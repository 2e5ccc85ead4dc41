import type * as OtelApi from '@opentelemetry/api';
import type { Context, Span, TextMapGetter, TextMapSetter, Tracer } from '@opentelemetry/api';
import { loadOtelApi } from './otel-loader';

/**
 * What `new App({ tracing })` takes: `true` traces through the tracer provider registered with
 * `@opentelemetry/api` (a no-op until an SDK registers one); `{ tracer }` uses that tracer.
 * Incoming and outgoing trace context goes through the globally registered propagator
 * (the SDK's default is W3C `traceparent`).
 *
 * @example
 * const app = new App({ routes, tracing: true });
 * const traced = new App({ routes, tracing: { tracer: trace.getTracer('my-service') } });
 */
export type TracingOption = boolean | { tracer?: Tracer };

/** A header reader: the value of one lower-case header, or undefined. */
export type HeaderReader = (name: string) => string | string[] | undefined;

const headerGetter: TextMapGetter<HeaderReader> = {
  keys: () => ['traceparent', 'tracestate'],
  get: (read, key) => read(key),
};

const recordSetter: TextMapSetter<Record<string, string>> = {
  set: (carrier, key, value) => {
    carrier[key] = value;
  },
};

const recordGetter: TextMapGetter<Record<string, string>> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => carrier[key],
};

/**
 * Starwire's spans, made only when tracing is on: the App holds an instance or undefined, so the
 * untraced path allocates nothing. Spans follow OpenTelemetry's HTTP semantic conventions.
 */
export class Tracing {
  private readonly api: typeof OtelApi;
  private readonly tracer: Tracer;

  constructor(option: Exclude<TracingOption, false>, user = 'new App({ tracing })') {
    this.api = loadOtelApi(user);
    this.tracer = (option !== true && option.tracer) || this.api.trace.getTracer('starwire');
  }

  /** The context carried by `traceparent` / `tracestate`, read through `read`. */
  extract(read: HeaderReader): Context {
    return this.api.propagation.extract(this.api.ROOT_CONTEXT, read, headerGetter);
  }

  /** A server span for an HTTP request, a child of the incoming trace context. */
  startHttp(method: string, route: string | undefined, path: string, read: HeaderReader): Span {
    const attributes: Record<string, string> = { 'http.request.method': method, 'url.path': path };
    if (route !== undefined) attributes['http.route'] = route;
    return this.tracer.startSpan(
      route === undefined ? method : `${method} ${route}`,
      { kind: this.api.SpanKind.SERVER, attributes },
      this.extract(read),
    );
  }

  /** Ends an HTTP span with its status; a 5xx, or a thrown error, marks it as an error. */
  endHttp(span: Span, status: number, error: unknown): void {
    span.setAttribute('http.response.status_code', status);
    if (status >= 500) {
      if (error instanceof Error) span.recordException(error);
      span.setStatus({ code: this.api.SpanStatusCode.ERROR, ...(error instanceof Error ? { message: error.message } : {}) });
      span.setAttribute('error.type', error instanceof Error ? error.constructor.name : String(status));
    }
    span.end();
  }

  /**
   * A server span for a WebSocket connection, from its upgrade request to its close; `WS` alone,
   * without `http.route`, for an upgrade no route took (a malformed or unrouted path).
   */
  startWebSocket(route: string | undefined, path: string, read: HeaderReader): Span {
    const attributes: Record<string, string> = { 'url.path': path, 'network.protocol.name': 'websocket' };
    if (route !== undefined) attributes['http.route'] = route;
    return this.tracer.startSpan(
      route === undefined ? 'WS' : `WS ${route}`,
      { kind: this.api.SpanKind.SERVER, attributes },
      this.extract(read),
    );
  }

  /**
   * Ends a WebSocket connection span with its close code, or with the HTTP status its handshake
   * was refused with (a 5xx refusal marks it as an error, as a 5xx answer does).
   */
  endWebSocket(span: Span, code: number | undefined, refusedWith?: number): void {
    if (refusedWith !== undefined) {
      span.setAttribute('http.response.status_code', refusedWith);
      if (refusedWith >= 500) {
        span.setStatus({ code: this.api.SpanStatusCode.ERROR });
        span.setAttribute('error.type', String(refusedWith));
      }
    } else {
      if (code !== undefined) span.setAttribute('websocket.close.code', code);
      if (code !== undefined && code >= 1011 && code <= 1014) span.setStatus({ code: this.api.SpanStatusCode.ERROR });
    }
    span.end();
  }

  /** A span for one handled message, a child of its connection's span. */
  startMessage(name: string, parent: Span): Span {
    return this.tracer.startSpan(name, { kind: this.api.SpanKind.INTERNAL }, this.api.trace.setSpan(this.api.context.active(), parent));
  }

  /** Ends a span, marking it as an error when `error` is set. */
  end(span: Span, error?: unknown): void {
    if (error !== undefined) {
      if (error instanceof Error) span.recordException(error);
      span.setStatus({ code: this.api.SpanStatusCode.ERROR, ...(error instanceof Error ? { message: error.message } : {}) });
    }
    span.end();
  }

  /** Runs `fn` with `span` as the active span (children made by handlers nest under it). */
  run<T>(span: Span, fn: () => T): T {
    return this.api.context.with(this.api.trace.setSpan(this.api.context.active(), span), fn);
  }

  /** A producer span for a channel-layer publish, with the trace context to carry in the message. */
  startPublish(operation: string, destination: string): { span: Span; carrier: Record<string, string> } {
    const span = this.tracer.startSpan(`${operation} ${destination}`, {
      kind: this.api.SpanKind.PRODUCER,
      attributes: { 'messaging.system': 'starwire', 'messaging.operation.name': operation, 'messaging.destination.name': destination },
    });
    const carrier: Record<string, string> = {};
    this.api.propagation.inject(this.api.trace.setSpan(this.api.context.active(), span), carrier, recordSetter);
    return { span, carrier };
  }

  /** A consumer span for a delivered channel-layer message, a child of its publisher's span. */
  startDelivery(channel: string, carrier: Record<string, string>): Span {
    const parent = this.api.propagation.extract(this.api.ROOT_CONTEXT, carrier, recordGetter);
    return this.tracer.startSpan(
      `process ${channel}`,
      {
        kind: this.api.SpanKind.CONSUMER,
        attributes: { 'messaging.system': 'starwire', 'messaging.operation.name': 'process', 'messaging.destination.name': channel },
      },
      parent,
    );
  }
}
