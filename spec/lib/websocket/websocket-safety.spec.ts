import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { WebSocket as WsClient } from 'ws';
import { WebSocket } from '../../../components/websocket';
import { App } from '../../../lib/app';
import type { SettingsInput } from '../../../lib/config/settings';
import { WebSocketDisconnect } from '../../../lib/errors/exceptions';
import * as status from '../../../lib/errors/status';
import { inject } from '../../../lib/inject/inject';
import { type Handler, WebSocketRoute } from '../../../lib/routing/routes';
import {
  type Deferred,
  deferred,
  forEachTransport,
  HandshakeRefused,
  type LiveSocket,
  liveUrl,
  openLive,
  type Peer,
  WAIT,
  within,
} from '../../support/ws-client';

/** What `settings.logError` received, and the logger's lines, for the app of the current test. */
const errors: { message: string; error: unknown }[] = [];
const lines: { level: number; event: string }[] = [];

function watchedSettings(extra: SettingsInput = {}): SettingsInput {
  return {
    logError: (message, error) => errors.push({ message, error }),
    logLevel: 'info',
    logWrite: (line) => lines.push(JSON.parse(line) as { level: number; event: string }),
    ...extra,
    websocket: { heartbeatInterval: 0, ...extra.websocket },
  };
}

/** Nothing reached the error log: neither `logError` nor an error-level line. */
function assertNothingLoggedAsError(): void {
  assert.deepEqual(
    errors.map((entry) => entry.message),
    [],
  );
  assert.deepEqual(
    lines.filter((line) => line.level >= 50),
    [],
  );
}

beforeEach(() => {
  errors.length = 0;
  lines.length = 0;
});

describe('WebSocket safety: what a handler does by accident never kills the process', () => {
  describe('sends nobody awaits, on sockets whose peers have left', () => {
    it('never reject: a child process under the default unhandled-rejection policy stays alive and exits 0', async function () {
      this.timeout(30000);
      const script = join(__dirname, '..', '..', 'fixtures', 'unawaited-sends.js');
      // NODE_OPTIONS could carry --unhandled-rejections; the default policy (throw) is the one under test.
      const child = spawn(process.execPath, [script], { env: { ...process.env, NODE_OPTIONS: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
      });
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        stderr += chunk;
      });
      const code = await within(
        new Promise<number | null>((resolve) => child.once('close', (exitCode) => resolve(exitCode))),
        25000,
        'the child to exit',
      );
      assert.equal(code, 0, `exit ${code}\n${stderr}`);
      assert.equal(stderr, '');
      const seen = JSON.parse(stdout) as { roomSize: number; broadcast: boolean[][]; tickerResults: boolean[][]; late: unknown };
      // Four dead sockets in the room (two real, two in-process), each answering every send with false.
      assert.equal(seen.roomSize, 4);
      assert.deepEqual(seen.broadcast, Array(4).fill([false, false, false, false]));
      assert.deepEqual(seen.tickerResults, Array(2).fill([false, false, false, false]));
      // accept() resolved though the client had left, and the sends made while it ran resolved false.
      assert.deepEqual(seen.late, { sent: [false, false, false, false], state: 'closed', closeCode: status.WS_1006_ABNORMAL_CLOSURE });
    });
  });

  describe("a WebSocketDisconnect from another connection's socket", () => {
    /** Bob's socket, which Alice's handlers wait on. */
    let bob: WebSocket | undefined;
    let aliceEnded: Deferred<string> = deferred<string>();

    const makeApp = (): App =>
      new App({
        // Two connections per address: Bob and Alice. A socket left open with no handler would keep its slot.
        settings: watchedSettings({ websocket: { handshakeTimeout: 10 * WAIT, maxConnectionsPerIp: 2 } }),
        routes: [
          new WebSocketRoute(
            '/bob',
            inject([WebSocket], async (ws) => {
              await ws.accept();
              bob = ws;
              await ws.sendText('ready');
              await ws.done;
            }),
          ),
          new WebSocketRoute(
            '/alice',
            inject([WebSocket], async (ws) => {
              await ws.accept();
              await ws.sendText('waiting on bob');
              try {
                await bob!.receive();
              } finally {
                aliceEnded.resolve(ws.state);
              }
            }),
          ),
          new WebSocketRoute(
            '/alice-before-accept',
            inject([WebSocket], async () => {
              await bob!.receive();
            }),
          ),
          new WebSocketRoute(
            '/made-up',
            inject([WebSocket], async (ws) => {
              await ws.accept();
              await ws.sendText('open');
              throw new WebSocketDisconnect(status.WS_1000_NORMAL_CLOSURE);
            }),
          ),
        ],
      });

    beforeEach(() => {
      bob = undefined;
      aliceEnded = deferred<string>();
    });

    forEachTransport(makeApp, (transport) => {
      /** Opens `path`, waiting (bounded) for the slot of a connection that just closed to be let go of. */
      async function openAdmitted(path: string): Promise<Peer> {
        const deadline = Date.now() + WAIT;
        for (;;) {
          try {
            return await transport().open(path);
          } catch (error) {
            if (!(error instanceof HandshakeRefused && error.refusal.status === status.HTTP_429_TOO_MANY_REQUESTS) || Date.now() > deadline)
              throw error;
            await delay(10);
          }
        }
      }

      async function openBob(): Promise<Peer> {
        const peer = await openAdmitted('/bob');
        assert.equal(await peer.receiveText(), 'ready');
        return peer;
      }

      it("is not taken for Alice's peer leaving: her socket closes 1011, reported naming Bob's socket", async () => {
        const bobPeer = await openBob();
        const alice = await transport().open('/alice');
        assert.equal(await alice.receiveText(), 'waiting on bob');
        await bobPeer.close(status.WS_1000_NORMAL_CLOSURE);
        assert.equal(await within(aliceEnded.promise, WAIT, "Alice's handler to end"), 'connected');
        const close = await within(alice.closed, WAIT, "Alice's socket to close");
        assert.deepEqual(close, { code: status.WS_1011_INTERNAL_ERROR, reason: 'Internal Error' });
        assert.equal(errors.length, 1);
        assert.match(
          errors[0].message,
          /^Unhandled error in .*\/alice.*: a WebSocketDisconnect from another connection's socket \(\/bob, id \w+\) is not this connection's peer leaving$/,
        );
        assert.ok(errors[0].error instanceof WebSocketDisconnect);
        // Alice's and Bob's slots are let go of: two connections from this address are admitted again.
        const again = [await openBob(), await openBob()];
        for (const peer of again) await peer.close();
      });

      it("before Alice's accept, refuses her handshake with HTTP 500 at once, not at the handshake timeout", async () => {
        const bobPeer = await openBob();
        const refusal = transport().refusal('/alice-before-accept');
        await delay(50);
        const started = Date.now();
        await bobPeer.close(status.WS_1000_NORMAL_CLOSURE);
        const answer = await within(refusal, WAIT, 'the refusal');
        assert.equal(answer.status, status.HTTP_500_INTERNAL_SERVER_ERROR);
        assert.ok(Date.now() - started < WAIT, 'answered long before the handshake timeout');
        assert.equal(errors.length, 1);
        assert.match(errors[0].message, /another connection's socket \(\/bob/);
      });

      it('one user code raises while its own socket is open closes that socket 1011 too, reported', async () => {
        const ending = await transport().ending('/made-up');
        assert.deepEqual(ending.messages, ['open']);
        assert.deepEqual([ending.code, ending.reason], [status.WS_1011_INTERNAL_ERROR, 'Internal Error']);
        assert.equal(errors.length, 1);
        assert.match(errors[0].message, /a WebSocketDisconnect from user code while this socket was open/);
      });
    });
  });

  describe('after the server closed a socket itself', () => {
    const FLOOD = 20;
    /** What each handler's sends resolved to, and how its socket ended, once it ended. */
    let ended: { sent: boolean[]; closeCode: number | undefined; disconnect: number | undefined }[] = [];

    /** Runs the rest of a handler, then records how it ended (and which disconnect ended it), rethrowing. */
    async function recordEnd(ws: WebSocket, sent: boolean[], rest: () => Promise<void>): Promise<void> {
      let disconnect: number | undefined;
      try {
        await rest();
      } catch (error) {
        if (error instanceof WebSocketDisconnect) disconnect = error.code;
        throw error;
      } finally {
        ended.push({ sent, closeCode: ws.closeCode, disconnect });
      }
    }

    /** Receives, takes its time, echoes: the rate limit closes the socket while it waits. */
    const slowEcho = inject([WebSocket], async (ws) => {
      await ws.accept();
      const sent: boolean[] = [];
      await recordEnd(ws, sent, async () => {
        for (;;) {
          const message = await ws.receive();
          await delay(50);
          sent.push(await ws.send(message));
        }
      });
    });

    beforeEach(() => {
      ended = [];
    });

    forEachTransport(
      () =>
        new App({
          settings: watchedSettings({ websocket: { messageRate: { messages: 2, per: 60000 } } }),
          routes: [new WebSocketRoute('/slow-echo', slowEcho)],
        }),
      (transport) => {
        it(`rate limit 1008: the next send resolves false and the next receive ends the handler quietly, for ${FLOOD} connections at once`, async () => {
          const peers = await Promise.all(Array.from({ length: FLOOD }, () => transport().open('/slow-echo')));
          for (const peer of peers) for (let i = 0; i < 4; i++) peer.send(`m${i}`);
          const closes = await Promise.all(peers.map((peer) => within(peer.closed, 5000, 'the 1008 close')));
          assert.ok(
            closes.every((close) => close.code === status.WS_1008_POLICY_VIOLATION),
            JSON.stringify(closes),
          );
          const deadline = Date.now() + 5000;
          while (ended.length < FLOOD && Date.now() < deadline) await delay(10);
          assert.equal(ended.length, FLOOD);
          for (const end of ended) {
            // Two messages passed the limit; the echo of each came after the close.
            assert.deepEqual(end, {
              sent: [false, false],
              closeCode: status.WS_1008_POLICY_VIOLATION,
              disconnect: status.WS_1008_POLICY_VIOLATION,
            });
          }
          assertNothingLoggedAsError();
        });
      },
    );

    describe('over real sockets only', () => {
      const apps: App[] = [];
      const clients: LiveSocket[] = [];
      afterEach(async () => {
        for (const client of clients.splice(0)) client.socket.terminate();
        await Promise.all(apps.splice(0).map((app) => app.close()));
      });

      async function serve(settings: SettingsInput, handler: Handler): Promise<string> {
        const app = new App({ settings: watchedSettings(settings), routes: [new WebSocketRoute('/ws', handler)] });
        apps.push(app);
        return liveUrl(await app.listen(0), '/ws');
      }

      it('send buffer 1013: sends after the close resolve false and the next receive ends the handler quietly', async () => {
        const CHUNK = Buffer.alloc(256 * 1024, 1);
        const url = await serve(
          { websocket: { sendHighWaterMark: 64 * 1024, sendOverflow: 'close' } },
          inject([WebSocket], async (ws) => {
            await ws.accept();
            await ws.receive();
            const sent: boolean[] = [];
            await recordEnd(ws, sent, async () => {
              // A careless producer: it neither checks the results nor looks at the socket's state.
              for (let i = 0; i < 200; i++) {
                sent.push(await ws.sendBytes(CHUNK));
                await new Promise((resolve) => setImmediate(resolve));
              }
              await ws.receive();
            });
          }),
        );
        const client = await openLive(url);
        clients.push(client);
        client.send('go');
        client.socket.pause();
        const deadline = Date.now() + 10000;
        while (ended.length < 1 && Date.now() < deadline) await delay(10);
        client.socket.resume();
        assert.equal((await within(client.closed, 5000, 'the 1013 close')).code, status.WS_1013_TRY_AGAIN_LATER);
        const [end] = ended;
        assert.equal(end.closeCode, status.WS_1013_TRY_AGAIN_LATER);
        assert.equal(end.disconnect, status.WS_1013_TRY_AGAIN_LATER);
        const firstFalse = end.sent.indexOf(false);
        assert.ok(firstFalse > 0, 'some sends went out before the buffer filled');
        assert.ok(
          end.sent.slice(firstFalse).every((sent) => !sent),
          'nothing was sent after the close',
        );
        assert.equal(end.sent.length, 200);
        assertNothingLoggedAsError();
      });

      it('heartbeat: after a silent client is terminated, sends resolve false and the next receive ends the handler quietly', async () => {
        const url = await serve(
          { websocket: { heartbeatInterval: 50 } },
          inject([WebSocket], async (ws) => {
            await ws.accept();
            const sent: boolean[] = [];
            await recordEnd(ws, sent, async () => {
              while (sent.length < 100 && sent.at(-1) !== false) {
                sent.push(await ws.sendText('tick'));
                await delay(20);
              }
              await ws.receive();
            });
          }),
        );
        const client = new WsClient(url, { autoPong: false });
        const closed = new Promise<number>((resolve) => client.once('close', (code: number) => resolve(code)));
        assert.equal(await within(closed, 5000, 'the server to drop the silent client'), status.WS_1006_ABNORMAL_CLOSURE);
        const deadline = Date.now() + 5000;
        while (ended.length < 1 && Date.now() < deadline) await delay(10);
        const [end] = ended;
        assert.equal(end.sent.at(-1), false);
        assert.equal(end.disconnect, status.WS_1006_ABNORMAL_CLOSURE);
        assertNothingLoggedAsError();
      });
    });
  });
});
