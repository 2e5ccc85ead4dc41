import { Request } from '../../components/request';
import { Scope } from '../../components/scope';
import { WebSocket } from '../../components/websocket';
import type { Builtin } from './resolver';

/** The values Starwire provides by itself; `App({ components })` can replace any of them. */
export function builtins(extra: ReadonlyMap<unknown, Builtin> = new Map()): Map<unknown, Builtin> {
  const map = new Map<unknown, Builtin>([
    [Request, {
      kinds: ['http'],
      provider: (connection) => connection.request,
      hint: 'Request is only available on HTTP routes; inject Scope, which WebSocket routes have too',
    }],
    [Scope, { kinds: ['http', 'websocket'], provider: (connection) => connection.scope, hint: '' }],
    [WebSocket, {
      kinds: ['websocket'],
      provider: (connection) => connection.websocket,
      hint: 'WebSocket is only available on WebSocket routes',
    }],
  ]);
  for (const [token, builtin] of extra) map.set(token, builtin);
  return map;
}
