import assert from 'node:assert/strict';
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { connectAdmin, deleteKeys, REDIS_URL } from '../../support/redis-admin';
import { openLive, within, type LiveSocket } from '../../support/ws-client';

/** The compiled node script, next to this file's compiled output under dist/. */
const NODE_SCRIPT = join(__dirname, '..', '..', 'support', 'realtime-node.js');
const PREFIX = `sw-test-xp-${randomBytes(4).toString('hex')}`;
/** The presence TTL the nodes run with (seconds). */
const TTL = 2;

/** One app process: its port, and what it wrote to stderr (for failure messages). */
interface Node {
  readonly name: string;
  readonly child: ChildProcess;
  readonly port: number;
  stderr(): string;
}

async function startNode(name: string): Promise<Node> {
  const child = fork(NODE_SCRIPT, [], {
    env: { ...process.env, RT_PREFIX: PREFIX, REDIS_URL },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    execArgv: [],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  const port = await within(new Promise<number>((resolve, reject) => {
    child.once('message', (message: unknown) => {
      const port = typeof message === 'object' && message !== null ? (message as { port?: unknown }).port : undefined;
      if (typeof port === 'number') resolve(port);
      else reject(new Error(`node ${name} sent ${JSON.stringify(message)}`));
    });
    child.once('exit', (code, signal) => reject(new Error(`node ${name} exited (${code ?? signal}) before listening: ${stderr}`)));
    child.once('error', reject);
  }), 8000, `node ${name} to listen`).catch((error: unknown) => {
    child.kill('SIGKILL');
    throw error;
  });
  return { name, child, port, stderr: () => stderr };
}

/** Ends a node: SIGTERM (graceful) or SIGKILL, waiting (bounded) for it to exit. */
async function stopNode(node: Node | undefined, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (!node || node.child.exitCode !== null || node.child.signalCode !== null) return;
  const exited = new Promise((resolve) => node.child.once('exit', resolve));
  node.child.kill(signal);
  await within(exited, 4000, `node ${node.name} to exit`).catch(async () => {
    node.child.kill('SIGKILL');
    await within(exited, 2000, `node ${node.name} to die`);
  });
}

function running(node: Node | undefined): Node {
  assert.ok(node, 'the node was started');
  return node;
}

async function http<T>(node: Node, method: string, path: string, json?: unknown): Promise<T> {
  const response = await fetch(`http://127.0.0.1:${node.port}${path}`, {
    method, headers: json === undefined ? {} : { 'content-type': 'application/json' }, body: json === undefined ? undefined : JSON.stringify(json),
    signal: AbortSignal.timeout(3000),
  });
  assert.equal(response.status, 200, `${method} ${path} on node ${node.name}: ${await response.clone().text()}`);
  return await response.json() as T;
}

describe('RealtimeManager across processes (two app processes sharing Redis)', function () {
  this.timeout(15000);
  let admin: Redis;
  let a: Node | undefined;
  let b: Node | undefined;
  const sockets: LiveSocket[] = [];

  /** A chat socket for `user` on `node`, once the node registered it. */
  async function connect(node: Node | undefined, user: string): Promise<LiveSocket> {
    const { port, child } = running(node);
    const socket = await openLive(`ws://127.0.0.1:${port}/chat?user=${user}`);
    sockets.push(socket);
    assert.deepEqual(await socket.receiveJson(), { type: 'ready', user, pid: child.pid });
    return socket;
  }

  async function nothingArrives(socket: LiveSocket, ms = 200): Promise<void> {
    const outcome = await socket.receive(ms).then((message) => ({ message }), () => ({}));
    assert.ok(!('message' in outcome), `expected nothing, got ${'message' in outcome ? String(outcome.message) : ''}`);
  }

  before(async function () {
    this.timeout(12000);
    admin = await connectAdmin(); // fails, never skips, without Redis
    [a, b] = await Promise.all([startNode('A'), startNode('B')]);
  });

  after(async function () {
    this.timeout(12000);
    for (const socket of sockets) socket.socket.terminate();
    await Promise.all([stopNode(a), stopNode(b)]);
    if (admin?.status === 'ready') {
      await deleteKeys(admin, PREFIX);
      admin.disconnect();
    }
  });

  let ann: LiveSocket;
  let bob: LiveSocket;
  let cat: LiveSocket;

  it('a room message from a member on A reaches the members on A and on B, and nobody else', async () => {
    ann = await connect(a, 'ann');
    bob = await connect(b, 'bob');
    cat = await connect(b, 'cat');
    const dan = await connect(a, 'dan');
    await http(running(a), 'POST', '/rooms', { id: 'lobby' });
    ann.sendJson({ op: 'join', room: 'lobby' });
    assert.deepEqual(await ann.receiveJson(), { type: 'ok', op: 'join' });
    bob.sendJson({ op: 'join', room: 'lobby' });
    assert.deepEqual(await bob.receiveJson(), { type: 'ok', op: 'join' });

    ann.sendJson({ op: 'say', room: 'lobby', text: 'hello from A' });
    const onA = await ann.receiveJson() as Record<string, unknown>;
    assert.deepEqual(await ann.receiveJson(), { type: 'ok', op: 'say' });
    const onB = await bob.receiveJson() as Record<string, unknown>;
    const expected = { type: 'said', from: 'ann', text: 'hello from A', pid: running(a).child.pid };
    assert.deepEqual(onA, { ...expected, id: onA.id });
    assert.deepEqual(onB, onA, 'B got the same message, history id included');
    await nothingArrives(cat);
    await nothingArrives(dan, 50);

    bob.sendJson({ op: 'say', room: 'lobby', text: 'and back from B' });
    assert.equal((await ann.receiveJson() as { text: string }).text, 'and back from B');
  });

  it('presence lists the users of both processes, from either', async () => {
    const everyone = ['ann', 'bob', 'cat', 'dan'];
    assert.deepEqual(await http(running(a), 'GET', '/online'), everyone);
    assert.deepEqual(await http(running(b), 'GET', '/online'), everyone);
  });

  it("sendToUser reaches a user's sockets on both processes; USER_JOINED fired once, where the first socket opened", async () => {
    const erinOnA = await connect(a, 'erin');
    const erinOnB = await connect(b, 'erin');
    const delivery = await http<{ delivered: number }>(running(b), 'POST', '/send', { user: 'erin', message: { type: 'dm', text: 'hi erin' } });
    assert.equal(delivery.delivered, 1, 'B delivered to its own socket; A delivers to the other');
    assert.deepEqual(await erinOnA.receiveJson(), { type: 'dm', text: 'hi erin' });
    assert.deepEqual(await erinOnB.receiveJson(), { type: 'dm', text: 'hi erin' });
    await nothingArrives(ann, 50);
    const joinedOnA = (await http<string[]>(running(a), 'GET', '/events')).filter((event) => event === 'joined:erin');
    const joinedOnB = (await http<string[]>(running(b), 'GET', '/events')).filter((event) => event === 'joined:erin');
    assert.deepEqual([joinedOnA.length, joinedOnB.length], [1, 0]);
  });

  it('killing process B takes its users out of presence within the TTL, with nobody cleaning up', async () => {
    const killedAt = Date.now();
    await stopNode(b, 'SIGKILL');
    // B renewed at most TTL/3 ago, so its users are still listed for a while: expiry, not an exit hook, removes them.
    assert.deepEqual(await http(running(a), 'GET', '/online'), ['ann', 'bob', 'cat', 'dan', 'erin']);
    let online: string[] = [];
    while (Date.now() - killedAt < TTL * 1000 + 1500) {
      online = await http<string[]>(running(a), 'GET', '/online');
      // Each user's presence key expires on its own (Redis samples expired keys), so wait for both.
      if (!online.includes('bob') && !online.includes('cat')) break;
      await sleep(100);
    }
    assert.deepEqual(online, ['ann', 'dan', 'erin'], 'bob and cat lapsed; erin is still connected to A');
    assert.ok(Date.now() - killedAt <= TTL * 1000 + 1500, 'within the TTL (and a poll)');
    ann.sendJson({ op: 'say', room: 'lobby', text: 'still works' });
    assert.equal((await ann.receiveJson() as { text: string }).text, 'still works', `node A is healthy: ${running(a).stderr()}`);
  });
});
