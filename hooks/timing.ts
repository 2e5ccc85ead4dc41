import { CurrentResponse } from '../components/current-response';
import { Scope } from '../components/scope';
import type { Response } from '../lib/http/response';
import { inject } from '../lib/inject/inject';

/**
 * Adds how long the app took to a response header (`server-timing: app;dur=1.234` by default,
 * milliseconds), for error responses too. List it first, so that it starts timing before any
 * other hook can refuse the request.
 *
 * @example
 * new App({ routes, hooks: [new Timing()] });
 */
export class Timing {
  readonly appliesTo = ['http'] as const;
  private readonly started = new WeakMap<Scope, bigint>();

  constructor(private readonly options: { header?: string } = {}) {}

  @inject([Scope])
  onRequest(scope: Scope): void {
    this.started.set(scope, process.hrtime.bigint());
  }

  @inject([Scope, CurrentResponse])
  onResponse(scope: Scope, response: Response): void {
    const start = this.started.get(scope);
    if (start === undefined) return;
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    const name = this.options.header ?? 'server-timing';
    response.setHeader(name, name === 'server-timing' ? `app;dur=${ms.toFixed(3)}` : ms.toFixed(3));
  }

  @inject([Scope, CurrentResponse])
  onError(scope: Scope, response: Response): void {
    this.onResponse(scope, response);
  }
}
