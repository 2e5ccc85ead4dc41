import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Offload } from '../../../components/offload';
import { QueryParam } from '../../../components/query-param';
import { WebSocket } from '../../../components/websocket';
import { App } from '../../../lib/app';
import { ClientDisconnect } from '../../../lib/errors/exceptions';
import { inject } from '../../../lib/inject/inject';
import { Route, WebSocketRoute } from '../../../lib/routing/routes';
import { forEachClient } from '../../support/clients';
import { forEachTransport } from '../../support/ws-client';

type Work = typeof import('../../fixtures/offload-work');
const WORK = require.resolve('../../fixtures/offload-work');
const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Compiled by tsc with the specs (never called): `run` checks the export name, the arguments and the result. */
function typeChecks(offload: Offload): void {
  const sum: Promise<number> = offload.run<Work, 'add'>(WORK, 'add', [1, 2]);
  const digest: Promise<{ digest: string; mainThread: boolean }> = offload.run<Work, 'hash'>(WORK, 'hash', ['x']);
  // @ts-expect-error add takes numbers
  void offload.run<Work, 'add'>(WORK, 'add', [1, '2']);
  // @ts-expect-error add takes two arguments
  void offload.run<Work, 'add'>(WORK, 'add', [1]);
  // @ts-expect-error the module has no export "nope"
  void offload.run<Work, 'nope'>(WORK, 'nope', []);
  // @ts-expect-error writeLater resolves to a string, not a number
  const wrong: Promise<number> = offload.run<Work, 'writeLater'>(WORK, 'writeLater', ['/tmp/x', 1]);
  void [sum, digest, wrong];
}
void typeChecks;

/** What handlers saw of a cancelled task, by route. */
const seen: Record<string, unknown> = {};
const logged: string[] = [];

function makeApp(): App {
  return new App({
    offload: { maxThreads: 1, maxQueue: 1 },
    settings: { logError: (message, error) => logged.push(`${message}: ${(error as Error).message}`) },
    routes: [
      new Route(
        '/hash',
        'GET',
        inject([Offload, QueryParam('text')], (offload, text) => offload.run<Work, 'hash'>(WORK, 'hash', [text ?? ''])),
      ),
      new Route(
        '/spin',
        'GET',
        inject([Offload], (offload) => offload.run<Work, 'spin'>(WORK, 'spin', [300])),
      ),
      new Route(
        '/boom',
        'GET',
        inject([Offload], (offload) => offload.run<Work, 'boom'>(WORK, 'boom', [])),
      ),
      new Route(
        '/write',
        'GET',
        inject([Offload, QueryParam('file')], async (offload, file) => {
          try {
            return await offload.run<Work, 'writeLater'>(WORK, 'writeLater', [String(file), 500]);
          } catch (error) {
            seen.http = error;
            throw error;
          }
        }),
      ),
      new WebSocketRoute(
        '/spin',
        inject([WebSocket, Offload], async (ws, offload) => {
          await ws.accept();
          await ws.sendJson({ turns: await offload.run<Work, 'spin'>(WORK, 'spin', [300]) });
        }),
      ),
      new WebSocketRoute(
        '/write',
        inject([WebSocket, Offload, QueryParam('file')], async (ws, offload, file) => {
          await ws.accept();
          try {
            await offload.run<Work, 'writeLater'>(WORK, 'writeLater', [String(file), 500]);
          } catch (error) {
            seen.ws = error;
            throw error;
          }
        }),
      ),
    ],
  });
}

function tempFile(): string {
  return join(mkdtempSync(join(tmpdir(), 'offload-')), 'written');
}

describe('Offload', () => {
  beforeEach(() => {
    logged.length = 0;
    for (const key of Object.keys(seen)) delete seen[key];
  });

  describe('over HTTP', () => {
    forEachClient(makeApp, (client) => {
      it("answers with the worker's result", async () => {
        const response = await client().get('/hash?text=abc');
        assert.deepEqual(await response.json(), {
          digest: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
          mainThread: false,
        });
      });

      it('answers 503 to the request past the bounded queue', async () => {
        const statuses = (await Promise.all([1, 2, 3].map(() => client().get('/spin')))).map((response) => response.status);
        assert.deepEqual(statuses.sort(), [200, 200, 503]);
      });

      it('answers 500 with no detail nor stack when the worker throws, and logs it naming the export', async () => {
        const response = await client().get('/boom');
        assert.equal(response.status, 500);
        const text = await response.text();
        assert.deepEqual(JSON.parse(text), { detail: 'Internal Server Error' });
        assert.doesNotMatch(text, /secret|offload-work/);
        assert.equal(logged.length, 1);
        assert.match(logged[0], /Unhandled error in route GET \/boom: Offload boom in .*offload-work\.js failed: secret detail/);
      });
    });

    it('cancels the task when the client aborts its request: the worker never writes its file', async () => {
      const app = makeApp();
      const server = await app.listen(0);
      try {
        const file = tempFile();
        const request = httpRequest({
          port: App.portOf(server),
          host: '127.0.0.1',
          path: `/write?file=${encodeURIComponent(file)}`,
          agent: false,
        });
        request.on('error', () => {});
        request.end();
        await delay(150);
        request.destroy();
        await delay(700);
        assert.ok(seen.http instanceof ClientDisconnect, `the handler saw ${String(seen.http)}`);
        assert.equal(existsSync(file), false, 'the cancelled worker wrote its file');
        assert.deepEqual(logged, [], 'a client that left is not an error to report');
      } finally {
        await app.close();
      }
    });
  });

  describe('over WebSocket', () => {
    forEachTransport(makeApp, (transport) => {
      it('closes 1013 (try again later) the connection past the bounded queue', async () => {
        const endings = await Promise.all([1, 2, 3].map(() => transport().ending('/spin')));
        const codes = endings.map((ending) => ending.code).sort();
        assert.deepEqual(codes, [1000, 1000, 1013]);
        assert.equal(endings.find((ending) => ending.code === 1013)?.reason, 'Offload queue is full');
      });

      it('cancels the task when the WebSocket closes: the worker never writes its file', async () => {
        const file = tempFile();
        const peer = await transport().open(`/write?file=${encodeURIComponent(file)}`);
        await delay(150);
        await peer.close(1000);
        await delay(700);
        assert.ok(seen.ws instanceof ClientDisconnect, `the handler saw ${String(seen.ws)}`);
        assert.equal(existsSync(file), false, 'the cancelled worker wrote its file');
        assert.deepEqual(logged, []);
      });
    });
  });
});
