import { Scope } from '../../components/scope';
import { HTTPException } from '../errors/exceptions';
import * as status from '../errors/status';
import { Response } from '../http/response';
import { inject } from '../inject/inject';
import { Route } from '../routing/routes';

/** A scrape must see the figures of now, never a cached answer. */
const NO_STORE = { 'cache-control': 'no-store' };

const scrape = inject([Scope], async (scope) => {
  const metrics = scope.app.metrics;
  if (metrics === undefined)
    throw new HTTPException(status.HTTP_404_NOT_FOUND, 'Metrics are off: new App({ metrics: true }) turns them on');
  const { text, contentType } = await metrics.scrape();
  return new Response(text, { headers: { ...NO_STORE, 'content-type': contentType } });
});

/**
 * The ready-made Prometheus scrape route, `GET /metrics` (HEAD too), listed among an app's
 * routes: the text exposition of `app.metrics.registry` (HTTP by method, route template and
 * status; WebSocket, channel-layer and real-time figures; Node's process metrics). It needs
 * `new App({ metrics: true })` and the `prom-client` package; with metrics off it answers 404.
 * The app's hooks run on it as on any route, so guard it (or mount it on an `Include` without
 * the auth hook) as you would `/healthz`.
 *
 * @example
 * const app = new App({ routes: [...metricsRoutes(), new Route('/', 'GET', home)], metrics: true });
 * // or elsewhere: metricsRoutes('/-/metrics')
 */
export function metricsRoutes(path = '/metrics'): Route[] {
  return [new Route(path, 'GET', scrape)];
}
