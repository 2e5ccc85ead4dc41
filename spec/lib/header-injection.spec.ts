import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { connect } from 'node:net';
import { PassThrough } from 'node:stream';
import { CurrentResponse } from '../../components/current-response';
import { WebSocket } from '../../components/websocket';
import { App } from '../../lib/app';
import { HTTPException } from '../../lib/errors/exceptions';
import { Response } from '../../lib/http/response';
import { inject } from '../../lib/inject/inject';
import { Route, WebSocketRoute } from '../../lib/routing/routes';
import { TestClient } from '../../lib/testing/test-client';
import { refuseSocket } from '../../lib/websocket/handshake';
import { within } from '../support/ws-client';

const INJECTED = 'a\r\nSet-Cookie: session=attacker';

/** What came back on a raw socket: every byte the server wrote, and how the connection ended. */
interface RawAnswer {
  status: number;
  text: string;
  reset: boolean;
}

/** Writes `request` on a raw TCP socket and reads every byte until the server ends the connection. */
function exchange(port: number, request: string): Promise<RawAnswer> {
  return within(
    new Promise<RawAnswer>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      const chunks: Buffer[] = [];
      const done = (reset: boolean): void => {
        const text = Buffer.concat(chunks).toString('latin1');
        resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0), text, reset });
      };
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      socket.on('end', () => done(false));
      socket.on('error', () => done(true));
      socket.write(request);
    }),
    5000,
    'the raw answer',
  );
}

const get = (path: string): string => `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`;

const upgrade = (path: string): string =>
  [
    `GET ${path} HTTP/1.1`,
    'Host: 127.0.0.1',
    'Connection: Upgrade',
    'Upgrade: websocket',
    'Sec-WebSocket-Version: 13',
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
    '',
    '',
  ].join('\r\n');

/** Sets a header after the checks a Response makes, as code reaching into `headers` would. */
function smuggled(): Response {
  const response = new Response('ok');
  (response.headers as Record<string, string>)['x-note'] = INJECTED;
  return response;
}

class HeaderHook {
  @inject([CurrentResponse])
  onResponse(response: Response): void {
    response.setHeader('x-hook', INJECTED);
  }
}

class RefusingHook {
  onRequest(): Response {
    return smuggled();
  }
}

function makeApp(logged: string[]): App {
  return new App({
    settings: {
      logError: (message, error) => {
        logged.push(`${message}: ${(error as Error | undefined)?.message}`);
      },
    },
    routes: [
      new Route('/handler', 'GET', () => new Response('ok', { headers: { 'x-note': INJECTED } })),
      new Route('/set-header', 'GET', () => new Response('ok').setHeader('x-note', INJECTED)),
      new Route('/smuggled', 'GET', () => smuggled()),
      new Route('/hook', 'GET', () => 'ok', { hooks: [HeaderHook] }),
      new Route('/exception', 'GET', () => {
        throw new HTTPException(401, 'Who are you?', { 'www-authenticate': INJECTED });
      }),
      new Route('/bad-status', 'GET', () => {
        throw new HTTPException(1000);
      }),
      new Route('/undefined-status', 'GET', () => {
        throw new HTTPException(undefined as unknown as number);
      }),
      new Route('/mutated-status', 'GET', () => {
        const response = new Response('ok');
        response.status = 1000;
        return response;
      }),
      new WebSocketRoute('/ws/exception', () => {
        throw new HTTPException(403, 'No', { 'x-reason': INJECTED });
      }),
      new WebSocketRoute(
        '/ws/refuse',
        inject([WebSocket], (ws) => ws.refuse(403, '{}', { 'x-reason': INJECTED })),
      ),
      new WebSocketRoute(
        '/ws/hook',
        inject([WebSocket], (ws) => ws.accept()),
        { hooks: [RefusingHook] },
      ),
      new WebSocketRoute('/ws/bad-status', () => {
        throw new HTTPException(99.5);
      }),
    ],
  });
}

describe('HTTPException and Response refuse what cannot be sent', () => {
  for (const value of [undefined, 1000, 99.5, 99, 600, NaN, '404']) {
    it(`new HTTPException(${String(value)}) is a TypeError naming the value`, () => {
      assert.throws(
        () => new HTTPException(value as number),
        (error: Error) =>
          error instanceof TypeError &&
          error.message.includes('100 to 599') &&
          error.message.includes(value === '404' ? "'404'" : String(value)),
      );
    });
  }

  it('new HTTPException(...) with a CR or LF in a header is a TypeError naming the header', () => {
    assert.throws(
      () => new HTTPException(401, 'no', { 'www-authenticate': INJECTED }),
      /HTTPException: header 'www-authenticate' has an invalid value/,
    );
    assert.throws(() => new HTTPException(401, 'no', { 'bad name': 'x' }), /header name 'bad name' is not a valid HTTP token/);
  });

  it('Response checks its status and headers when made and when a header is set', () => {
    assert.throws(() => new Response('x', { status: 1000 }), /Response: status must be an integer from 100 to 599, got 1000/);
    assert.throws(() => new Response('x', { headers: { 'x-a': 'b\nc' } }), TypeError);
    assert.throws(() => new Response('x').appendHeader('set-cookie', 'a=1\r\nx: y'), TypeError);
    assert.throws(() => new Response('x').setHeader('x-list', ['fine', 'not\0fine']), TypeError);
    assert.equal(new Response('x').setHeader('x-fine', 'tab\tand latin1 \xe9').getHeader('x-fine'), 'tab\tand latin1 \xe9');
  });
});

describe('A header with CR/LF or a bad status never reaches the wire', () => {
  const logged: string[] = [];
  let app: App;
  let server: Server;
  let port: number;
  before(async () => {
    app = makeApp(logged);
    server = await app.listen(0);
    port = App.portOf(server);
  });
  after(() => app.close());
  beforeEach(() => {
    logged.length = 0;
  });

  const cases: readonly [string, string][] = [
    ['a handler’s Response', '/handler'],
    ['a handler’s setHeader', '/set-header'],
    ['a header written straight into response.headers', '/smuggled'],
    ['an onResponse hook', '/hook'],
    ['an HTTPException’s headers', '/exception'],
    ['an HTTPException with status 1000', '/bad-status'],
    ['an HTTPException with status undefined', '/undefined-status'],
    ['a Response whose status was set to 1000', '/mutated-status'],
  ];
  for (const [what, path] of cases) {
    it(`${what}: the route answers 500 (not a reset, not 200), and the error is logged`, async () => {
      const answer = await exchange(port, get(path));
      assert.equal(answer.reset, false, 'the connection was reset');
      assert.equal(answer.status, 500, answer.text);
      assert.doesNotMatch(answer.text, /attacker/);
      assert.match(answer.text, /"detail":"Internal Server Error"/);
      assert.equal(logged.length, 1, logged.join('\n'));
      assert.match(logged[0], /x-note|x-hook|www-authenticate|1000|undefined/);
    });
  }

  it('the TestClient answers the same 500s', async () => {
    const client = new TestClient(makeApp([]));
    for (const [, path] of cases) assert.equal((await client.get(path)).status, 500, path);
  });

  const refusals: readonly [string, string][] = [
    ['an HTTPException raised before accept()', '/ws/exception'],
    ['a handler’s ws.refuse()', '/ws/refuse'],
    ['an onRequest hook’s Response', '/ws/hook'],
    ['an HTTPException with status 99.5', '/ws/bad-status'],
  ];
  for (const [what, path] of refusals) {
    it(`a WebSocket refusal from ${what} answers 500 and cannot add a Set-Cookie`, async () => {
      const answer = await exchange(port, upgrade(path));
      assert.equal(answer.status, 500, answer.text);
      assert.doesNotMatch(answer.text, /Set-Cookie|attacker/i);
      assert.equal(logged.length, 1, logged.join('\n'));
      assert.match(logged[0], /x-reason|x-note|99\.5/);
    });
  }
});

describe('refuseSocket (the raw bytes of a handshake refusal)', () => {
  it('writes a bare 500 instead of a header with CR/LF or a bad status', async () => {
    for (const [statusCode, headers] of [
      [403, { 'x-reason': INJECTED }],
      [1000, {}],
    ] as const) {
      const socket = new PassThrough();
      const written: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => written.push(chunk));
      refuseSocket(socket, statusCode, '{"detail":"no"}', headers);
      await new Promise((resolve) => setImmediate(resolve));
      const text = Buffer.concat(written).toString('latin1');
      assert.match(text, /^HTTP\/1\.1 500 Internal Server Error\r\n/);
      assert.doesNotMatch(text, /attacker|1000/);
      socket.destroy();
    }
  });
});
