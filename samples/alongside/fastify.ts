/**
 * Starwire next to Fastify: Fastify answers `/api/...`; Starwire serves its WebSocket routes on
 * `fastify.server` (through `app.attach`) and its HTTP routes (from an `onRequest` hook) under
 * `/live`. `fastify.close()` shuts both down.
 *
 *   npx tsc -p . && node dist/samples/alongside/fastify.js     # PORT (8000) and HOST (127.0.0.1) apply
 *   curl http://127.0.0.1:8000/api/hello?name=you              # Fastify
 *   curl http://127.0.0.1:8000/live/status                     # Starwire, HTTP
 *   ws://127.0.0.1:8000/live/echo                              # Starwire, WebSocket: send {"text":"hi"}
 */
import type { AddressInfo } from 'node:net';
import { type FastifyInstance, fastify } from 'fastify';
import type { App } from '../../index';
import { createLiveApp, isLivePath } from './live';

export interface FastifyAlongside {
  readonly fastify: FastifyInstance;
  readonly app: App;
}

/**
 * Builds the Fastify instance with the Starwire app attached to its server, ready to listen.
 *
 * @example
 * const { fastify } = await createFastifyAlongside();
 * await fastify.listen({ port: 8000, host: '127.0.0.1' });
 * // shutdown: await fastify.close(); its preClose hook closes the Starwire app first
 */
export async function createFastifyAlongside(): Promise<FastifyAlongside> {
  const app = createLiveApp();
  const web = fastify();
  web.get<{ Querystring: { name?: string } }>('/api/hello', async (request) => ({ hello: request.query.name ?? 'world' }));
  web.post('/api/echo', async (request) => ({ echo: request.body }));
  // onRequest runs before Fastify reads the body, so Starwire gets the untouched request.
  web.addHook('onRequest', async (request, reply) => {
    if (!isLivePath(request.url)) return;
    reply.hijack();
    app.requestListener(request.raw, reply.raw);
    return reply;
  });
  web.addHook('onReady', () => app.startup());
  // preClose, not onClose: Fastify's server.close() waits for every socket, Starwire's
  // WebSockets too, so they must be closed (1001) before it.
  web.addHook('preClose', () => app.close());
  await web.ready();
  // fastify.server is the node:http server listen() will bind; attach before listening so
  // no upgrade reaches Fastify's router (which would answer it as a plain GET).
  app.attach(web.server);
  return { fastify: web, app };
}

if (require.main === module) {
  const port = Number(process.env.PORT ?? 8000);
  const host = process.env.HOST ?? '127.0.0.1';
  createFastifyAlongside()
    .then(async ({ fastify: web }) => {
      await web.listen({ port, host });
      const bound = (web.server.address() as AddressInfo).port;
      console.log(`Fastify + Starwire on http://${host}:${bound} (/api/hello, /live/status, ws /live/echo)`);
      const stop = (): void => void web.close();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    })
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
}
