import type { Builtin } from '../lib/inject/resolver';

export { type Query, Scope } from '../lib/http/scope';

/** How handlers and hooks get the `Scope` token: the connection's scope, HTTP and WebSocket alike. */
export const scopeProvider: Builtin = { kinds: ['http', 'websocket'], provider: (connection) => connection.scope, hint: '' };
