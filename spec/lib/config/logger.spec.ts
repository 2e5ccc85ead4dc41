import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { Writable } from 'node:stream';
import pino from 'pino';
import { WebSocket as WsClient } from 'ws';
import { Body } from '../../../components/body';
import { RequestLogger } from '../../../components/request-logger';
import { WebSocket } from '../../../components/websocket';
import { App } from '../../../lib/app';
import { type AppLogger, Logger } from '../../../lib/config/logger';
import { inject } from '../../../lib/inject/inject';
import { Route, WebSocketRoute } from '../../../lib/routing/routes';

type Line = Record<string, unknown>;

const settle = (ms = 30): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** An app with a JSON route, a failing route, a logging route and an echo WebSocket. */
function loggedApp(options: { lines?: Line[]; logger?: AppLogger }): App {
  const echo = inject([WebSocket], async (ws) => {
    await ws.accept();
    for await (const message of ws) await ws.send(message);
  });
  return new App({
    routes: [
      new Route(
        '/items',
        'POST',
        inject([Body()], () => ({ ok: true })),
      ),
      new Route('/boom', 'GET', () => {
        throw new RangeError('the handler broke\non two lines');
      }),
      new Route(
        '/note',
        'GET',
        inject([RequestLogger], (log) => {
          log.info({ event: 'note.written', n: 1 }, 'a note');
          return { ok: true };
        }),
      ),
      new WebSocketRoute('/ws', echo),
    ],
    logger: options.logger,
    settings: options.lines
      ? { logLevel: 'info', logWrite: (line) => options.lines?.push(JSON.parse(line) as Line), websocket: { heartbeatInterval: 0 } }
      : { websocket: { heartbeatInterval: 0 } },
  });
}

/** Opens a WebSocket, echoes one message, closes with 4001; returns the upgrade's X-Request-Id. */
async function echoOnce(base: string, requestId: string): Promise<void> {
  const client = new WsClient(`ws://${base}/ws`, { headers: { 'x-request-id': requestId } });
  await new Promise((resolve) => client.once('open', resolve));
  client.send('private words');
  await new Promise((resolve) => client.once('message', resolve));
  client.close(4001, 'done');
  await new Promise((resolve) => client.once('close', resolve));
  await settle(50);
}

describe('Logger', () => {
  it('writes one pino-shaped JSON line per event at or above its level', () => {
    const lines: string[] = [];
    const logger = new Logger({ level: 'warn', write: (line) => lines.push(line) });
    logger.info({ event: 'quiet' }, 'not written');
    logger.error({ event: 'loud', code: 1 }, 'written');
    assert.equal(lines.length, 1);
    assert.ok(!lines[0].includes('\n'));
    const record = JSON.parse(lines[0]) as Line;
    assert.deepEqual(Object.keys(record), ['level', 'time', 'pid', 'hostname', 'event', 'code', 'msg']);
    assert.equal(record.level, 50);
    assert.equal(record.pid, process.pid);
    assert.equal(record.hostname, hostname());
    assert.equal(record.event, 'loud');
    assert.equal(record.msg, 'written');
    assert.ok(Math.abs((record.time as number) - Date.now()) < 5000);
    assert.equal(logger.isLevelEnabled('warn'), true);
    assert.equal(logger.isLevelEnabled('info'), false);
    assert.equal(logger.isLevelEnabled('nonsense'), false);
  });

  it('uses pino level numbers, from trace 10 to fatal 60', () => {
    const levels: unknown[] = [];
    const logger = new Logger({ level: 'trace', write: (line) => levels.push((JSON.parse(line) as Line).level) });
    for (const method of ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const) logger[method]({}, method);
    assert.deepEqual(levels, [10, 20, 30, 40, 50, 60]);
    const silent: string[] = [];
    new Logger({ level: 'silent', write: (line) => silent.push(line) }).fatal({}, 'nothing');
    assert.deepEqual(silent, []);
  });

  it("binds a child's fields after hostname, on every line, leaving its parent as it was", () => {
    const lines: Line[] = [];
    const logger = new Logger({ level: 'info', write: (line) => lines.push(JSON.parse(line) as Line) });
    const child = logger.child({ reqId: 'r-1' }).child({ connId: 'c-1' });
    child.info({ event: 'e' }, 'm');
    logger.info({ event: 'e' }, 'm');
    assert.deepEqual(Object.keys(lines[0]).slice(4, 6), ['reqId', 'connId']);
    assert.equal(lines[0].reqId, 'r-1');
    assert.equal(lines[0].connId, 'c-1');
    assert.equal(lines[1].reqId, undefined);
  });

  it('serialises an error as err: { type, message, stack }, the stack one JSON string', () => {
    const lines: string[] = [];
    const logger = new Logger({ level: 'info', write: (line) => lines.push(line) });
    logger.error({ event: 'failed', err: new TypeError('bad\nthing') }, 'failed');
    logger.error({ event: 'failed', err: 'a string was thrown' }, 'failed');
    assert.equal(lines.length, 2);
    assert.ok(lines.every((line) => !line.includes('\n')));
    const [first, second] = lines.map((line) => (JSON.parse(line) as { err: Line }).err);
    assert.equal(first.type, 'TypeError');
    assert.equal(first.message, 'bad\nthing');
    assert.match(first.stack as string, /^TypeError: bad\nthing\n\s+at /);
    assert.deepEqual(second, 'a string was thrown');
  });

  it('never throws from a line it cannot serialise, nor from a failing write', () => {
    const lines: Line[] = [];
    const logger = new Logger({ level: 'info', write: (line) => lines.push(JSON.parse(line) as Line) });
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    logger.info({ event: 'cyclic', cycle, big: 1n }, 'cyclic');
    assert.equal(lines[0].event, undefined);
    assert.match(lines[0].fields as string, /unserializable/);
    const failing = new Logger({
      level: 'info',
      write: () => {
        throw new Error('disk full');
      },
    });
    assert.doesNotThrow(() => failing.info({}, 'lost'));
  });

  it('rejects an unknown level', () => {
    assert.throws(() => new Logger({ level: 'loud' as never }), /Log level must be one of/);
  });

  describe('at level info, in an app, over real sockets', () => {
    const lines: Line[] = [];
    let app: App;
    let base: string;

    before(async () => {
      app = loggedApp({ lines });
      base = `127.0.0.1:${App.portOf(await app.listen(0))}`;
    });
    after(() => app.close());
    beforeEach(() => {
      lines.length = 0;
    });

    it('logs one line per HTTP request with its reqId, without the payload or query', async () => {
      const response = await fetch(`http://${base}/items?secret=1`, {
        method: 'POST',
        body: JSON.stringify({ password: 'hunter2' }),
        headers: { 'content-type': 'application/json', 'x-request-id': 'edge-42' },
      });
      assert.equal(response.headers.get('x-request-id'), 'edge-42');
      await settle();
      assert.equal(lines.length, 1);
      const [http] = lines;
      assert.equal(http.level, 30);
      assert.equal(http.event, 'http');
      assert.equal(http.reqId, 'edge-42');
      assert.equal(http.method, 'POST');
      assert.equal(http.path, '/items');
      assert.equal(http.status, 200);
      assert.equal(http.client, '127.0.0.1');
      assert.equal(http.completed, true);
      assert.equal(typeof http.ms, 'number');
      assert.match(http.msg as string, /^POST \/items 200 [\d.]+ ms$/);
      assert.doesNotMatch(JSON.stringify(lines), /hunter2|secret/);
    });

    it("logs a handler's throw as one error line with err and the request's reqId", async () => {
      const response = await fetch(`http://${base}/boom`);
      assert.equal(response.status, 500);
      const reqId = response.headers.get('x-request-id');
      assert.ok(reqId);
      await settle();
      const error = lines.find((line) => line.level === 50);
      assert.ok(error, JSON.stringify(lines));
      assert.equal(error.reqId, reqId);
      assert.equal(error.event, 'error');
      assert.match(error.msg as string, /Unhandled error in route GET \/boom/);
      const err = error.err as Line;
      assert.equal(err.type, 'RangeError');
      assert.equal(err.message, 'the handler broke\non two lines');
      assert.match(err.stack as string, /RangeError: the handler broke/);
      assert.equal(lines.find((line) => line.event === 'http')?.reqId, reqId, 'the access line has the same reqId');
    });

    it("gives a handler's own lines through RequestLogger the request's reqId", async () => {
      const reqId = (await fetch(`http://${base}/note`)).headers.get('x-request-id');
      await settle();
      const note = lines.find((line) => line.event === 'note.written');
      assert.equal(note?.reqId, reqId);
      assert.equal(note?.msg, 'a note');
    });

    it("logs a WebSocket's opening and closing with its connId and its upgrade request's reqId, not its messages", async () => {
      await echoOnce(base, 'upgrade-7');
      const open = lines.find((line) => line.event === 'ws.open');
      const close = lines.find((line) => line.event === 'ws.close');
      assert.ok(open && close, JSON.stringify(lines));
      assert.equal(open.path, '/ws');
      assert.equal(typeof open.connId, 'string');
      assert.equal(open.connId, open.id);
      assert.equal(close.connId, open.connId);
      assert.equal(open.reqId, 'upgrade-7');
      assert.equal(close.reqId, 'upgrade-7');
      assert.equal(close.code, 4001);
      assert.equal(typeof close.ms, 'number');
      assert.doesNotMatch(JSON.stringify(lines), /private words/);
    });
  });

  describe('with a pino instance as the app logger', () => {
    const lines: Line[] = [];
    let app: App;
    let base: string;

    before(async () => {
      const destination = new Writable({
        write(chunk: Buffer, _encoding, done) {
          for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line) as Line);
          done();
        },
      });
      app = loggedApp({ logger: pino({ level: 'info' }, destination) });
      base = `127.0.0.1:${App.portOf(await app.listen(0))}`;
    });
    after(() => app.close());

    it('writes its lines through pino: access, error with err serialised, WebSocket with connId', async () => {
      const ok = await fetch(`http://${base}/items`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
      const boom = await fetch(`http://${base}/boom`);
      await echoOnce(base, 'pino-ws');
      await settle();
      const access = lines.find((line) => line.event === 'http' && line.path === '/items');
      assert.ok(access, JSON.stringify(lines));
      assert.equal(access.level, 30);
      assert.equal(access.reqId, ok.headers.get('x-request-id'));
      assert.equal(access.pid, process.pid);
      assert.equal(typeof access.time, 'number');
      const error = lines.find((line) => line.level === 50);
      assert.ok(error, JSON.stringify(lines));
      assert.equal(error.reqId, boom.headers.get('x-request-id'));
      assert.equal((error.err as Line).type, 'RangeError');
      assert.match((error.err as Line).stack as string, /the handler broke/);
      const open = lines.find((line) => line.event === 'ws.open');
      assert.equal(open?.reqId, 'pino-ws');
      assert.equal(typeof open?.connId, 'string');
    });

    it('is the app logger, and settings.logger the same one', () => {
      assert.equal(app.logger, app.settings.logger);
      assert.equal(typeof (app.logger as { levelVal?: number }).levelVal, 'number', 'the pino instance itself');
    });

    it('keeps its own level: a pino logger at warn writes no access lines', async () => {
      const quiet: Line[] = [];
      const destination = new Writable({
        write(chunk: Buffer, _encoding, done) {
          quiet.push(JSON.parse(chunk.toString()) as Line);
          done();
        },
      });
      const warnApp = loggedApp({ logger: pino({ level: 'warn' }, destination) });
      const server = await warnApp.listen(0);
      try {
        await fetch(`http://127.0.0.1:${App.portOf(server)}/items`, { method: 'POST', body: '{}' });
        await settle();
        assert.deepEqual(quiet, []);
      } finally {
        await warnApp.close();
      }
    });
  });
});
