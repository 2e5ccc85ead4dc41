import assert from 'node:assert/strict';
import { type ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { parseHistoryId } from '../../../lib/realtime/store';
import { type Client, type ClientModule, loadClient, NodeWebSocket, next, record } from '../../client/client-harness';
import { freePort, startRedis, stopRedis } from '../../support/private-redis';
import { TcpProxy } from '../../support/tcp-proxy';
import { type LiveSocket, openLive, within } from '../../support/ws-client';

/** The compiled node script, next to this file's compiled output under dist/. */
const NODE_SCRIPT = join(__dirname, '..', '..', 'support', 'history-node.js');
const PREFIX = `sw-test-hist-${randomBytes(4).toString('hex')}`;

interface Node {
  readonly name: string;
  readonly child: ChildProcess;
  readonly port: number;
  stderr(): string;
}

async function startNode(name: string, redisUrl: string): Promise<Node> {
  const child = fork(NODE_SCRIPT, [], {
    env: { ...process.env, RT_PREFIX: PREFIX, REDIS_URL: redisUrl },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    execArgv: [],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const port = await within(
    new Promise<number>((resolve, reject) => {
      child.once('message', (message: unknown) => {
        const port = typeof message === 'object' && message !== null ? (message as { port?: unknown }).port : undefined;
        if (typeof port === 'number') resolve(port);
        else reject(new Error(`node ${name} sent ${JSON.stringify(message)}`));
      });
      child.once('exit', (code, signal) => reject(new Error(`node ${name} exited (${code ?? signal}) before listening: ${stderr}`)));
    }),
    8000,
    `node ${name} to listen`,
  ).catch((error: unknown) => {
    child.kill('SIGKILL');
    throw error;
  });
  return { name, child, port, stderr: () => stderr };
}

async function stopNode(node: Node | undefined): Promise<void> {
  if (!node || node.child.exitCode !== null || node.child.signalCode !== null) return;
  const exited = new Promise((resolve) => node.child.once('exit', resolve));
  node.child.kill('SIGTERM');
  await within(exited, 4000, `node ${node.name} to exit`).catch(() => node.child.kill('SIGKILL'));
}

async function post<T>(node: Node, path: string, json: unknown): Promise<T> {
  const response = await fetch(`http://127.0.0.1:${node.port}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(json),
    signal: AbortSignal.timeout(8000),
  });
  assert.equal(response.status, 200, `POST ${path} on node ${node.name}: ${await response.clone().text()} ${node.stderr()}`);
  return (await response.json()) as T;
}

/** Offsets of `ids`, checking that they are all of one epoch. */
function offsetsOf(ids: readonly string[]): number[] {
  const positions = ids.map(parseHistoryId);
  assert.equal(new Set(positions.map((p) => p.epoch)).size, 1, `one epoch: ${ids.join(' ')}`);
  return positions.map((p) => p.offset);
}

/** `from`, `from + 1`, … `to`. */
const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe("History across processes (two app processes on a redis-server of the spec's own)", function () {
  this.timeout(30000);
  let redisPort: number;
  let redis: ChildProcess | undefined;
  let admin: Redis;
  let a: Node | undefined;
  let b: Node | undefined;
  let client: ClientModule;
  const sockets: LiveSocket[] = [];
  const clients: Client[] = [];
  const proxies: TcpProxy[] = [];

  before(async function () {
    this.timeout(20000);
    client = await loadClient();
    redisPort = await freePort();
    redis = await startRedis(redisPort);
    admin = new Redis(redisPort, '127.0.0.1', { maxRetriesPerRequest: 1 });
    admin.on('error', () => undefined);
    const url = `redis://127.0.0.1:${redisPort}`;
    [a, b] = await Promise.all([startNode('A', url), startNode('B', url)]);
  });

  after(async function () {
    this.timeout(20000);
    for (const made of clients) made.close();
    for (const socket of sockets) socket.socket.terminate();
    for (const proxy of proxies) await proxy.close();
    await Promise.all([stopNode(a), stopNode(b)]);
    admin?.disconnect();
    await stopRedis(redis);
  });

  function node(which: Node | undefined): Node {
    assert.ok(which, 'the node was started');
    return which;
  }

  /** A raw socket on `/client` that joined `room`; its history reply. */
  async function rawMember(on: Node | undefined, user: string, room: string): Promise<{ socket: LiveSocket; last: string }> {
    const socket = await openLive(`ws://127.0.0.1:${node(on).port}/client?user=${user}`);
    sockets.push(socket);
    socket.sendJson({ type: 'join', room, requestId: 1 });
    const reply = (await socket.receiveJson(5000)) as { type: string; last: string };
    assert.equal(reply.type, 'history', JSON.stringify(reply));
    return { socket, last: reply.last };
  }

  /** The Starwire client, as user `user` on `on` (through `proxy` if given), once it joined `room`. */
  async function clientMember(on: Node | undefined, user: string, room: string, proxy?: TcpProxy): Promise<Client> {
    const made = client.connect(`ws://127.0.0.1:${proxy?.port ?? node(on).port}/client?user=${user}`, {
      WebSocket: NodeWebSocket,
      heartbeat: false,
      reconnect: { initialDelay: 20, maxDelay: 100 },
      requestTimeout: 8000,
    });
    clients.push(made);
    const reply = await made.request<{ type: string }>({ type: 'join', room });
    assert.equal(reply.type, 'history', JSON.stringify(reply));
    return made;
  }

  it('two processes broadcasting into one room at once: every member, on either process, gets offsets 1, 2, 3… in order', async () => {
    await post(node(a), '/rooms', { id: 'busy' });
    const members = [
      await rawMember(a, 'ann', 'busy'),
      await rawMember(a, 'abe', 'busy'),
      await rawMember(b, 'bob', 'busy'),
      await rawMember(b, 'bea', 'busy'),
    ];
    const count = 150;
    const [idsFromA, idsFromB] = await Promise.all([
      post<string[]>(node(a), '/burst', { room: 'busy', count }),
      post<string[]>(node(b), '/burst', { room: 'busy', count }),
    ]);
    assert.deepEqual(
      offsetsOf([...idsFromA, ...idsFromB]).sort((x, y) => x - y),
      range(1, 2 * count),
      'each offset given out once',
    );
    for (const [i, { socket }] of members.entries()) {
      const ids: string[] = [];
      const pids = new Set<number>();
      while (ids.length < 2 * count) {
        const line = (await socket.receiveJson(5000)) as { id: string; pid: number };
        ids.push(line.id);
        pids.add(line.pid);
      }
      assert.deepEqual(offsetsOf(ids), range(1, 2 * count), `member ${i} got every offset once, in order`);
      assert.equal(pids.size, 2, 'lines from both processes');
    }
  });

  it('a burst of 2000 broadcasts from B into one room reaches the member on A complete and in order (the real-time inbox takes it)', async () => {
    await post(node(a), '/rooms', { id: 'flood' });
    const { socket } = await rawMember(a, 'fay', 'flood');
    // B has a member too, so the room's messages come back to B through Redis as they reach A.
    await rawMember(b, 'fred', 'flood');
    const count = 2000;
    const ids = await post<string[]>(node(b), '/burst', { room: 'flood', count });
    assert.deepEqual(
      offsetsOf(ids).sort((x, y) => x - y),
      range(1, count),
    );
    const received: string[] = [];
    while (received.length < count) received.push(((await socket.receiveJson(5000)) as { id: string }).id);
    assert.deepEqual(offsetsOf(received), range(1, count), 'every line once, in order');
  });

  it('a client cut off while both processes broadcast gets exactly what it missed on reconnecting, in order, then live lines', async () => {
    await post(node(a), '/rooms', { id: 'resume' });
    const proxy = await TcpProxy.start(node(a).port);
    proxies.push(proxy);
    const ann = await clientMember(a, 'cid', 'resume', proxy);
    const lines = record(ann, 'message');
    await post(node(b), '/burst', { room: 'resume', count: 5 });
    await within(
      (async () => {
        while (lines.length < 5) await sleep(10);
      })(),
      5000,
      'the first 5 lines',
    );
    const closed = next(ann, 'close');
    proxy.sever();
    assert.equal((await closed).willReconnect, true);
    await Promise.all([post(node(a), '/burst', { room: 'resume', count: 20 }), post(node(b), '/burst', { room: 'resume', count: 20 })]);
    const resumed = next(ann, 'resumed', () => true, 8000);
    proxy.restore();
    assert.deepEqual(await resumed, { room: 'resume', complete: true, missed: 40 });
    await post(node(b), '/burst', { room: 'resume', count: 3 });
    await within(
      (async () => {
        while (lines.length < 48) await sleep(10);
      })(),
      5000,
      'the live lines after the resume',
    );
    await sleep(100);
    assert.deepEqual(offsetsOf(lines.map((line) => String(line.id))), range(1, 48), 'nothing skipped, nothing twice');
  });

  it('a Redis restart that loses history starts a new epoch, and the client is told complete: false', async () => {
    await post(node(a), '/rooms', { id: 'fragile' });
    const ann = await clientMember(a, 'dee', 'fragile');
    await clientMember(b, 'dan', 'fragile');
    const lines = record(ann, 'message');
    const resumed = record(ann, 'resumed');
    const before = await post<string[]>(node(b), '/burst', { room: 'fragile', count: 3 });
    await within(
      (async () => {
        while (lines.length < 3) await sleep(10);
      })(),
      5000,
      'the lines before the restart',
    );

    await stopRedis(redis);
    redis = await startRedis(redisPort);
    // The nodes reconnect by themselves; the room is gone with everything else and is made again.
    await within(
      (async () => {
        for (;;) {
          try {
            await post(node(a), '/rooms', { id: 'fragile' });
            const subscribed = (await admin.call(
              'PUBSUB',
              'NUMSUB',
              `${PREFIX}:group:rt.room.${Buffer.from('fragile').toString('base64url')}`,
            )) as [string, number];
            if (Number(subscribed[1]) === 2) return;
          } catch {
            // Redis, or a node's connection to it, is not back yet.
          }
          await sleep(100);
        }
      })(),
      15000,
      'both nodes back on the restarted Redis',
    );
    // The restart lost every process's heartbeat too: each closes its sockets with 1012, and the
    // client reconnects and resumes from its cursor in the old epoch, which the history no longer has.
    await within(
      (async () => {
        while (resumed.length === 0) await sleep(10);
      })(),
      15000,
      'the client to resume after the 1012',
    );
    assert.deepEqual(resumed, [{ room: 'fragile', complete: false, missed: 0 }]);
    // Memberships were lost with the rest of Redis's data: the member joins again, as an app does.
    await ann.request({ type: 'join', room: 'fragile' });
    const after = await post<string[]>(node(b), '/burst', { room: 'fragile', count: 2 });
    assert.notEqual(parseHistoryId(after[0]).epoch, parseHistoryId(before[0]).epoch, 'a new epoch');
    assert.deepEqual(offsetsOf(after), [1, 2]);
    await within(
      (async () => {
        while (lines.length < 5) await sleep(10);
      })(),
      5000,
      'the lines after the restart',
    );
    await sleep(100);
    assert.deepEqual(
      lines.map((line) => line.id),
      [...before, ...after],
    );
  });
});
