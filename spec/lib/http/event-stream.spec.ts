import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { App } from '../../../lib/app';
import { EventStream } from '../../../lib/http/event-stream';
import type { ServerSentEvent } from '../../../lib/http/server-sent-event';
import { Route } from '../../../lib/routing/routes';
import { TestClient } from '../../../lib/testing/test-client';
import { eventually } from '../../support/realtime-app';
import { openSse } from '../../support/sse-reader';

/** A generator that waits for the stream's signal, as a well-behaved source does. */
function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

/** A source that sends nothing until the stream is over. */
async function* silent(signal: AbortSignal): AsyncGenerator<ServerSentEvent> {
  await untilAborted(signal);
  yield* [];
}

describe('EventStream', () => {
  let app: App;
  let base: string;
  const errors: unknown[] = [];
  const log = { finallyRan: 0, started: 0, signals: [] as AbortSignal[] };
  let pushed: EventStream | undefined;

  const routes = [
    new Route(
      '/finite',
      'GET',
      () =>
        new EventStream(async function* () {
          yield { id: '1', event: 'greeting', data: 'hello' };
          yield { id: '2', data: 'line one\nline two\r\nline three' };
          yield { data: { n: 3 }, retry: 2500 };
        }),
    ),
    new Route(
      '/forever',
      'GET',
      () =>
        new EventStream(async function* (signal) {
          log.started++;
          log.signals.push(signal);
          try {
            yield { id: 'a', data: 'first' };
            await untilAborted(signal);
            yield { data: 'never sent' };
          } finally {
            log.finallyRan++;
          }
        }),
    ),
    // A generator that ignores the signal: return() runs once its pending wait settles.
    new Route(
      '/stubborn',
      'GET',
      () =>
        new EventStream(async function* () {
          try {
            for (let i = 0; ; i++) {
              yield { data: String(i) };
              await sleep(30);
            }
          } finally {
            log.finallyRan++;
          }
        }),
    ),
    new Route('/idle', 'GET', () => new EventStream(silent, { keepAlive: 40 })),
    new Route('/silent', 'GET', () => new EventStream(silent, { keepAlive: 0 })),
    new Route('/push', 'GET', () => {
      pushed = new EventStream(undefined, { retry: 1000 });
      pushed.send({ event: 'ready', data: 'queued before the response' });
      return pushed;
    }),
  ];

  before(async () => {
    app = new App({ routes, settings: { logError: (_message, error) => errors.push(error) } });
    const server = await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${App.portOf(server)}`;
  });
  after(() => app.close());
  beforeEach(() => {
    errors.length = 0;
    log.finallyRan = 0;
    log.started = 0;
    log.signals.length = 0;
  });

  it('sends the SSE headers', async () => {
    const sse = await openSse(`${base}/finite`);
    assert.equal(sse.response.status, 200);
    assert.equal(sse.response.headers.get('content-type'), 'text/event-stream; charset=utf-8');
    assert.equal(sse.response.headers.get('cache-control'), 'no-cache');
    assert.equal(sse.response.headers.get('x-accel-buffering'), 'no');
    assert.equal(sse.response.headers.get('content-length'), null);
    await sse.ended();
  });

  it('sends the headers at once, before any event', async () => {
    const sse = await openSse(`${base}/silent`);
    assert.equal(sse.response.status, 200);
    sse.close();
  });

  it('writes events a real SSE parser reads back: ids, names, multi-line data, JSON, retry', async () => {
    const sse = await openSse(`${base}/finite`);
    const first = await sse.nextEvent();
    assert.deepEqual([first.id, first.event, first.data], ['1', 'greeting', 'hello']);
    const second = await sse.nextEvent();
    assert.deepEqual([second.id, second.data], ['2', 'line one\nline two\nline three']);
    assert.deepEqual(await sse.next(), { kind: 'retry', ms: 2500 });
    const third = await sse.nextEvent();
    assert.equal(third.data, '{"n":3}');
    await sse.ended();
  });

  it('flushes each event at once: the first arrives while the generator still waits', async () => {
    const sse = await openSse(`${base}/forever`);
    const first = await sse.nextEvent(2000);
    assert.deepEqual([first.id, first.data], ['a', 'first']);
    sse.close();
    await eventually(() => log.finallyRan === 1, 2000, 'the generator to finish');
  });

  it("stops cleanly when the client disconnects: the signal aborts, the generator's finally runs, nothing is logged", async () => {
    const sse = await openSse(`${base}/forever`);
    await sse.nextEvent();
    sse.close();
    await eventually(() => log.finallyRan === 1, 2000, 'the generator to finish');
    assert.equal(log.signals[0].aborted, true);
    await sleep(50);
    assert.deepEqual(errors, []);
  });

  it('returns a generator that ignores the signal once its pending wait settles', async () => {
    const sse = await openSse(`${base}/stubborn`);
    await sse.nextEvent();
    await sse.nextEvent();
    sse.close();
    await eventually(() => log.finallyRan === 1, 2000, 'the generator to finish');
    assert.deepEqual(errors, []);
  });

  it('leaves no timer behind once the reader is gone', async () => {
    const created: unknown[] = [];
    const cleared = new Set<unknown>();
    const { setInterval: realSet, clearInterval: realClear } = globalThis;
    globalThis.setInterval = ((...args: Parameters<typeof realSet>) => {
      const timer = realSet(...args);
      created.push(timer);
      return timer;
    }) as typeof realSet;
    globalThis.clearInterval = ((timer: Parameters<typeof realClear>[0]) => {
      cleared.add(timer);
      realClear(timer);
    }) as typeof realClear;
    try {
      const stream = new EventStream(silent, { keepAlive: 20 });
      const body = stream.body as Readable;
      const comment = await new Promise<string>((resolve) => body.once('data', (chunk: Buffer) => resolve(chunk.toString())));
      assert.equal(comment, ': keep-alive\n\n');
      assert.equal(created.length, 1);
      body.destroy();
      assert.equal(stream.closed, true);
      assert.ok(cleared.has(created[0]), 'the keep-alive timer was cleared');
    } finally {
      globalThis.setInterval = realSet;
      globalThis.clearInterval = realClear;
    }
  });

  it('sends keep-alive comments while idle', async () => {
    const sse = await openSse(`${base}/idle`);
    assert.deepEqual(await sse.next(1000), { kind: 'comment', text: 'keep-alive' });
    assert.deepEqual(await sse.next(1000), { kind: 'comment', text: 'keep-alive' });
    sse.close();
  });

  it('pushes events with send() and ends with close(); retry goes first', async () => {
    const sse = await openSse(`${base}/push`);
    assert.deepEqual(await sse.next(), { kind: 'retry', ms: 1000 });
    const ready = await sse.nextEvent();
    assert.deepEqual([ready.event, ready.data], ['ready', 'queued before the response']);
    const stream = pushed as EventStream;
    assert.equal(stream.send({ id: '9', data: 'pushed' }), true);
    assert.equal((await sse.nextEvent()).data, 'pushed');
    stream.close();
    await sse.ended();
    assert.equal(stream.closed, true);
    assert.equal(stream.send({ data: 'late' }), false);
  });

  it('never starts the generator for HEAD', async () => {
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const req = httpRequest(`${base}/forever`, { method: 'HEAD' }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(status, 200);
    await sleep(30);
    assert.equal(log.started, 0);
  });

  it('serves a finite stream through the TestClient', async () => {
    const response = await new TestClient(app).get('/finite');
    assert.equal(response.headers.get('content-type'), 'text/event-stream; charset=utf-8');
    const events: EventSourceMessage[] = [];
    const parser = createParser({ onEvent: (event) => events.push(event) });
    parser.feed(await response.text());
    assert.deepEqual(
      events.map((event) => event.data),
      ['hello', 'line one\nline two\nline three', '{"n":3}'],
    );
  });

  it('refuses a field the format cannot carry, naming it', () => {
    const stream = new EventStream();
    assert.throws(() => stream.send({ id: 'a\nb' }), /ServerSentEvent\.id/);
    assert.throws(() => new EventStream(undefined, { keepAlive: -1 }), /keepAlive/);
    assert.throws(() => new EventStream(undefined, { retry: 1.5 }), /retry/);
    stream.close();
  });

  it('ends the stream and reports a source that fails', async () => {
    const failing = new App({
      routes: [
        new Route(
          '/bad',
          'GET',
          () =>
            new EventStream(async function* (): AsyncGenerator<ServerSentEvent> {
              yield { data: 'ok' };
              throw new Error('feed broke');
            }),
        ),
      ],
      settings: { logError: (_message, error) => errors.push(error) },
    });
    const server = await failing.listen(0, '127.0.0.1');
    try {
      const sse = await openSse(`http://127.0.0.1:${App.portOf(server)}/bad`);
      assert.equal((await sse.nextEvent()).data, 'ok');
      await sse.ended();
      await eventually(() => errors.length === 1, 2000, 'the error to be logged');
      assert.match(String(errors[0]), /feed broke/);
    } finally {
      await failing.close();
    }
  });
});
