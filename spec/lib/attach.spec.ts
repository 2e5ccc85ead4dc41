import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { Header } from '../../components/header';
import { Message } from '../../components/message';
import { WebSocket } from '../../components/websocket';
import { App } from '../../lib/app';
import { HTTPException } from '../../lib/errors/exceptions';
import * as status from '../../lib/errors/status';
import { inject } from '../../lib/inject/inject';
import { WebSocketRoute } from '../../lib/routing/routes';
import { expressHost, type FrameworkHost, fastifyHost, type Hosted, rawUpgrade, startFastify } from '../support/framework-hosts';
import { type LiveSocket, liveRefusal, openLive, within } from '../support/ws-client';

const echo = inject([WebSocket], async (ws) => {
  await ws.accept();
  for await (const message of ws) await ws.send(message);
});

const json = inject([Message()], (message) => ({ got: message }));

/** Closes with a code of its own once it has read one message. */
const bye = inject([WebSocket], async (ws) => {
  await ws.accept();
  const text = await ws.receiveText();
  await ws.close(4001, `bye ${text}`);
});

const crash = inject([WebSocket], async (ws) => {
  await ws.accept();
  await ws.receive();
  throw new Error('handler bug');
});

/** Counts the connections its route's handler ran for: a refused handshake must not reach it. */
const guardedRuns = { count: 0 };
const guarded = inject([WebSocket], async (ws) => {
  guardedRuns.count++;
  await ws.accept();
  await ws.sendText('welcome');
});

const gate = {
  onRequest: inject([Header('authorization')], (authorization) => {
    if (authorization === undefined) throw new HTTPException(status.HTTP_401_UNAUTHORIZED, 'Token required');
    if (authorization !== 'Bearer open-sesame') throw new HTTPException(status.HTTP_403_FORBIDDEN, 'Token refused');
  }),
};

function makeApp(): App {
  return new App({
    routes: [
      new WebSocketRoute('/ws/echo', echo),
      new WebSocketRoute('/ws/json', json),
      new WebSocketRoute('/ws/bye', bye),
      new WebSocketRoute('/ws/crash', crash),
      new WebSocketRoute('/ws/guarded', guarded, { hooks: [gate] }),
    ],
    settings: { logError: () => {} },
  });
}

/** Their own `ws` server on `/theirs/ws`, leaving every other upgrade alone (no `socket.destroy()`). */
function theirWebSockets(): { wss: WebSocketServer; listener: (req: IncomingMessage, socket: Duplex, head: Buffer) => void } {
  const wss = new WebSocketServer({ noServer: true });
  wss.on('connection', (client) => client.on('message', (data: Buffer) => client.send(`theirs:${data.toString('utf8')}`)));
  return {
    wss,
    listener: (req, socket, head) => {
      if (req.url === '/theirs/ws') wss.handleUpgrade(req, socket, head, (client) => wss.emit('connection', client, req));
    },
  };
}

const peers: LiveSocket[] = [];
async function open(url: string, headers?: Record<string, string>): Promise<LiveSocket> {
  const peer = await openLive(url, { headers });
  peers.push(peer);
  return peer;
}

afterEach(() => {
  for (const peer of peers.splice(0)) peer.socket.terminate();
});

for (const host of [expressHost, fastifyHost] as const) attachedTo(host);

function attachedTo(host: FrameworkHost): void {
  describe(`app.attach() on the server ${host.name} answers on`, () => {
    describe('next to an upgrade listener of their own', () => {
      let app: App;
      let theirs: ReturnType<typeof theirWebSockets>;
      let hosted: Hosted;

      before(async () => {
        app = makeApp();
        theirs = theirWebSockets();
        hosted = await host.start(app, { theirs: theirs.listener });
      });
      after(async () => {
        for (const client of theirs.wss.clients) client.terminate();
        await within(app.close(), 4000, 'app.close()');
        theirs.wss.close();
        hosted.server.closeAllConnections();
        await hosted.close();
      });

      it(`leaves ${host.name}'s HTTP routes and 404 to it`, async () => {
        const hello = await fetch(`${hosted.http}/theirs/hello`);
        assert.equal(hello.status, 200);
        assert.deepEqual(await hello.json(), { framework: host.name.toLowerCase() });
        const missing = await fetch(`${hosted.http}/missing`);
        assert.equal(missing.status, 404);
        assert.ok(host.isTheirNotFound(await missing.text(), '/missing'));
        // attach() mounts WebSocket routes only: a plain GET on one is theirs to answer.
        const plain = await fetch(`${hosted.http}/ws/echo`);
        assert.equal(plain.status, 404);
        assert.ok(host.isTheirNotFound(await plain.text(), '/ws/echo'));
      });

      it('accepts on its routes and echoes text and bytes', async () => {
        const peer = await open(`${hosted.ws}/ws/echo?room=1`);
        peer.send('héllo');
        peer.send(Buffer.from([0, 255, 128]));
        assert.equal(await peer.receive(), 'héllo');
        assert.deepEqual(await peer.receive(), Buffer.from([0, 255, 128]));
        assert.equal((await peer.close(1000)).code, 1000);
      });

      it('runs message handlers, and closes 1007 on malformed JSON', async () => {
        const peer = await open(`${hosted.ws}/ws/json`);
        peer.sendJson({ n: 1 });
        assert.deepEqual(await peer.receiveJson(), { got: { n: 1 } });
        peer.send('{"n":');
        assert.equal((await within(peer.closed, 2000, 'the 1007 close')).code, status.WS_1007_INVALID_FRAME_PAYLOAD_DATA);
      });

      it("sends the handler's close code and reason, and 1011 when a handler throws", async () => {
        const leaving = await open(`${hosted.ws}/ws/bye`);
        leaving.send('now');
        assert.deepEqual(await within(leaving.closed, 2000, 'the 4001 close'), { code: 4001, reason: 'bye now' });
        const crashing = await open(`${hosted.ws}/ws/crash`);
        crashing.send('x');
        assert.equal((await within(crashing.closed, 2000, 'the 1011 close')).code, status.WS_1011_INTERNAL_ERROR);
      });

      it('refuses with 401 and 403 from a hook before the upgrade, and the handler never runs', async () => {
        const before = guardedRuns.count;
        const missing = await liveRefusal(`${hosted.ws}/ws/guarded`);
        assert.equal(missing.status, 401);
        assert.deepEqual(JSON.parse(missing.body), { detail: 'Token required' });
        const wrong = await liveRefusal(`${hosted.ws}/ws/guarded`, { headers: { authorization: 'Bearer guess' } });
        assert.equal(wrong.status, 403);
        assert.equal(guardedRuns.count, before);
        const admitted = await open(`${hosted.ws}/ws/guarded`, { authorization: 'Bearer open-sesame' });
        assert.equal(await admitted.receive(), 'welcome');
        assert.equal(guardedRuns.count, before + 1);
      });

      it('leaves upgrades for paths it does not route to their listener', async () => {
        const { accepted, rejected } = app.stats();
        const peer = await open(`${hosted.ws}/theirs/ws`);
        peer.send('hi');
        assert.equal(await peer.receive(), 'theirs:hi');
        assert.equal((await peer.close(1000)).code, 1000);
        assert.deepEqual([app.stats().accepted, app.stats().rejected], [accepted, rejected]);
      });

      // Last: it closes the app.
      it(`app.close() closes its sockets with 1001, waits for theirs, and stops ${host.name}'s server`, async () => {
        const ours = await open(`${hosted.ws}/ws/echo`);
        const mine = await open(`${hosted.ws}/theirs/ws`);
        let settled = false;
        const closing = app.close().then(() => {
          settled = true;
        });
        assert.equal((await within(ours.closed, 2000, 'the 1001 close')).code, status.WS_1001_GOING_AWAY);
        // Their WebSocket is untouched, and server.close() (inside app.close()) waits for it.
        mine.send('still here');
        assert.equal(await mine.receive(), 'theirs:still here');
        assert.equal(settled, false, 'app.close() resolved while their WebSocket was open');
        assert.equal(hosted.server.listening, false, 'the attached server still accepts connections');
        await mine.close(1000);
        await within(closing, 2000, 'app.close() once their WebSocket closed');
        // Their own shutdown still runs: Fastify's ignores the closed server, Node's reports it.
        const error = await within(hosted.close(), 2000, `${host.name}'s close`);
        assert.equal(
          error === undefined ? undefined : (error as NodeJS.ErrnoException).code,
          host.name === 'Express' ? 'ERR_SERVER_NOT_RUNNING' : undefined,
        );
      });
    });

    describe('as the only upgrade listener', () => {
      let app: App;
      let hosted: Hosted;

      before(async () => {
        app = makeApp();
        hosted = await host.start(app);
      });
      after(async () => {
        await within(app.close(), 4000, 'app.close()');
        await hosted.close();
      });

      it('answers an upgrade it does not route with 404 and closes the connection', async () => {
        const answer = await rawUpgrade(hosted.port, '/nowhere');
        assert.equal(answer.status, 404);
        assert.deepEqual(JSON.parse(answer.body), { detail: 'Not Found' });
        assert.ok(answer.closed, 'the connection was left open');
        assert.match(answer.head, /\r\nConnection: close/i);
      });

      it(`still leaves plain requests to ${host.name}`, async () => {
        assert.equal((await fetch(`${hosted.http}/theirs/hello`)).status, 200);
        assert.equal((await fetch(`${hosted.http}/nowhere`)).status, 404);
      });
    });

    it(`before attach(), ${host.name} answers a WebSocket handshake as a plain GET; attach before listen()`, async () => {
      const app = makeApp();
      const hosted = await host.start(app, { attach: false });
      try {
        const early = await rawUpgrade(hosted.port, '/ws/echo');
        assert.equal(early.status, 404);
        assert.ok(host.isTheirNotFound(early.body, '/ws/echo'));
        // attach() after listen() works from then on; the window before it is what to avoid.
        app.attach(hosted.server);
        assert.equal((await rawUpgrade(hosted.port, '/ws/echo')).status, 101);
      } finally {
        await within(app.close(), 4000, 'app.close()');
        await hosted.close();
      }
    });
  });
}

describe('Fastify and an attached app', () => {
  it('fastify.server is one node:http server from fastify() through ready() and listen()', async () => {
    const app = makeApp();
    const seen: unknown[] = [];
    const hosted = await startFastify(app, {}, (instance) => {
      seen.push(instance.server);
      instance.addHook('onReady', async () => {
        seen.push(instance.server);
      });
    });
    try {
      seen.push(hosted.instance.server);
      assert.equal(seen.length, 3);
      assert.ok(seen.every((server) => server === hosted.server));
      assert.equal((await rawUpgrade(hosted.port, '/ws/echo')).status, 101);
    } finally {
      await within(app.close(), 2000, 'app.close()');
      await hosted.close();
    }
  });

  it("closes the app from Fastify's preClose hook: fastify.close() ends our sockets with 1001", async () => {
    const app = makeApp();
    const hosted = await startFastify(app, {}, (instance) => instance.addHook('preClose', () => app.close()));
    const peer = await open(`${hosted.ws}/ws/echo`);
    await within(hosted.close(), 2000, 'fastify.close()');
    assert.equal((await within(peer.closed, 2000, 'the 1001 close')).code, status.WS_1001_GOING_AWAY);
    assert.equal(app.stats().open, 0);
  });

  it('fastify.close() alone waits for our sockets, until app.close() ends them', async () => {
    const app = makeApp();
    const hosted = await startFastify(app);
    const peer = await open(`${hosted.ws}/ws/echo`);
    let settled = false;
    const closing = hosted.close().then(() => {
      settled = true;
    });
    try {
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(settled, false, 'fastify.close() resolved with a WebSocket of ours open');
      peer.send('still served');
      assert.equal(await peer.receive(), 'still served');
    } finally {
      await within(app.close(), 2000, 'app.close()');
    }
    assert.equal((await peer.closed).code, status.WS_1001_GOING_AWAY);
    await within(closing, 2000, 'fastify.close() after app.close()');
  });
});
