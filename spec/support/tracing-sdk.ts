import { propagation, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';

export { SpanKind, SpanStatusCode };

/** An SDK tracer whose finished spans land in memory, and the W3C propagator registered globally. */
export class TracingSdk {
  readonly exporter = new InMemorySpanExporter();
  readonly provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(this.exporter)] });
  readonly tracer = this.provider.getTracer('starwire-spec');

  constructor() {
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  }

  spans(): ReadableSpan[] {
    return this.exporter.getFinishedSpans();
  }

  /** The one finished span named `name`; fails when there is none or several. */
  span(name: string): ReadableSpan {
    const found = this.spans().filter((span) => span.name === name);
    if (found.length !== 1)
      throw new Error(
        `expected one span ${name}, got ${found.length} among ${this.spans()
          .map((s) => s.name)
          .join(', ')}`,
      );
    return found[0];
  }

  /** Waits until a span named `name` has finished. */
  async waitFor(name: string, ms = 2000): Promise<ReadableSpan> {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      const found = this.spans().find((span) => span.name === name);
      if (found) return found;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(
      `no span ${name} within ${ms} ms; got ${this.spans()
        .map((s) => s.name)
        .join(', ')}`,
    );
  }

  async shutdown(): Promise<void> {
    propagation.disable();
    await this.provider.shutdown();
  }
}

/** A remote parent: trace 0af7651916cd43dd8448eb211c80319c, span b7ad6b7169203331, sampled. */
export const REMOTE_TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
export const REMOTE_SPAN_ID = 'b7ad6b7169203331';
export const TRACEPARENT = `00-${REMOTE_TRACE_ID}-${REMOTE_SPAN_ID}-01`;
