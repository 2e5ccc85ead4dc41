import { createServer, type IncomingMessage, type Server } from 'node:http';
import { connect as netConnect } from 'node:net';
import type { Duplex } from 'node:stream';
import express from 'express';
import { type FastifyInstance, fastify } from 'fastify';
import type { App } from '../../lib/app';
import { WAIT, within } from './ws-client';

/** A server's `upgrade` listener, as the framework's owner would add one. */
export type UpgradeListener = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

export interface HostInit {
  /** An `upgrade` listener of their own, registered before `app.attach()`. */
  readonly theirs?: UpgradeListener;
  /** Whether to call `app.attach()` before listening (default true). */
  readonly attach?: boolean;
}

/** A framework listening on 127.0.0.1 with a free port. */
export interface Hosted {
  readonly server: Server;
  readonly port: number;
  /** `http://127.0.0.1:port` */
  readonly http: string;
  /** `ws://127.0.0.1:port` */
  readonly ws: string;
  /** The framework's own shutdown; resolves with the error its server's close reported, if any. */
  close(): Promise<Error | undefined>;
}

/**
 * Express or Fastify with one route of their own, `GET /theirs/hello` → `{ framework }`, and
 * their stock 404.
 */
export interface FrameworkHost {
  readonly name: 'Express' | 'Fastify';
  start(app: App, init?: HostInit): Promise<Hosted>;
  /** True when `body` is this framework's own 404 page for a GET of `path`. */
  isTheirNotFound(body: string, path: string): boolean;
}

function hosted(server: Server, close: () => Promise<Error | undefined>): Hosted {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('The framework is not listening on a TCP port');
  return { server, port: address.port, http: `http://127.0.0.1:${address.port}`, ws: `ws://127.0.0.1:${address.port}`, close };
}

export const expressHost: FrameworkHost = {
  name: 'Express',
  async start(app, init = {}) {
    const web = express();
    web.get('/theirs/hello', (_req, res) => {
      res.json({ framework: 'express' });
    });
    const server = createServer(web);
    if (init.theirs) server.on('upgrade', init.theirs);
    if (init.attach !== false) app.attach(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return hosted(server, () => new Promise((resolve) => server.close((error) => resolve(error))));
  },
  isTheirNotFound: (body, path) => body.includes(`Cannot GET ${path}`),
};

/** Fastify with the same route; `instance` exposes the Fastify object for its own specs. */
export async function startFastify(
  app: App,
  init: HostInit = {},
  configure?: (instance: FastifyInstance) => void,
): Promise<Hosted & { instance: FastifyInstance }> {
  const instance = fastify();
  instance.get('/theirs/hello', async () => ({ framework: 'fastify' }));
  configure?.(instance);
  await instance.ready();
  if (init.theirs) instance.server.on('upgrade', init.theirs);
  if (init.attach !== false) app.attach(instance.server);
  await instance.listen({ port: 0, host: '127.0.0.1' });
  return {
    ...hosted(instance.server, async () => {
      await instance.close();
      return undefined;
    }),
    instance,
  };
}

export const fastifyHost: FrameworkHost = {
  name: 'Fastify',
  start: (app, init) => startFastify(app, init),
  isTheirNotFound: (body, path) => body.includes(`Route GET:${path} not found`),
};

/** What a raw handshake got back, and whether the server closed the connection. */
export interface RawAnswer {
  readonly status: number;
  readonly head: string;
  readonly body: string;
  /** The server ended the connection (rather than keeping it alive). */
  readonly closed: boolean;
}

/**
 * Sends a WebSocket handshake for `path` over a bare TCP socket and reads the answer: resolves
 * once the server closes the connection, or once a complete response (101, or a body of its
 * Content-Length) is in while the connection stays open. Rejects after `WAIT` ms.
 */
export function rawUpgrade(port: number, path: string): Promise<RawAnswer> {
  const socket = netConnect(port, '127.0.0.1');
  const answer = new Promise<RawAnswer>((resolve, reject) => {
    let data = '';
    const parse = (closed: boolean): RawAnswer | undefined => {
      const end = data.indexOf('\r\n\r\n');
      if (end === -1) return undefined;
      const head = data.slice(0, end);
      const body = data.slice(end + 4);
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
      const length = /\r\ncontent-length: *(\d+)/i.exec(head);
      const complete = status === 101 || (length !== null && Buffer.byteLength(body, 'latin1') >= Number(length[1]));
      return closed || complete ? { status, head, body, closed } : undefined;
    };
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      data += chunk;
      const response = parse(false);
      if (response) resolve(response);
    });
    socket.on('close', () => {
      const response = parse(true);
      if (response) resolve(response);
      else reject(new Error(`The server closed without a complete response: ${JSON.stringify(data)}`));
    });
    socket.on('error', reject);
    socket.write(
      [
        `GET ${path} HTTP/1.1`,
        'Host: 127.0.0.1',
        'Connection: Upgrade',
        'Upgrade: websocket',
        'Sec-WebSocket-Version: 13',
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
        '',
        '',
      ].join('\r\n'),
    );
  });
  // A response that completes while open is settled before 'close'; give the close a moment to come.
  const settled = answer.then((response) =>
    response.closed || response.status === 101
      ? response
      : new Promise<RawAnswer>((resolve) => {
          const timer = setTimeout(() => resolve(response), 200);
          socket.once('close', () => {
            clearTimeout(timer);
            resolve({ ...response, closed: true });
          });
        }),
  );
  return within(settled, WAIT, `the answer to an upgrade of ${path}`).finally(() => socket.destroy());
}
