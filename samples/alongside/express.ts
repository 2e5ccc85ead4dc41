/**
 * Starwire next to Express on one `node:http` server: Express answers `/api/...`, Starwire
 * serves its WebSocket routes (through `app.attach`) and its HTTP routes (as middleware) under
 * `/live`.
 *
 *   npx tsc -p . && node dist/samples/alongside/express.js     # PORT (8000) and HOST (127.0.0.1) apply
 *   curl http://127.0.0.1:8000/api/hello?name=you              # Express
 *   curl http://127.0.0.1:8000/live/status                     # Starwire, HTTP
 *   ws://127.0.0.1:8000/live/echo                              # Starwire, WebSocket: send {"text":"hi"}
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Express } from 'express';
import type { App } from '../../index';
import { createLiveApp, isLivePath } from './live';

export interface ExpressAlongside {
  readonly express: Express;
  /** The server Express answers on; the Starwire app is attached to it. */
  readonly server: Server;
  readonly app: App;
}

/**
 * Builds the Express app, the server and the attached Starwire app; nothing listens yet.
 *
 * @example
 * const { server, app } = createExpressAlongside();
 * await app.startup();
 * server.listen(8000, '127.0.0.1');
 * // shutdown: app.close() closes Starwire's sockets with 1001, then stops and drains the server
 */
export function createExpressAlongside(): ExpressAlongside {
  const app = createLiveApp();
  const web = express();
  // First, and before any body parser: Starwire reads the request body itself. Plain
  // middleware, not `web.use('/live', ...)`, which would strip the prefix from req.url.
  web.use((req, res, next) => (isLivePath(req.url) ? app.requestListener(req, res) : next()));
  web.use(express.json());
  web.get('/api/hello', (req, res) => {
    res.json({ hello: typeof req.query.name === 'string' ? req.query.name : 'world' });
  });
  web.post('/api/echo', (req, res) => {
    res.json({ echo: req.body as unknown });
  });
  const server = createServer(web);
  // Upgrades for paths Starwire does not route are left to other `upgrade` listeners (none
  // here, so they get 404).
  app.attach(server);
  return { express: web, server, app };
}

/** Builds the sample, runs the app's startup handlers, and listens on `port` (0 picks a free one). */
export async function startExpressAlongside(port: number, host = '127.0.0.1'): Promise<ExpressAlongside> {
  const alongside = createExpressAlongside();
  await alongside.app.startup();
  await new Promise<void>((resolve, reject) => {
    alongside.server.once('error', reject);
    alongside.server.listen(port, host, () => {
      alongside.server.off('error', reject);
      resolve();
    });
  });
  return alongside;
}

if (require.main === module) {
  const port = Number(process.env.PORT ?? 8000);
  const host = process.env.HOST ?? '127.0.0.1';
  startExpressAlongside(port, host).then(
    ({ app, server }) => {
      const bound = (server.address() as AddressInfo).port;
      console.log(`Express + Starwire on http://${host}:${bound} (/api/hello, /live/status, ws /live/echo)`);
      const stop = (): void => void app.close();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
