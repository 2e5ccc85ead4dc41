import type { Builtin } from '../lib/inject/resolver';
import { Request, requestProvider } from './request';
import { Scope, scopeProvider } from './scope';
import { WebSocket, webSocketProvider } from './websocket';

/** The values Starwire provides by itself; `App({ components })` can replace any of them. */
export function builtins(extra: ReadonlyMap<unknown, Builtin> = new Map()): Map<unknown, Builtin> {
  const map = new Map<unknown, Builtin>([
    [Request, requestProvider],
    [Scope, scopeProvider],
    [WebSocket, webSocketProvider],
  ]);
  for (const [token, builtin] of extra) map.set(token, builtin);
  return map;
}
