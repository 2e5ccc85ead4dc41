/**
 * The servers `bench/http.ts` compares, each running the same logic:
 * GET /users/{id} with `x-api-key: bench` → a hook checks the key before the handler (401
 * `{"detail":"Unauthorized"}` without it), the id is read from the path as an integer (404 for
 * one that is not), a Greeter is made for this request, and the answer is
 * `{"id":42,"message":"hello user 42"}` as JSON.
 *
 * Run one: `node dist/bench/support/http-servers.js <starwire|starwire-metrics|node|fastify> [port]`
 * (port 0, the default, picks a free one). Forked, it speaks child-server.ts's IPC protocol;
 * run by hand, it prints its URL.
 */
import 'reflect-metadata';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fastify } from 'fastify';
import { App, component, Header, inject, JSONResponse, PathParam, Route } from '../../index';
import { serveChildProtocol } from './child-server';

/** `starwire-metrics` is the same app with Prometheus metrics on (`metrics: true`), to price them. */
export const SYSTEMS = ['starwire', 'starwire-metrics', 'node', 'fastify'] as const;
export type System = (typeof SYSTEMS)[number];

/** The key every request of the bench carries, and the hook of every system checks. */
export const API_KEY = 'bench';
const UNAUTHORIZED = '{"detail":"Unauthorized"}';

export function isSystem(name: string): name is System {
  return (SYSTEMS as readonly string[]).includes(name);
}

/** The service every system builds once per request, so each pays for a per-request object. */
export class Greeter {
  greet(id: number): { id: number; message: string } {
    return { id, message: `hello user ${id}` };
  }
}

class ApiKey {
  @inject([Header('x-api-key')])
  onRequest(key: string | undefined): JSONResponse | undefined {
    return key === API_KEY ? undefined : new JSONResponse({ detail: 'Unauthorized' }, { status: 401 });
  }
}

function starwireApp(metrics: boolean): App {
  // 'request' scope on purpose: the benchmark should include Starwire's per-request DI cost.
  const greeter = component(Greeter, [], () => new Greeter(), { scope: 'request' });
  const user = inject([PathParam('id', { type: 'integer' }), Greeter], (id, greeter) => greeter.greet(id));
  return new App({ routes: [new Route('/users/{id:int}', 'GET', user)], components: [greeter], hooks: [ApiKey], metrics });
}

function starwire(port: number): Promise<Server> {
  return starwireApp(false).listen(port, '127.0.0.1');
}

function starwireMetrics(port: number): Promise<Server> {
  return starwireApp(true).listen(port, '127.0.0.1');
}

const USER_PATH = /^\/users\/(-?\d+)$/;

function node(port: number): Promise<Server> {
  const send = (res: import('node:http').ServerResponse, status: number, body: string): void => {
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };
  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    const mark = url.indexOf('?');
    const match = req.method === 'GET' ? USER_PATH.exec(mark === -1 ? url : url.slice(0, mark)) : null;
    const id = match ? Number(match[1]) : Number.NaN;
    if (!Number.isSafeInteger(id)) return send(res, 404, '{"detail":"Not Found"}');
    if (req.headers['x-api-key'] !== API_KEY) return send(res, 401, UNAUTHORIZED);
    send(res, 200, JSON.stringify(new Greeter().greet(id)));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

async function fastifyServer(port: number): Promise<Server> {
  // No response schema: Starwire and raw node serialize with JSON.stringify, so Fastify does too.
  const app = fastify({ logger: false });
  app.addHook('onRequest', (request, reply, done) => {
    if (request.headers['x-api-key'] === API_KEY) done();
    else reply.code(401).type('application/json').send(UNAUTHORIZED);
  });
  app.get<{ Params: { id: number } }>(
    '/users/:id',
    { schema: { params: { type: 'object', properties: { id: { type: 'integer' } }, required: ['id'] } } },
    async (request) => new Greeter().greet(request.params.id),
  );
  await app.listen({ port, host: '127.0.0.1' });
  return app.server;
}

const START: Record<System, (port: number) => Promise<Server>> = {
  starwire,
  'starwire-metrics': starwireMetrics,
  node,
  fastify: fastifyServer,
};

async function run(): Promise<void> {
  const [system = '', portArg = '0'] = process.argv.slice(2);
  if (!isSystem(system)) throw new Error(`usage: http-servers.js <${SYSTEMS.join('|')}> [port]`);
  const server = await START[system](Number(portArg));
  const port = (server.address() as AddressInfo).port;
  if (process.send) serveChildProtocol(port);
  else console.log(`${system} listening on http://127.0.0.1:${port}/users/42 (x-api-key: ${API_KEY})`);
}

if (require.main === module) {
  run().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
