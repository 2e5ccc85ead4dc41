/**
 * The three servers `bench/http.ts` compares, each running the same logic:
 * GET /hello?name=x → read `name` (default 'world'), get a Greeter made for this request,
 * set `x-handled-by` from a hook, answer `{"message":"hello x"}` as JSON.
 *
 * Run one: `node dist/bench/support/http-servers.js <starwire|node|fastify> [port]`
 * (port 0, the default, picks a free one). Forked, it speaks child-server.ts's IPC protocol;
 * run by hand, it prints its URL.
 */
import 'reflect-metadata';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fastify } from 'fastify';
import { App, CurrentResponse, component, inject, QueryParam, type Response, Route } from '../../index';
import { serveChildProtocol } from './child-server';

/** `starwire-metrics` is the same app with Prometheus metrics on (`metrics: true`), to price them. */
export const SYSTEMS = ['starwire', 'starwire-metrics', 'node', 'fastify'] as const;
export type System = (typeof SYSTEMS)[number];

export function isSystem(name: string): name is System {
  return (SYSTEMS as readonly string[]).includes(name);
}

/** The service every system builds once per request, so each pays for a per-request object. */
export class Greeter {
  greet(name: string): string {
    return `hello ${name}`;
  }
}

class HandledBy {
  @inject([CurrentResponse])
  onResponse(response: Response): void {
    response.setHeader('x-handled-by', 'starwire');
  }
}

function starwireApp(metrics: boolean): App {
  // 'request' scope on purpose: the benchmark should include Starwire's per-request DI cost.
  const greeter = component(Greeter, [], () => new Greeter(), { scope: 'request' });
  const hello = inject([QueryParam('name'), Greeter], (name, greeter) => ({ message: greeter.greet(name ?? 'world') }));
  return new App({ routes: [new Route('/hello', 'GET', hello)], components: [greeter], hooks: [HandledBy], metrics });
}

function starwire(port: number): Promise<Server> {
  return starwireApp(false).listen(port, '127.0.0.1');
}

function starwireMetrics(port: number): Promise<Server> {
  return starwireApp(true).listen(port, '127.0.0.1');
}

function node(port: number): Promise<Server> {
  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    const mark = url.indexOf('?');
    const path = mark === -1 ? url : url.slice(0, mark);
    if (req.method !== 'GET' || path !== '/hello') {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"detail":"Not Found"}');
      return;
    }
    const name = mark === -1 ? null : new URLSearchParams(url.slice(mark + 1)).get('name');
    const body = JSON.stringify({ message: new Greeter().greet(name ?? 'world') });
    res.setHeader('x-handled-by', 'node');
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

async function fastifyServer(port: number): Promise<Server> {
  // No response schema: Starwire and raw node serialize with JSON.stringify, so Fastify does too.
  const app = fastify({ logger: false });
  app.addHook('onRequest', (_request, reply, done) => {
    reply.header('x-handled-by', 'fastify');
    done();
  });
  app.get<{ Querystring: { name?: string } }>('/hello', async (request) => ({
    message: new Greeter().greet(request.query.name ?? 'world'),
  }));
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
  else console.log(`${system} listening on http://127.0.0.1:${port}/hello?name=x`);
}

if (require.main === module) {
  run().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
