import type { Builtin } from '../lib/inject/resolver';

export { Request } from '../lib/http/request';

/** How handlers and hooks get the `Request` token: made on first use, on HTTP routes. */
export const requestProvider: Builtin = {
  kinds: ['http'],
  provider: (connection) => connection.request,
  hint: 'Request is only available on HTTP routes; inject Scope, which WebSocket routes have too',
};
