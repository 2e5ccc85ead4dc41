import type { Metric, Registry, RegistryContentType } from 'prom-client';

/** The route label of requests no route matched: never the raw path, whose values are unbounded. */
export const UNMATCHED_ROUTE = '<unmatched>';

/** prom-client's default upper bounds, seconds: 5 ms … 10 s. */
const DEFAULT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT']);

type Labels = { method: string; route: string; status: string };

/** One method, route and status: how many requests, the sum of their times, and a count per bucket. */
interface Series {
  readonly labels: Labels;
  count: number;
  sum: number;
  /** Requests per bucket (not cumulative); the last slot is past every bound (`+Inf`). */
  readonly buckets: Float64Array;
}

/** A sample as prom-client's registry prints and its cluster aggregator sums it. */
interface Sample {
  labels: Record<string, string | number>;
  value: number;
  metricName?: string;
}

/**
 * The HTTP request counter and duration histogram, kept in plain numbers and turned into
 * Prometheus samples only when scraped. prom-client's own `inc()` and `observe()` hash their
 * labels on every call (about 3 µs a request together); here a request costs three map reads,
 * a short scan of the bounds and three additions.
 *
 * @example
 * const http = new HttpMetrics(registry);
 * http.record('GET', '/users/{id}', 200, 0.004);   // what `App` does as each response is sent
 * await registry.metrics();                        // starwire_http_requests_total{…} 1 …
 */
export class HttpMetrics {
  /** route template → method → status → series. */
  private readonly byRoute = new Map<string, Map<string, Map<number, Series>>>();
  private readonly bounds: readonly number[];

  constructor(registry: Registry<RegistryContentType>, buckets: readonly number[] = DEFAULT_BUCKETS) {
    this.bounds = [...buckets].sort((a, b) => a - b);
    // `registry.resetMetrics()` starts the counts again, as it does prom-client's own metrics.
    const reset = () => this.byRoute.clear();
    const counter = new ScrapedMetric(
      'starwire_http_requests_total',
      'HTTP requests answered',
      'counter',
      () => this.series().map((series) => ({ labels: series.labels, value: series.count })),
      reset,
    );
    const histogram = new ScrapedMetric(
      'starwire_http_request_duration_seconds',
      'HTTP response time, from the request to its response written',
      'histogram',
      () => this.series().flatMap((series) => this.histogramSamples(series)),
      reset,
    );
    // prom-client's types admit only its own metric classes; its registry and cluster
    // aggregator read any object with these fields (name, help, type, aggregator, get, reset).
    registry.registerMetric(counter as unknown as Metric);
    registry.registerMetric(histogram as unknown as Metric);
  }

  /** One request answered with `status`, `seconds` after it arrived. */
  record(method: string, template: string | undefined, status: number, seconds: number): void {
    const route = template ?? UNMATCHED_ROUTE;
    let byMethod = this.byRoute.get(route);
    if (byMethod === undefined) this.byRoute.set(route, (byMethod = new Map()));
    // Methods outside the standard ones are one label: a client must not grow the series.
    const label = METHODS.has(method) ? method : 'OTHER';
    let byStatus = byMethod.get(label);
    if (byStatus === undefined) byMethod.set(label, (byStatus = new Map()));
    let series = byStatus.get(status);
    if (series === undefined) {
      const labels = { method: label, route, status: String(status) };
      byStatus.set(status, (series = { labels, count: 0, sum: 0, buckets: new Float64Array(this.bounds.length + 1) }));
    }
    const bounds = this.bounds;
    let bucket = 0;
    while (bucket < bounds.length && seconds > bounds[bucket]) bucket++;
    series.buckets[bucket]++;
    series.count++;
    series.sum += seconds;
  }

  private series(): Series[] {
    const all: Series[] = [];
    for (const byMethod of this.byRoute.values()) for (const byStatus of byMethod.values()) all.push(...byStatus.values());
    return all;
  }

  /** A series as Prometheus has it: cumulative `_bucket`s up to `+Inf`, then `_sum` and `_count`. */
  private histogramSamples(series: Series): Sample[] {
    const name = 'starwire_http_request_duration_seconds';
    const samples: Sample[] = [];
    let cumulative = 0;
    for (let i = 0; i < series.buckets.length; i++) {
      cumulative += series.buckets[i];
      const le = i < this.bounds.length ? this.bounds[i] : '+Inf';
      samples.push({ labels: { ...series.labels, le }, value: cumulative, metricName: `${name}_bucket` });
    }
    samples.push({ labels: series.labels, value: series.sum, metricName: `${name}_sum` });
    samples.push({ labels: series.labels, value: series.count, metricName: `${name}_count` });
    return samples;
  }
}

/** A metric whose samples are computed at scrape time, in the shape prom-client's registry reads. */
class ScrapedMetric {
  readonly aggregator = 'sum';

  constructor(
    // Not readonly: an OpenMetrics registry renames counters (it drops `_total`, then adds it per sample).
    public name: string,
    readonly help: string,
    readonly type: 'counter' | 'histogram',
    private readonly samples: () => Sample[],
    readonly reset: () => void,
  ) {}

  async get() {
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values: this.samples() };
  }
}
