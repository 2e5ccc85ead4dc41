import { ClientDisconnect } from '../lib/errors/exceptions';
import type { Connection } from '../lib/inject/connection';
import type { Builtin } from '../lib/inject/resolver';
import { Offload } from '../lib/offload/offload';
import type { OffloadPool } from '../lib/offload/offload-pool';
import type { WebSocket } from '../lib/websocket/websocket';

export { Offload } from '../lib/offload/offload';

/** One `Offload` per connection: its signal watches the client once, however often it is injected. */
const perConnection = new WeakMap<Connection, Offload>();

/**
 * How handlers get the `Offload` token: the app's pool, with a signal that aborts when this
 * connection's client leaves (an HTTP request's socket closes, a WebSocket closes), which
 * terminates the task it is running.
 */
export function offloadProvider(pool: () => OffloadPool): Builtin {
  return {
    kinds: ['http', 'websocket'],
    provider: (connection) => {
      let offload = perConnection.get(connection);
      if (!offload) perConnection.set(connection, (offload = new Offload(pool(), disconnectSignal(connection))));
      return offload;
    },
    hint: '',
  };
}

function disconnectSignal(connection: Connection): AbortSignal {
  const controller = new AbortController();
  const ws = connection.websocket as WebSocket | undefined;
  if (ws) {
    void ws.done.then(() => controller.abort(new ClientDisconnect('The WebSocket closed; the offloaded task was cancelled')));
  } else {
    const stop = connection.scope.source.watchClose?.(() =>
      controller.abort(new ClientDisconnect('The client aborted the request; the offloaded task was cancelled')),
    );
    if (stop) connection.onDispose(stop);
  }
  return controller.signal;
}
