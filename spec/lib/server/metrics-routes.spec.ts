import { strict as assert } from 'node:assert';
import { App, inject, metricsRoutes, Route, TestClient } from '../../../index';
import { parseExposition, sampleValue } from '../../support/prometheus-text';

const home = new Route(
  '/',
  'GET',
  inject([], () => ({ ok: true })),
);

describe('metricsRoutes() (lib/server/metrics-routes.ts)', () => {
  it('serves the text exposition at the path given, uncached, in process too', async () => {
    await using client = new TestClient(new App({ routes: [...metricsRoutes('/-/metrics'), home], metrics: { defaultMetrics: false } }));
    await client.get('/');
    const answer = await client.get('/-/metrics');
    assert.equal(answer.status, 200);
    assert.equal(answer.headers.get('cache-control'), 'no-store');
    const samples = parseExposition(await answer.text());
    assert.equal(sampleValue(samples, 'starwire_http_requests_total', { method: 'GET', route: '/', status: '200' }), 1);
    assert.equal(sampleValue(samples, 'process_cpu_user_seconds_total'), undefined);
    assert.equal((await client.get('/metrics')).status, 404);
  });

  it('answers HEAD like GET, and 404 with the reason while metrics are off', async () => {
    await using client = new TestClient(new App({ routes: metricsRoutes() }));
    const answer = await client.get('/metrics');
    assert.equal(answer.status, 404);
    assert.deepEqual(await answer.json(), { detail: 'Metrics are off: new App({ metrics: true }) turns them on' });
    assert.equal((await client.request('HEAD', '/metrics')).status, 404);
  });
});
