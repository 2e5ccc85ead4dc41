import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { QueryParam } from '../../../components/query-param';
import { WebSocket } from '../../../components/websocket';
import { App } from '../../../lib/app';
import { RedisChannelLayer } from '../../../lib/channels/redis-channel-layer';
import { inject } from '../../../lib/inject/inject';
import { RealtimeManager } from '../../../lib/realtime/manager';
import { WebSocketRoute } from '../../../lib/routing/routes';
import { freePort, startRedis, stopRedis } from '../../support/private-redis';
import { type LiveSocket, liveUrl, openLive, within } from '../../support/ws-client';

const PREFIX = `sw-test-outage-${randomBytes(4).toString('hex')}`;

/** A socket registered as `?user=`, told `ready` once the manager has it. */
const registered = inject([WebSocket, QueryParam('user'), RealtimeManager], async (ws, user, realtime) => {
  await ws.accept();
  await realtime.addUser({ id: user ?? 'anonymous' }, ws);
  await ws.sendJson({ type: 'ready' });
  await ws.done;
});

/** One app process's real-time side, in this process: its own layer on the spec's redis-server. */
interface Node {
  readonly app: App;
  readonly layer: RedisChannelLayer;
  readonly server: Server;
  /** Log lines the app wrote (its logger's warnings). */
  readonly log: string[];
}

async function startNode(url: string): Promise<Node> {
  const layer = new RedisChannelLayer({ url, prefix: PREFIX, commandTimeoutMs: 300, redisOptions: { retryStrategy: () => 50 } });
  layer.on('error', () => {});
  await layer.ready();
  const log: string[] = [];
  const app = new App({
    routes: [new WebSocketRoute('/rt', registered)],
    channelLayer: layer,
    settings: { websocket: { heartbeatInterval: 0 }, logWrite: (line) => log.push(line) },
    realtime: { reconnectGrace: 100 },
  });
  await app.realtime.start();
  return { app, layer, server: await app.listen(0, '127.0.0.1'), log };
}

/** The next `event` from `layer` within `ms`. */
function nextEvent(layer: RedisChannelLayer, event: 'disconnected' | 'reconnected', ms: number): Promise<unknown> {
  return within(new Promise((resolve) => layer.once(event, resolve)), ms, `'${event}' from ${layer.processName}`);
}

describe("RealtimeManager during a Redis outage (two apps, each with its own layer on a redis-server of the spec's own)", function () {
  this.timeout(30000);
  let port: number;
  let redis: ChildProcess | undefined;
  let a: Node | undefined;
  let b: Node | undefined;
  const sockets: LiveSocket[] = [];

  before(async () => {
    port = await freePort();
    redis = await startRedis(port);
  });

  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.socket.terminate();
    redis?.kill('SIGCONT');
    await Promise.all([a?.app.close(), b?.app.close()]);
    a = b = undefined;
  });

  after(async () => {
    await stopRedis(redis);
  });

  function running(node: Node | undefined): Node {
    assert.ok(node, 'the node was started');
    return node;
  }

  async function connect(node: Node, user: string): Promise<LiveSocket> {
    const socket = await openLive(liveUrl(node.server, `/rt?user=${user}`));
    sockets.push(socket);
    assert.deepEqual(await socket.receiveJson(3000), { type: 'ready' });
    return socket;
  }

  /** Waits until `socket` receives a message of `type` and gives every message it got on the way. */
  async function receiveUntil(socket: LiveSocket, type: string): Promise<unknown[]> {
    const seen: unknown[] = [];
    for (;;) {
      const message = (await socket.receiveJson(3000)) as { type: string };
      seen.push(message);
      if (message.type === type) return seen;
    }
  }

  it("reports remote 'failed' with Redis dead, still delivers here, and nothing reported failed arrives after Redis is back", async () => {
    const url = `redis://127.0.0.1:${port}`;
    [a, b] = [await startNode(url), await startNode(url)];
    const [nodeA, nodeB] = [running(a), running(b)];
    const bob = await connect(nodeB, 'bob');
    const ann = await connect(nodeA, 'ann');
    await nodeA.app.realtime.createRoom({ id: 'lobby' });
    await nodeA.app.realtime.joinRoom('lobby', 'ann');

    assert.deepEqual(await nodeA.app.realtime.sendToUser('bob', { type: 'before' }), { delivered: 0, dropped: 0, remote: 'sent' });
    assert.deepEqual(await bob.receiveJson(3000), { type: 'before' });

    const down = [nextEvent(nodeA.layer, 'disconnected', 5000), nextEvent(nodeB.layer, 'disconnected', 5000)];
    await stopRedis(redis);
    await Promise.all(down);
    const realtime = nodeA.app.realtime;
    assert.deepEqual(await realtime.sendToUser('bob', { type: 'lost', n: 1 }), { delivered: 0, dropped: 0, remote: 'failed' });
    assert.deepEqual(
      await realtime.broadcastToAll({ type: 'lost', n: 2 }),
      { delivered: 1, dropped: 0, remote: 'failed' },
      'ann here still gets it',
    );
    assert.deepEqual(await realtime.broadcastToPath('/rt', { type: 'lost', n: 3 }), { delivered: 1, dropped: 0, remote: 'failed' });
    const kept = await realtime.broadcastToRoom('lobby', { type: 'lost', n: 4 });
    assert.deepEqual({ ...kept, id: undefined }, { delivered: 1, dropped: 0, remote: 'failed', id: undefined });
    assert.equal(nodeA.layer.stats().lost, 4);
    for (let n = 2; n <= 4; n++) assert.equal(((await ann.receiveJson(3000)) as { n: number }).n, n);

    const up = [nextEvent(nodeA.layer, 'reconnected', 8000), nextEvent(nodeB.layer, 'reconnected', 8000)];
    redis = await startRedis(port);
    await Promise.all(up);
    assert.deepEqual(await realtime.sendToUser('bob', { type: 'after' }), { delivered: 0, dropped: 0, remote: 'sent' });
    assert.deepEqual(await receiveUntil(bob, 'after'), [{ type: 'after' }], 'no message reported failed reached bob');
    await sleep(300);
    await assert.rejects(bob.receiveJson(200), /No WebSocket message/, 'nothing arrives late');
  });

  it("reports remote 'unknown' (never 'sent') while Redis is stalled (SIGSTOP), and 'failed' once it is killed", async () => {
    const url = `redis://127.0.0.1:${port}`;
    [a, b] = [await startNode(url), await startNode(url)];
    const [nodeA, nodeB] = [running(a), running(b)];
    await connect(nodeB, 'bob');
    const realtime = nodeA.app.realtime;
    assert.equal((await realtime.sendToUser('bob', { type: 'before' })).remote, 'sent');

    const server = redis;
    assert.ok(server);
    server.kill('SIGSTOP');
    try {
      assert.equal((await realtime.sendToUser('bob', { type: 'stalled' })).remote, 'unknown');
      assert.equal((await realtime.broadcastToAll({ type: 'stalled' })).remote, 'unknown');
      assert.equal((await realtime.broadcastToPath('/rt', { type: 'stalled' })).remote, 'unknown');
      assert.equal(nodeA.layer.stats().unconfirmed, 3);
      assert.equal(nodeA.layer.stats().lost, 0, 'nothing is reported lost that Redis may still deliver');
    } finally {
      server.kill('SIGCONT');
    }
    const down = nextEvent(nodeA.layer, 'disconnected', 5000);
    await stopRedis(server);
    await down;
    assert.equal((await realtime.sendToUser('bob', { type: 'dead' })).remote, 'failed');
    redis = await startRedis(port);
  });

  it('a membership change other processes may have missed is counted in stats().unannounced and logged as a warning', async () => {
    const url = `redis://127.0.0.1:${port}`;
    [a, b] = [await startNode(url), await startNode(url)];
    const nodeA = running(a);
    const realtime = nodeA.app.realtime;
    await realtime.createRoom({ id: 'quiet' });
    await realtime.joinRoom('quiet', 'cat');
    assert.equal((await realtime.stats()).unannounced, 0, 'announced while Redis is up');
    assert.deepEqual(nodeA.log, []);

    const down = nextEvent(nodeA.layer, 'disconnected', 5000);
    await stopRedis(redis);
    await down;
    await realtime.joinRoom('quiet', 'dot');
    await realtime.leaveRoom('quiet', 'cat');
    assert.deepEqual(await realtime.getRoomMembers('quiet'), ['dot'], 'the change itself is made');
    assert.equal((await realtime.stats()).unannounced, 2);
    const warnings = nodeA.log.map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.deepEqual(
      warnings.map(({ level, event, kind, id, userId, member, remote }) => ({ level, event, kind, id, userId, member, remote })),
      [
        { level: 40, event: 'realtime.unannounced', kind: 'room', id: 'quiet', userId: 'dot', member: true, remote: 'failed' },
        { level: 40, event: 'realtime.unannounced', kind: 'room', id: 'quiet', userId: 'cat', member: false, remote: 'failed' },
      ],
    );
    redis = await startRedis(port);
  });

  it('sends nobody awaits while Redis is stalled and then dead: a child process under the default unhandled-rejection policy stays alive and exits 0', async () => {
    const server = redis;
    assert.ok(server);
    const script = join(__dirname, '..', '..', 'fixtures', 'unawaited-realtime-sends.js');
    // NODE_OPTIONS could carry --unhandled-rejections; the default policy (throw) is the one under test.
    const child = spawn(process.execPath, [script], {
      env: { ...process.env, NODE_OPTIONS: '', REDIS_URL: `redis://127.0.0.1:${port}`, RT_PREFIX: PREFIX },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const nextLine = async (what: string): Promise<Record<string, unknown>> => {
      const line = await within(
        Promise.race([
          lines.next(),
          exited.then((code) => {
            throw new Error(`child exited ${code}: ${stderr}`);
          }),
        ]),
        10000,
        what,
      );
      assert.ok(!line.done, `the child's output ended before ${what}: ${stderr}`);
      return JSON.parse(line.value) as Record<string, unknown>;
    };
    try {
      assert.deepEqual(await nextLine('ready'), { phase: 'ready' });
      server.kill('SIGSTOP');
      child.stdin.write('stopped\n');
      const stalled = await nextLine('the outcomes while stalled');
      server.kill('SIGCONT');
      await stopRedis(server);
      child.stdin.write('killed\n');
      const dead = await nextLine('the outcomes while dead');
      const code = await within(exited, 10000, 'the child to exit');
      assert.equal(code, 0, `exit ${code}\n${stderr}`);
      assert.doesNotMatch(stderr, /Unhandled|unhandled/);
      const outcomes = ['sendToUser', 'broadcastToAll', 'broadcastToPath', 'broadcastToRoom', 'broadcastToChannel', 'groupSend'];
      assert.deepEqual(stalled, { phase: 'stalled', remote: Object.fromEntries(outcomes.map((name) => [name, 'unknown'])) });
      assert.deepEqual(dead, { phase: 'dead', remote: Object.fromEntries(outcomes.map((name) => [name, 'failed'])) });
    } finally {
      child.kill('SIGKILL');
      server.kill('SIGCONT');
    }
  });
});
