import type { IncomingMessage, Server, ServerResponse } from 'node:http';

/**
 * Stops `servers` accepting and resolves once each has closed, running `whileDraining` (closing
 * the WebSockets, awaiting their handlers) in between.
 *
 * Node keeps a keep-alive connection open after its response (keepAliveTimeout, 5 s) even once
 * its server is closed: answers from now on end theirs, and a connection whose request was in
 * flight is closed as soon as it goes idle.
 */
export async function drainServers(servers: readonly Server[], whileDraining: () => Promise<void>): Promise<void> {
  // Stop accepting first, so nothing new arrives while sockets close and handlers finish.
  const stopped = Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  for (const server of servers) server.prependListener('request', endKeepAlive);
  const sweep = (): void => {
    for (const server of servers) server.closeIdleConnections?.();
  };
  sweep();
  const sweeper = setInterval(sweep, 50);
  try {
    await whileDraining();
    await stopped;
  } finally {
    clearInterval(sweeper);
  }
}

/** During shutdown: the response ends its keep-alive connection. */
function endKeepAlive(_req: IncomingMessage, res: ServerResponse): void {
  res.setHeader('connection', 'close');
}
