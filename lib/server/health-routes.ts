import { Scope } from '../../components/scope';
import * as status from '../errors/status';
import { JSONResponse } from '../http/response';
import { inject } from '../inject/inject';
import { Route } from '../routing/routes';

/** Where the health routes answer; `false` leaves one out. */
export interface HealthRoutesOptions {
  /** Alive: always 200 `{"status":"ok"}` while the process answers. Default `/healthz`. */
  liveness?: string | false;
  /** Ready for new traffic: 200, or 503 with the reasons (see `app.readiness()`). Default `/readyz`. */
  readiness?: string | false;
}

/** Probes must see the state of now, never a cached answer. */
const NO_STORE = { 'cache-control': 'no-store' };

const alive = inject([], () => new JSONResponse({ status: 'ok' }, { headers: NO_STORE }));

const ready = inject([Scope], (scope) => {
  const { ready, reasons } = scope.app.readiness();
  if (ready) return new JSONResponse({ status: 'ok' }, { headers: NO_STORE });
  return new JSONResponse({ status: 'unavailable', reasons }, { status: status.HTTP_503_SERVICE_UNAVAILABLE, headers: NO_STORE });
});

/**
 * Ready-made probe routes for process managers and load balancers, listed among an app's
 * routes: `GET /healthz` (liveness: 200 `{"status":"ok"}`) and `GET /readyz` (readiness: 200
 * `{"status":"ok"}`, or 503 `{"status":"unavailable","reasons":[...]}` while the app starts,
 * drains after SIGTERM or `app.close()`, or its channel layer cannot reach Redis). HEAD works
 * too. The app's hooks run on them as on any route, so an auth hook on the whole app guards
 * them as well: mount such hooks on an `Include` instead.
 *
 * @example
 * const app = new App({ routes: [...healthRoutes(), new Route('/', 'GET', home)] });
 * // or elsewhere: healthRoutes({ liveness: '/-/alive', readiness: '/-/ready' })
 */
export function healthRoutes(options: HealthRoutesOptions = {}): Route[] {
  const routes: Route[] = [];
  const liveness = options.liveness ?? '/healthz';
  const readiness = options.readiness ?? '/readyz';
  if (liveness !== false) routes.push(new Route(liveness, 'GET', alive));
  if (readiness !== false) routes.push(new Route(readiness, 'GET', ready));
  return routes;
}
