import { strict as assert } from 'node:assert';
import { getJson, killAll, StarwireProcess } from '../../support/cli-process';
import { parseExposition, sampleValue, scrape } from '../../support/prometheus-text';

describe('GET /metrics under starwire serve --workers (lib/server/cluster-metrics.ts)', function () {
  this.timeout(20_000);
  afterEach(() => killAll());

  it('one scrape answers the sum over two workers', async () => {
    const served = new StarwireProcess(['serve', 'dist/spec/fixtures/cli-apps.js:withMetrics', '--port', '0', '--workers', '2']);
    const port = await served.port(10_000);
    // Fresh connections go round-robin: both workers answer some of them.
    const pids = new Set<number>();
    for (let i = 0; i < 20; i++) pids.add(((await getJson(port, '/pid')).body as { pid: number }).pid);
    assert.equal(pids.size, 2, 'two workers answered');

    const answer = await scrape(port);
    assert.equal(answer.status, 200);
    const samples = parseExposition(answer.body);
    assert.equal(sampleValue(samples, 'starwire_http_requests_total', { method: 'GET', route: '/pid', status: '200' }), 20);
    assert.equal(sampleValue(samples, 'starwire_http_request_duration_seconds_count', { method: 'GET', route: '/pid', status: '200' }), 20);
    // Two processes' heaps, summed.
    assert.ok((sampleValue(samples, 'nodejs_heap_size_total_bytes') ?? 0) > 0);
    served.signal('SIGTERM');
  });
});
