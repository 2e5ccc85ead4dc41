import { strict as assert } from 'node:assert';
import { AggregatorRegistry, Histogram, type OpenMetricsContentType, Registry } from 'prom-client';
import { HttpMetrics, UNMATCHED_ROUTE } from '../../../index';
import { parseExposition, type Sample } from '../../support/prometheus-text';

const DURATION = 'starwire_http_request_duration_seconds';

/** The samples of `name` (and its `_bucket`/`_sum`/`_count`), keyed by their sorted labels. */
function keyed(samples: readonly Sample[], name: string): Map<string, number> {
  const found = new Map<string, number>();
  for (const sample of samples) {
    if (!sample.name.startsWith(name)) continue;
    const labels = Object.entries(sample.labels).sort(([a], [b]) => a.localeCompare(b));
    found.set(`${sample.name}${JSON.stringify(labels)}`, sample.value);
  }
  return found;
}

describe('HttpMetrics (lib/server/http-metrics.ts)', () => {
  it("prints the same histogram that prom-client's own Histogram prints for the same requests", async () => {
    const ours = new Registry();
    const theirs = new Registry();
    const metrics = new HttpMetrics(ours);
    const reference = new Histogram({ name: DURATION, help: 'x', labelNames: ['method', 'route', 'status'], registers: [theirs] });
    // On a bound, between bounds, past the last one, and a second series.
    const seen: [string, string, number, number][] = [
      ['GET', '/a/{id}', 200, 0.005],
      ['GET', '/a/{id}', 200, 0.007],
      ['GET', '/a/{id}', 200, 0.3],
      ['GET', '/a/{id}', 200, 42],
      ['POST', '/a/{id}', 201, 0],
      ['GET', '/a/{id}', 404, 10],
    ];
    for (const [method, route, status, seconds] of seen) {
      metrics.record(method, route, status, seconds);
      reference.observe({ method, route, status: String(status) }, seconds);
    }
    const expected = keyed(parseExposition(await theirs.metrics()), DURATION);
    assert.equal(expected.size, 3 * 14);
    assert.deepEqual(keyed(parseExposition(await ours.metrics()), DURATION), expected);
  });

  it('counts requests by method, route template and status, with odd methods as OTHER and no route as <unmatched>', async () => {
    const registry = new Registry();
    const metrics = new HttpMetrics(registry);
    metrics.record('GET', '/x', 200, 0.001);
    metrics.record('GET', '/x', 200, 0.001);
    metrics.record('BREW', '/x', 405, 0.001);
    metrics.record('PROPFIND', '/x', 405, 0.001);
    metrics.record('GET', undefined, 404, 0.001);
    const samples = parseExposition(await registry.metrics()).filter((sample) => sample.name === 'starwire_http_requests_total');
    const rows = samples.map((sample) => `${sample.labels.method} ${sample.labels.route} ${sample.labels.status} ${sample.value}`).sort();
    assert.deepEqual(rows, ['GET /x 200 2', `GET ${UNMATCHED_ROUTE} 404 1`, 'OTHER /x 405 2']);
  });

  it('takes its own buckets in any order, and starts again on registry.resetMetrics()', async () => {
    const registry = new Registry();
    const metrics = new HttpMetrics(registry, [1, 0.1]);
    metrics.record('GET', '/x', 200, 0.05);
    metrics.record('GET', '/x', 200, 0.5);
    const buckets = parseExposition(await registry.metrics())
      .filter((sample) => sample.name === `${DURATION}_bucket`)
      .map((sample) => `${sample.labels.le}=${sample.value}`);
    assert.deepEqual(buckets, ['0.1=1', '1=2', '+Inf=2']);
    registry.resetMetrics();
    assert.equal(parseExposition(await registry.metrics()).length, 0);
  });

  it('is summed by the cluster aggregator, and printed once with _total under OpenMetrics', async () => {
    const parts = await Promise.all(
      [1, 2].map(async (count) => {
        const registry = new Registry();
        const metrics = new HttpMetrics(registry);
        for (let i = 0; i < count; i++) metrics.record('GET', '/x', 200, 0.002);
        return registry.getMetricsAsJSON();
      }),
    );
    const summed = parseExposition(await AggregatorRegistry.aggregate(parts).metrics());
    const total = summed.find((sample) => sample.name === 'starwire_http_requests_total');
    assert.equal(total?.value, 3);
    assert.equal(summed.find((sample) => sample.name === `${DURATION}_count`)?.value, 3);

    const open = new Registry<OpenMetricsContentType>();
    open.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
    new HttpMetrics(open).record('GET', '/x', 200, 0.002);
    const text = await open.metrics();
    assert.match(text, /^starwire_http_requests_total\{method="GET",route="\/x",status="200"\} 1$/m);
    assert.doesNotMatch(text, /_total_total/);
  });
});
