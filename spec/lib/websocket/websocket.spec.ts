import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { Server } from 'node:http';
import { type Socket, connect as tcpConnect } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { PathParam } from '../../../components/path-param';
import { App } from '../../../lib/app';
import { ValidationError, WebSocketDisconnect } from '../../../lib/errors/exceptions';
import * as status from '../../../lib/errors/status';
import { inject } from '../../../lib/inject/inject';
import { WebSocketRoute } from '../../../lib/routing/routes';
import { WebSocket } from '../../../lib/websocket/websocket';
import { type Deferred, deferred, forEachTransport, liveUrl, openLive, WAIT, within } from '../../support/ws-client';

/** What the server-side handler of the current test saw; reset before each test. */
let report: Deferred<unknown> = deferred<unknown>();
/** Errors the app reported through `settings.logError`. */
const logged: unknown[] = [];

interface Snapshot {
  state: string;
  connecting: boolean;
  connected: boolean;
  closed: boolean;
}

function snapshot(ws: WebSocket): Snapshot {
  return { state: ws.state, connecting: ws.connecting, connected: ws.connected, closed: ws.closed };
}

type Described = { text: string } | { bytes: number[] };

/** A message as JSON can carry it, keeping text and binary apart. */
function describeData(data: string | Buffer): Described {
  return typeof data === 'string' ? { text: data } : { bytes: [...data] };
}

type Outcome = { disconnect: true; code: number; reason: string } | { error: string; message: string } | { ok: true };

/** How a call ended, as JSON can carry it. */
async function outcome(call: () => Promise<unknown>): Promise<Outcome> {
  try {
    await call();
    return { ok: true };
  } catch (error) {
    if (error instanceof WebSocketDisconnect) return { disconnect: true, code: error.code, reason: error.reason };
    if (error instanceof Error) return { error: error.name, message: error.message };
    return { error: 'thrown', message: String(error) };
  }
}

/**
 * How a call that must fail where it was written ended: thrown synchronously, or (a failure
 * of the test) a promise, which is then settled here so that it cannot go unhandled.
 */
function thrownAtOnce(call: () => unknown): Outcome | { returned: 'a promise' } {
  try {
    const result = call();
    if (result instanceof Promise) result.catch(() => {});
    return { returned: 'a promise' };
  } catch (error) {
    return error instanceof Error ? { error: error.name, message: error.message } : { error: 'thrown', message: String(error) };
  }
}

/** A hook that accepts by itself and then takes its time, as in API Star's seed. */
const slowAcceptingHook = {
  onRequest: inject([WebSocket], async (ws) => {
    await ws.accept();
    const before = ws.scope.app.stats().messagesIn;
    await delay(100);
    ws.scope.state.arrivedDuringHook = ws.scope.app.stats().messagesIn - before;
  }),
};

/** A hook that takes its time before accepting. */
const slowHook = {
  onRequest: inject([WebSocket], async (ws) => {
    await delay(100);
    await ws.accept();
  }),
};

function makeApp(settings: { receiveQueue?: number } = {}): App {
  return new App({
    settings: {
      logError: (_message, error) => logged.push(error),
      websocket: { heartbeatInterval: 0, ...settings },
    },
    routes: [
      new WebSocketRoute(
        '/state',
        inject([WebSocket], async (ws) => {
          const before = snapshot(ws);
          await ws.accept();
          const open = snapshot(ws);
          await ws.close();
          report.resolve([before, open, snapshot(ws)]);
        }),
      ),
      new WebSocketRoute(
        '/state-peer',
        inject([WebSocket], async (ws) => {
          await ws.accept();
          await ws.sendText('ready');
          await ws.done;
          report.resolve(snapshot(ws));
        }),
      ),
      new WebSocketRoute(
        '/subprotocol',
        inject([WebSocket], async (ws) => {
          await ws.accept(ws.subprotocols[1]);
          await ws.sendJson({ offered: ws.subprotocols, chosen: ws.subprotocol ?? null });
        }),
      ),
      new WebSocketRoute(
        '/unoffered',
        inject([WebSocket], async (ws) => {
          let failure: unknown;
          try {
            await ws.accept('three');
          } catch (error) {
            failure = error;
          }
          const after = ws.state;
          await ws.accept('one');
          await ws.sendJson({
            typeError: failure instanceof TypeError,
            message: failure instanceof Error ? failure.message : null,
            stateAfterFailure: after,
          });
        }),
      ),
      new WebSocketRoute(
        '/unoffered-uncaught',
        inject([WebSocket], async (ws) => {
          await ws.accept('three');
        }),
      ),
      new WebSocketRoute(
        '/headers',
        inject([WebSocket], async (ws) => {
          await ws.accept(undefined, { 'x-room': 'lobby', 'x-trace': 'abc123' });
          await ws.sendText('ok');
        }),
      ),
      new WebSocketRoute(
        '/bad-headers',
        inject([WebSocket], async (ws) => {
          const injected = await outcome(() => ws.accept(undefined, { 'x-a': 'ok\r\nSet-Cookie: evil=1' }));
          const badName = await outcome(() => ws.accept(undefined, { 'bad name': 'x' }));
          const state = ws.state;
          await ws.accept(undefined, { 'x-good': 'yes' });
          await ws.sendJson({ injected, badName, state });
        }),
      ),
      new WebSocketRoute(
        '/close-during-accept',
        inject([WebSocket], async (ws) => {
          void ws.accept();
          await ws.close(4000, 'early');
          report.resolve({ closeCode: ws.closeCode, state: ws.state });
        }),
      ),
      new WebSocketRoute(
        '/send-during-accept',
        inject([WebSocket], async (ws) => {
          const accepting = ws.accept();
          await ws.sendText('sent while accepting');
          await accepting;
        }),
      ),
      new WebSocketRoute(
        '/connect',
        inject([WebSocket], async (ws) => {
          await ws.connect('b', { 'x-via': 'connect' });
          await ws.sendJson({ state: ws.state, subprotocol: ws.subprotocol ?? null });
        }),
      ),
      new WebSocketRoute(
        '/receive',
        inject([WebSocket], async (ws) => {
          await ws.accept();
          const text = await ws.receive();
          const bytes = await ws.receive();
          const asText = await ws.receiveText();
          const asBytes = await ws.receiveBytes();
          const json = await ws.receiveJson();
          const first = await ws.receiveMessage();
          const second = await ws.receiveMessage();
          await ws.sendJson({
            text: describeData(text),
            bytes: describeData(bytes),
            asText,
            asBytes: [...asBytes],
            json,
            messages: [first, second].map((m) => ({ type: m.type, data: describeData(m.data) })),
          });
        }),
      ),
      new WebSocketRoute(
        '/receive-json',
        inject([WebSocket], async (ws) => {
          await ws.accept();
          try {
            report.resolve({ value: await ws.receiveJson() });
          } catch (error) {
            report.resolve({
              validation: error instanceof ValidationError,
              message: error instanceof Error ? error.message : String(error),
            });
          }
        }),
      ),
      new WebSocketRoute(
        '/receive-json-uncaught',
        inject([WebSocket], async (ws) => {
          await ws.accept();
          await ws.receiveJson();
        }),
      ),
      new WebSocketRoute(
        '/iterate',
        inject([WebSocket], async (ws) => {
          await ws.accept();
          await ws.sendText('ready');
          const got: Described[] = [];
          for await (const message of ws) got.push(describeData(message));
          report.resolve({ got, closeCode: ws.closeCode, closeReason: ws.closeReason, state: ws.state });
        }),
      ),
      new WebSocketRoute(
        '/send',
        inject([WebSocket], async (ws) => {
          await ws.accept();
          await ws.send('text');
          await ws.send(Buffer.from([1, 2]));
          await ws.send(new Uint8Array([3]));
          await ws.sendText('t');
          await ws.sendBytes(new Uint8Array([4, 5]));
          await ws.sendBytes(Buffer.from([6]));
          await ws.sendJson({ ok: true, list: [1, 'two'] });
        }),
      ),
      new WebSocketRoute(
        '/close-twice',
        inject([WebSocket], async (ws) => {
          await ws.accept();
          await ws.close(4000, 'first');
          const second = await outcome(() => ws.close(4001, 'second'));
          report.resolve({ second, closeCode: ws.closeCode, closeReason: ws.closeReason });
        }),
      ),
      new WebSocketRoute(
        '/bad-close',
        inject([WebSocket], async (ws) => {
          await ws.accept();
          const results: Record<string, string> = {};
          const attempt = async (label: string, code: number, reason?: string): Promise<void> => {
            try {
              await ws.close(code, reason);
              results[label] = 'closed';
            } catch (error) {
              results[label] = error instanceof TypeError ? 'TypeError' : String(error);
            }
          };
          for (const code of [1004, 1005, 1006, 1015, 999, 5000, 0, 1000.5, 2000]) await attempt(String(code), code);
          await attempt('reason of 124 bytes', 4000, 'x'.repeat(124));
          await attempt('reason of 126 bytes in 42 characters', 4000, '€'.repeat(42));
          results.state = ws.state;
          await ws.sendJson(results);
          await ws.close(4000, '€'.repeat(41));
        }),
      ),
      new WebSocketRoute(
        '/bad-close-uncaught/{code}',
        inject([WebSocket, PathParam('code', { type: 'integer' })], async (ws, code) => {
          await ws.accept();
          await ws.close(code);
        }),
      ),
      new WebSocketRoute(
        '/bad-reason-uncaught',
        inject([WebSocket], async (ws) => {
          await ws.accept();
          await ws.close(4000, 'x'.repeat(124));
        }),
      ),
      new WebSocketRoute(
        '/bad-close-before-accept',
        inject([WebSocket], async (ws) => {
          await ws.close(1005);
        }),
      ),
      new WebSocketRoute(
        '/close-before-accept',
        inject([WebSocket], async (ws) => {
          await ws.close(4008, 'not today');
        }),
      ),
      new WebSocketRoute(
        '/ping',
        inject([WebSocket], async (ws) => {
          await ws.accept();
          await ws.receive();
          ws.alive = false;
          ws.ping();
          await ws.receive();
          report.resolve({ alive: ws.alive });
        }),
      ),
      new WebSocketRoute(
        '/props/{room}',
        inject([WebSocket], async (ws) => {
          const before = { bufferedAmount: ws.bufferedAmount, closeCode: ws.closeCode ?? null, closeReason: ws.closeReason ?? null };
          await ws.accept('b');
          await ws.sendJson({
            id: ws.id,
            path: ws.path,
            scopePath: ws.scope.path,
            room: ws.scope.pathParams.room,
            clientIp: ws.clientIp ?? null,
            token: ws.headers['x-token'] ?? null,
            subprotocols: ws.subprotocols,
            bufferedAmount: ws.bufferedAmount,
            before,
            open: { closeCode: ws.closeCode ?? null, closeReason: ws.closeReason ?? null },
          });
          const receive = await outcome(() => ws.receive());
          report.resolve({ receive, closeCode: ws.closeCode, closeReason: ws.closeReason });
        }),
      ),
      new WebSocketRoute(
        '/auto-close',
        inject([WebSocket], async (ws) => {
          await ws.accept();
          await ws.sendText('bye');
          report.resolve(ws.state);
        }),
      ),
      new WebSocketRoute(
        '/peer-left',
        inject([WebSocket], async (ws) => {
          await ws.accept();
          await ws.sendText('ready');
          await ws.done;
          const receive = await outcome(() => ws.receive());
          const receiveAgain = await outcome(() => ws.receiveText());
          const sent = [
            await ws.send('too late'),
            await ws.sendText('too late'),
            await ws.sendBytes(Buffer.from([1])),
            await ws.sendJson({ late: true }),
          ];
          report.resolve({ receive, receiveAgain, sent });
        }),
      ),
      new WebSocketRoute(
        '/send-after-close',
        inject([WebSocket], async (ws) => {
          await ws.accept();
          const sentBefore = await ws.sendText('before');
          await ws.close(4003, 'done here');
          const sent = [
            await ws.send('too late'),
            await ws.sendText('too late'),
            await ws.sendBytes(Buffer.from([1])),
            await ws.sendJson({ late: true }),
          ];
          const receive = await outcome(() => ws.receive());
          report.resolve({ sentBefore, sent, receive });
        }),
      ),
      new WebSocketRoute(
        '/send-before-accept',
        inject([WebSocket], async (ws) => {
          const sends = [
            () => ws.send('early'),
            () => ws.sendText('early'),
            () => ws.sendBytes(Buffer.from([1])),
            () => ws.sendJson({}),
          ].map(thrownAtOnce);
          const receives = [
            () => ws.receive(),
            () => ws.receiveText(),
            () => ws.receiveBytes(),
            () => ws.receiveJson(),
            () => ws.receiveMessage(),
          ].map(thrownAtOnce);
          await ws.accept();
          await ws.sendJson({ sends, receives });
        }),
      ),
      new WebSocketRoute(
        '/mistakes-at-once',
        inject([WebSocket], async (ws) => {
          const before = thrownAtOnce(() => ws.close(1005));
          await ws.accept();
          const seen = {
            before,
            close1005: thrownAtOnce(() => ws.close(1005)),
            close5000: thrownAtOnce(() => ws.close(5000)),
            longReason: thrownAtOnce(() => ws.close(4000, 'x'.repeat(124))),
            acceptTwice: thrownAtOnce(() => ws.accept()),
            secondReceive: (() => {
              const first = ws.receive();
              first.catch(() => {});
              return thrownAtOnce(() => ws.receive());
            })(),
            state: ws.state,
          };
          await ws.sendJson(seen);
        }),
      ),
      new WebSocketRoute(
        '/accept-twice',
        inject([WebSocket], async (ws) => {
          await ws.accept();
          await ws.sendJson(await outcome(() => ws.accept()));
        }),
      ),
      new WebSocketRoute('/never', () => undefined),
      new WebSocketRoute(
        '/slow-accepting-hook',
        inject([WebSocket], async (ws) => {
          const got = [await ws.receiveText(), await ws.receiveText(), await ws.receiveText()];
          await ws.sendJson({ got, arrivedDuringHook: ws.scope.state.arrivedDuringHook });
        }),
        { hooks: [slowAcceptingHook] },
      ),
      new WebSocketRoute(
        '/slow-hook',
        inject([WebSocket], async (ws) => {
          await ws.sendText(await ws.receiveText());
        }),
        { hooks: [slowHook] },
      ),
      new WebSocketRoute(
        '/slow-reader',
        inject([WebSocket], async (ws) => {
          await ws.accept();
          await ws.sendText('ready');
          // A slow handler: everything the client sends meanwhile must wait, not vanish.
          await delay(60);
          const got: Described[] = [];
          for await (const message of ws) got.push(describeData(message));
          report.resolve({ got, closeCode: ws.closeCode, closeReason: ws.closeReason });
        }),
      ),
      new WebSocketRoute(
        '/leave-unread',
        inject([WebSocket], async (ws) => {
          await ws.accept();
          await ws.sendText('ready');
          void ws.done.then(() => report.resolve({ closeCode: ws.closeCode }));
          await delay(60);
        }),
      ),
      new WebSocketRoute(
        '/big',
        inject([WebSocket], async (ws) => {
          await ws.accept();
          await ws.receive();
          await ws.sendBytes(Buffer.alloc(16 * 1024 * 1024, 7));
          const queued = ws.bufferedAmount;
          await ws.receive();
          report.resolve({ queued, afterwards: ws.bufferedAmount });
        }),
      ),
    ],
  });
}

describe('WebSocket (component)', () => {
  beforeEach(() => {
    report = deferred<unknown>();
    logged.length = 0;
  });

  /** What the handler reported, bounded. */
  function reported(): Promise<unknown> {
    return within(report.promise, WAIT, 'the handler to report');
  }

  forEachTransport(
    () => makeApp(),
    (transport) => {
      describe('state', () => {
        it('moves connecting → connected → closed, in state and in the three booleans', async () => {
          const ending = await transport().ending('/state');
          assert.equal(ending.code, status.WS_1000_NORMAL_CLOSURE);
          assert.deepEqual(await reported(), [
            { state: 'connecting', connecting: true, connected: false, closed: false },
            { state: 'connected', connecting: false, connected: true, closed: false },
            { state: 'closed', connecting: false, connected: false, closed: true },
          ]);
        });

        it('is closed once the peer has left', async () => {
          const peer = await transport().open('/state-peer');
          assert.equal(await peer.receiveText(), 'ready');
          await peer.close(4000);
          assert.deepEqual(await reported(), { state: 'closed', connecting: false, connected: false, closed: true });
        });
      });

      describe('accept()', () => {
        it('accepts with the chosen subprotocol, which reaches the client', async () => {
          const peer = await transport().open('/subprotocol', { subprotocols: ['one', 'two'] });
          assert.equal(peer.protocol, 'two');
          assert.deepEqual(await peer.receiveJson(), { offered: ['one', 'two'], chosen: 'two' });
        });

        it('throws a TypeError for a subprotocol the client did not offer, and stays connecting', async () => {
          const peer = await transport().open('/unoffered', { subprotocols: ['one', 'two'] });
          assert.equal(peer.protocol, 'one');
          const seen = (await peer.receiveJson()) as { typeError: boolean; message: string; stateAfterFailure: string };
          assert.equal(seen.typeError, true);
          assert.match(seen.message, /"three" was not offered/);
          assert.equal(seen.stateAfterFailure, 'connecting');
        });

        it('refuses the handshake with HTTP 500 when that TypeError escapes the handler', async () => {
          const refusal = await transport().refusal('/unoffered-uncaught', { subprotocols: ['one'] });
          assert.equal(refusal.status, status.HTTP_500_INTERNAL_SERVER_ERROR);
          assert.deepEqual(JSON.parse(refusal.body), { detail: 'Internal Server Error' });
          assert.equal(logged.length, 1);
          assert.ok(logged[0] instanceof TypeError);
        });

        it('sends extra headers with the 101 response', async () => {
          const peer = await transport().open('/headers');
          assert.equal(peer.header('x-room'), 'lobby');
          assert.equal(peer.header('x-trace'), 'abc123');
          assert.equal(await peer.receiveText(), 'ok');
        });

        it('throws a TypeError for header names or values that would corrupt the 101 response', async () => {
          const peer = await transport().open('/bad-headers');
          const seen = (await peer.receiveJson()) as { injected: Outcome; badName: Outcome; state: string };
          assert.ok('error' in seen.injected && seen.injected.error === 'TypeError', JSON.stringify(seen.injected));
          assert.ok('error' in seen.badName && seen.badName.error === 'TypeError', JSON.stringify(seen.badName));
          assert.equal(seen.state, 'connecting');
          assert.equal(peer.header('x-good'), 'yes');
          assert.equal(peer.header('set-cookie'), undefined);
          assert.equal(peer.header('x-a'), undefined);
        });

        it('makes close() wait for an accept() still in progress, so its code is not lost', async () => {
          const ending = await transport().ending('/close-during-accept');
          assert.deepEqual([ending.code, ending.reason], [4000, 'early']);
          assert.deepEqual(await reported(), { closeCode: 4000, state: 'closed' });
        });

        it('makes send() wait for an accept() still in progress', async () => {
          const ending = await transport().ending('/send-during-accept');
          assert.deepEqual(ending.messages, ['sent while accepting']);
          assert.equal(ending.code, status.WS_1000_NORMAL_CLOSURE);
          assert.deepEqual(logged, []);
        });

        it('has connect() as an alias, with subprotocol and headers', async () => {
          const peer = await transport().open('/connect', { subprotocols: ['a', 'b'] });
          assert.equal(peer.protocol, 'b');
          assert.equal(peer.header('x-via'), 'connect');
          assert.deepEqual(await peer.receiveJson(), { state: 'connected', subprotocol: 'b' });
        });

        it('rejects a second accept()', async () => {
          const peer = await transport().open('/accept-twice');
          const seen = (await peer.receiveJson()) as Outcome;
          assert.ok('error' in seen && /accept\(\) called on a connected connection/.test(seen.message), JSON.stringify(seen));
        });

        it('throws at once (not a rejection for later) on every send and receive before accept(), with a clear error', async () => {
          const peer = await transport().open('/send-before-accept');
          const seen = (await peer.receiveJson()) as { sends: Outcome[]; receives: Outcome[] };
          assert.deepEqual(
            seen.sends,
            Array(4).fill({ error: 'Error', message: 'WebSocket /send-before-accept: accept() before sending' }),
          );
          assert.deepEqual(
            seen.receives,
            Array(5).fill({ error: 'Error', message: 'WebSocket /send-before-accept: accept() before receiving' }),
          );
        });

        it('throws at once on a bad close code or reason, a second accept() and a second waiting receive', async () => {
          const peer = await transport().open('/mistakes-at-once');
          const seen = (await peer.receiveJson()) as Record<string, { error?: string; message?: string }>;
          assert.equal(seen.state, 'connected');
          for (const key of ['before', 'close1005', 'close5000', 'longReason'])
            assert.equal(seen[key].error, 'TypeError', `${key}: ${JSON.stringify(seen[key])}`);
          assert.match(seen.close1005.message!, /close code 1005 cannot be sent/);
          assert.match(seen.longReason.message!, /124 UTF-8 bytes/);
          assert.deepEqual(seen.acceptTwice, {
            error: 'Error',
            message: 'WebSocket /mistakes-at-once: accept() called on a connected connection',
          });
          assert.deepEqual(seen.secondReceive, {
            error: 'Error',
            message: 'WebSocket /mistakes-at-once: receive() called while another receive() is waiting',
          });
        });

        it('refuses the handshake with HTTP 403 when the handler never accepts', async () => {
          const refusal = await transport().refusal('/never');
          assert.equal(refusal.status, status.HTTP_403_FORBIDDEN);
          assert.deepEqual(JSON.parse(refusal.body), { detail: 'WebSocket connection not accepted' });
        });

        it('keeps messages sent while an async onRequest hook that accepted is still running', async () => {
          const peer = await transport().open('/slow-accepting-hook');
          peer.send('one');
          peer.send('two');
          peer.send('three');
          const seen = (await peer.receiveJson()) as { got: string[]; arrivedDuringHook: number };
          // The messages did arrive while the hook ran, and none was lost.
          assert.equal(seen.arrivedDuringHook, 3);
          assert.deepEqual(seen.got, ['one', 'two', 'three']);
        });
      });

      describe('receiving', () => {
        it('gives text as strings and binary as Buffers, converting for receiveText/receiveBytes/receiveJson', async () => {
          const peer = await transport().open('/receive');
          peer.send('hello');
          peer.send(Buffer.from([1, 2, 3]));
          peer.send(Buffer.from('héllo'));
          peer.send('ü');
          peer.send('{"a":[1,2]}');
          peer.send('x');
          peer.send(Buffer.from([7]));
          assert.deepEqual(await peer.receiveJson(), {
            text: { text: 'hello' },
            bytes: { bytes: [1, 2, 3] },
            asText: 'héllo',
            asBytes: [0xc3, 0xbc],
            json: { a: [1, 2] },
            messages: [
              { type: 'text', data: { text: 'x' } },
              { type: 'bytes', data: { bytes: [7] } },
            ],
          });
        });

        it('makes malformed JSON in receiveJson() a ValidationError', async () => {
          const peer = await transport().open('/receive-json');
          peer.send('{not json');
          const seen = (await reported()) as { validation: boolean; message: string };
          assert.equal(seen.validation, true);
          assert.match(seen.message, /^Invalid JSON message/);
        });

        it('closes 1007 when that ValidationError escapes the handler', async () => {
          const peer = await transport().open('/receive-json-uncaught');
          peer.send('{not json');
          const close = await within(peer.closed, WAIT, 'the close');
          assert.equal(close.code, status.WS_1007_INVALID_FRAME_PAYLOAD_DATA);
          assert.match(close.reason, /^Invalid JSON message/);
          assert.deepEqual(logged, []);
        });

        it("iterates with for await, ending on disconnect with the peer's code and reason", async () => {
          const peer = await transport().open('/iterate');
          assert.equal(await peer.receiveText(), 'ready');
          peer.send('a');
          peer.send(Buffer.from('b'));
          peer.send('c');
          await peer.close(4001, 'done');
          assert.deepEqual(await reported(), {
            got: [{ text: 'a' }, { bytes: [0x62] }, { text: 'c' }],
            closeCode: 4001,
            closeReason: 'done',
            state: 'closed',
          });
        });

        it("delivers what arrived before the peer's close frame even to a slow handler, then ends", async () => {
          const peer = await transport().open('/slow-reader');
          assert.equal(await peer.receiveText(), 'ready');
          for (let i = 0; i < 5; i++) peer.send(`m${i}`);
          await peer.close(4002, 'all sent');
          assert.deepEqual(await reported(), {
            got: [0, 1, 2, 3, 4].map((i) => ({ text: `m${i}` })),
            closeCode: 4002,
            closeReason: 'all sent',
          });
        });

        it("throws WebSocketDisconnect with the peer's code and reason on receive after the peer left; sends resolve false", async () => {
          const peer = await transport().open('/peer-left');
          assert.equal(await peer.receiveText(), 'ready');
          await peer.close(4100, 'gone away');
          const gone: Outcome = { disconnect: true, code: 4100, reason: 'gone away' };
          assert.deepEqual(await reported(), { receive: gone, receiveAgain: gone, sent: [false, false, false, false] });
          assert.deepEqual(logged, []);
        });
      });

      describe('sending', () => {
        it('sends strings as text and bytes as binary, JSON as text', async () => {
          const peer = await transport().open('/send');
          const got: Described[] = [];
          for (let i = 0; i < 7; i++) got.push(describeData(await peer.receive()));
          assert.deepEqual(got, [
            { text: 'text' },
            { bytes: [1, 2] },
            { bytes: [3] },
            { text: 't' },
            { bytes: [4, 5] },
            { bytes: [6] },
            { text: '{"ok":true,"list":[1,"two"]}' },
          ]);
        });

        it('resolves true for a message written, and false, never an error, for sends on a socket we closed; receive then disconnects', async () => {
          const ending = await transport().ending('/send-after-close');
          assert.deepEqual(ending.messages, ['before']);
          assert.deepEqual([ending.code, ending.reason], [4003, 'done here']);
          assert.deepEqual(await reported(), {
            sentBefore: true,
            sent: [false, false, false, false],
            receive: { disconnect: true, code: 4003, reason: 'done here' },
          });
          assert.deepEqual(logged, []);
        });
      });

      describe('close()', () => {
        it('closes with 1000 when the handler returns with the socket open', async () => {
          const ending = await transport().ending('/auto-close');
          assert.deepEqual(ending.messages, ['bye']);
          assert.deepEqual([ending.code, ending.reason], [status.WS_1000_NORMAL_CLOSURE, '']);
          assert.equal(await reported(), 'connected');
        });

        it('is idempotent: the first code and reason stay', async () => {
          const ending = await transport().ending('/close-twice');
          assert.deepEqual([ending.code, ending.reason], [4000, 'first']);
          assert.deepEqual(await reported(), { second: { ok: true }, closeCode: 4000, closeReason: 'first' });
        });

        it('before accept(), completes the handshake so the client sees the code', async () => {
          const ending = await transport().ending('/close-before-accept');
          assert.deepEqual([ending.code, ending.reason], [4008, 'not today']);
        });

        it('throws TypeError for reserved or out-of-range codes and reasons over 123 bytes, leaving the socket open', async () => {
          const ending = await transport().ending('/bad-close');
          assert.equal(ending.messages.length, 1);
          assert.deepEqual(JSON.parse(String(ending.messages[0])), {
            1004: 'TypeError',
            1005: 'TypeError',
            1006: 'TypeError',
            1015: 'TypeError',
            999: 'TypeError',
            5000: 'TypeError',
            0: 'TypeError',
            1000.5: 'TypeError',
            2000: 'TypeError',
            'reason of 124 bytes': 'TypeError',
            'reason of 126 bytes in 42 characters': 'TypeError',
            state: 'connected',
          });
          // A reason of exactly 123 bytes fits.
          assert.deepEqual([ending.code, ending.reason], [4000, '€'.repeat(41)]);
        });

        for (const code of [1004, 1005, 1006, 1015, 999, 5000]) {
          it(`closes 1011 when close(${code})'s TypeError escapes the handler; ${code} never reaches the wire`, async () => {
            const ending = await transport().ending(`/bad-close-uncaught/${code}`);
            assert.deepEqual([ending.code, ending.reason], [status.WS_1011_INTERNAL_ERROR, 'Internal Error']);
            assert.equal(logged.length, 1);
            assert.ok(logged[0] instanceof TypeError);
          });
        }

        it("closes 1011 when a 124-byte reason's TypeError escapes the handler", async () => {
          const ending = await transport().ending('/bad-reason-uncaught');
          assert.deepEqual([ending.code, ending.reason], [status.WS_1011_INTERNAL_ERROR, 'Internal Error']);
          assert.ok(logged[0] instanceof TypeError);
        });

        it('refuses with HTTP 500 when close(1005) is called before accept()', async () => {
          const refusal = await transport().refusal('/bad-close-before-accept');
          assert.equal(refusal.status, status.HTTP_500_INTERNAL_SERVER_ERROR);
          assert.ok(logged[0] instanceof TypeError);
        });
      });

      describe('properties', () => {
        it('exposes id, path, clientIp, headers, subprotocols, bufferedAmount, closeCode and closeReason', async () => {
          const peer = await transport().open('/props/lobby', { subprotocols: ['a', 'b'], headers: { 'X-Token': 'secret' } });
          const seen = (await peer.receiveJson()) as Record<string, unknown>;
          assert.equal(typeof seen.id, 'string');
          assert.deepEqual(
            { ...seen, id: undefined },
            {
              id: undefined,
              path: '/props/lobby',
              scopePath: '/props/lobby',
              room: 'lobby',
              clientIp: '127.0.0.1',
              token: 'secret',
              subprotocols: ['a', 'b'],
              bufferedAmount: 0,
              before: { bufferedAmount: 0, closeCode: null, closeReason: null },
              open: { closeCode: null, closeReason: null },
            },
          );
          await peer.close(4002, 'see you');
          assert.deepEqual(await reported(), {
            receive: { disconnect: true, code: 4002, reason: 'see you' },
            closeCode: 4002,
            closeReason: 'see you',
          });

          // Each connection has an id of its own.
          report = deferred<unknown>();
          const other = await transport().open('/props/lobby', { subprotocols: ['b'] });
          const again = (await other.receiveJson()) as { id: string };
          assert.notEqual(again.id, seen.id);
          await other.close();
        });
      });
    },
  );

  describe('with a small receive queue (back-pressure)', () => {
    forEachTransport(
      () => makeApp({ receiveQueue: 2 }),
      (transport) => {
        it("loses nothing a slow handler has not read yet, and ends with the peer's close", async () => {
          const peer = await transport().open('/slow-reader');
          assert.equal(await peer.receiveText(), 'ready');
          for (let i = 0; i < 10; i++) peer.send(`m${i}`);
          await peer.close(4002, 'all sent');
          assert.deepEqual(await reported(), {
            got: Array.from({ length: 10 }, (_, i) => ({ text: `m${i}` })),
            closeCode: 4002,
            closeReason: 'all sent',
          });
        });

        it('completes the close handshake promptly when the handler returns with the socket paused', async () => {
          const peer = await transport().open('/leave-unread');
          assert.equal(await peer.receiveText(), 'ready');
          for (let i = 0; i < 10; i++) peer.send(`m${i}`);
          const close = await within(peer.closed, WAIT, 'the server to close');
          assert.equal(close.code, status.WS_1000_NORMAL_CLOSURE);
          // The server end finished too (the app waits for that on shutdown).
          assert.deepEqual(await reported(), { closeCode: status.WS_1000_NORMAL_CLOSURE });
        });
      },
    );
  });

  describe('over real sockets only', () => {
    let app: App;
    let server: Server;
    before(async () => {
      app = makeApp();
      server = await app.listen(0);
    });
    after(() => app.close());

    it('ping() sends a ping the client sees, and the pong marks the socket alive', async () => {
      const live = await openLive(liveUrl(server, '/ping'));
      const ping = once(live.socket, 'ping');
      live.send('ping me');
      await within(ping, WAIT, 'the ping');
      // The ws client answered with a pong before sending this.
      live.send('pinged');
      assert.deepEqual(await reported(), { alive: true });
      assert.equal(live.pings.length, 1);
    });

    it('bufferedAmount counts bytes not yet written to a slow client, and drops to 0 once they are', async () => {
      const live = await openLive(liveUrl(server, '/big'));
      live.send('go');
      const big = await live.receive(5000);
      assert.equal(Buffer.isBuffer(big) ? big.length : -1, 16 * 1024 * 1024);
      live.send('got it');
      const seen = (await reported()) as { queued: number; afterwards: number };
      assert.ok(seen.queued > 0, `bufferedAmount was ${seen.queued} right after a 16 MiB send`);
      assert.equal(seen.afterwards, 0);
    });

    it('keeps a message pipelined right behind the upgrade request while an async hook runs', async () => {
      const url = new URL(liveUrl(server, '/slow-hook'));
      const socket = tcpConnect(Number(url.port), url.hostname);
      try {
        await once(socket, 'connect');
        const request = [
          'GET /slow-hook HTTP/1.1',
          `Host: ${url.host}`,
          'Upgrade: websocket',
          'Connection: Upgrade',
          'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
          'Sec-WebSocket-Version: 13',
          '',
          '',
        ].join('\r\n');
        socket.write(Buffer.concat([Buffer.from(request), maskedTextFrame('early bird')]));
        const reply = await within(readUntilFrame(socket), WAIT, 'the echo');
        assert.match(reply.head, /^HTTP\/1\.1 101 /);
        assert.equal(reply.text, 'early bird');
      } finally {
        socket.destroy();
      }
    });
  });
});

/** A client text frame, masked as RFC 6455 requires (payload under 126 bytes). */
function maskedTextFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  const mask = Buffer.from([1, 2, 3, 4]);
  const masked = Buffer.from(payload.map((byte, i) => byte ^ mask[i % 4]));
  return Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, masked]);
}

/** Reads the HTTP response head and the first (unmasked, short) text frame after it. */
function readUntilFrame(socket: Socket): Promise<{ head: string; text: string }> {
  return new Promise((resolve, reject) => {
    let buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      const end = buffer.indexOf('\r\n\r\n');
      if (end === -1) return;
      const frame = buffer.subarray(end + 4);
      if (frame.length < 2 || frame.length < 2 + (frame[1] & 0x7f)) return;
      resolve({ head: buffer.subarray(0, end).toString('latin1'), text: frame.subarray(2, 2 + (frame[1] & 0x7f)).toString('utf8') });
    });
    socket.on('error', reject);
    socket.on('close', () => reject(new Error(`Connection closed after: ${buffer.toString('latin1')}`)));
  });
}
