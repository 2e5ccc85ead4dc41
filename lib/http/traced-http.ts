import type { Connection } from '../inject/connection';
import { type MaybePromise, then } from '../inject/thenable';
import type { Endpoint } from '../routing/endpoint';
import type { Tracing } from '../tracing/tracing';
import type { IncomingSource } from './address';
import { serveHttp } from './http-pipeline';
import type { Response } from './response';

/**
 * `serveHttp` inside a server span, a child of the request's `traceparent`, with the endpoint's
 * route template as its name; the `finish` returned ends the span, then runs `finish`.
 */
export function serveTracedHttp(
  tracing: Tracing,
  endpoint: Endpoint,
  connection: Connection,
  source: IncomingSource,
  path: string,
  finish: () => MaybePromise<void>,
): { response: MaybePromise<Response>; finish: () => MaybePromise<void> } {
  const read = (name: string) => (source.header ? source.header(name) : source.headers[name]);
  const span = tracing.startHttp(source.method, endpoint.template, path, read);
  let status = 500;
  const response = then(
    tracing.run(span, () => serveHttp(endpoint, connection)),
    (answer) => {
      status = answer.status;
      return answer;
    },
  );
  return {
    response,
    finish: () => {
      tracing.endHttp(span, status, connection.error);
      return finish();
    },
  };
}
