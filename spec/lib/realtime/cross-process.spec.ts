import assert from 'node:assert/strict';
import { type ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { connectAdmin, deleteKeys, REDIS_URL } from '../../support/redis-admin';
import { type LiveSocket, openLive, within } from '../../support/ws-client';

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
      child.once('error', reject);
    }),
    8000,
    `node ${name} to listen`,
  ).catch((error: unknown) => {
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
    method,
    headers: json === undefined ? {} : { 'content-type': 'application/json' },
    body: json === undefined ? undefined : JSON.stringify(json),
    signal: AbortSignal.timeout(3000),
  });
  assert.equal(response.status, 200, `${method} ${path} on node ${node.name}: ${await response.clone().text()}`);
  return (await response.json()) as T;
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
    const outcome = await socket.receive(ms).then(
      (message) => ({ message }),
      () => ({}),
    );
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
    const onA = (await ann.receiveJson()) as Record<string, unknown>;
    assert.deepEqual(await ann.receiveJson(), { type: 'ok', op: 'say' });
    const onB = (await bob.receiveJson()) as Record<string, unknown>;
    const expected = { type: 'said', from: 'ann', text: 'hello from A', pid: running(a).child.pid };
    assert.deepEqual(onA, { ...expected, id: onA.id });
    assert.deepEqual(onB, onA, 'B got the same message, history id included');
    await nothingArrives(cat);
    await nothingArrives(dan, 50);

    bob.sendJson({ op: 'say', room: 'lobby', text: 'and back from B' });
    assert.equal(((await ann.receiveJson()) as { text: string }).text, 'and back from B');
  });

  it('presence lists the users of both processes, from either', async () => {
    const everyone = ['ann', 'bob', 'cat', 'dan'];
    assert.deepEqual(await http(running(a), 'GET', '/online'), everyone);
    assert.deepEqual(await http(running(b), 'GET', '/online'), everyone);
  });

  it("sendToUser reaches a user's sockets on both processes; USER_JOINED fired once, where the first socket opened", async () => {
    const erinOnA = await connect(a, 'erin');
    const erinOnB = await connect(b, 'erin');
    const delivery = await http<{ delivered: number }>(running(b), 'POST', '/send', {
      user: 'erin',
      message: { type: 'dm', text: 'hi erin' },
    });
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
    assert.equal(((await ann.receiveJson()) as { text: string }).text, 'still works', `node A is healthy: ${running(a).stderr()}`);
  });
});

describe('RealtimeManager across processes: a process that dies or stalls (three app processes sharing Redis)', function () {
  this.timeout(30000);
  /** When survivors must have noticed a dead process: its heartbeat lapses within a TTL, the next sweep comes within a third of one. */
  const NOTICED_MS = (TTL * 1000 * 4) / 3 + 1500;
  let admin: Redis;
  const nodes: Node[] = [];
  const sockets: LiveSocket[] = [];

  before(async function () {
    this.timeout(12000);
    admin = await connectAdmin();
    nodes.push(...(await Promise.all(['A', 'B', 'C'].map((name) => startNode(name)))));
  });

  after(async function () {
    this.timeout(12000);
    for (const socket of sockets) socket.socket.terminate();
    for (const node of nodes) if (node.child.signalCode === 'SIGSTOP' || node.child.exitCode === null) node.child.kill('SIGCONT');
    await Promise.all(nodes.map((node) => stopNode(node)));
    if (admin?.status === 'ready') {
      await deleteKeys(admin, PREFIX);
      admin.disconnect();
    }
  });

  async function connect(node: Node, user: string): Promise<LiveSocket> {
    const socket = await openLive(`ws://127.0.0.1:${node.port}/chat?user=${user}`);
    sockets.push(socket);
    assert.deepEqual(await socket.receiveJson(), { type: 'ready', user, pid: node.child.pid });
    return socket;
  }

  async function join(socket: LiveSocket, room: string): Promise<unknown> {
    socket.sendJson({ op: 'join', room });
    return socket.receiveJson();
  }

  /** How often each event was fired, summed over the given (live) nodes. */
  async function eventCounts(among: readonly Node[]): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    for (const node of among)
      for (const event of await http<string[]>(node, 'GET', '/events')) counts.set(event, (counts.get(event) ?? 0) + 1);
    return counts;
  }

  it("SIGKILL: a survivor reports the dead process's users leaving, once for the cluster, and frees their seats", async () => {
    const [a, b, c] = nodes as [Node, Node, Node];
    await http(a, 'POST', '/rooms', { id: 'seats', maxUsers: 2 });
    const kim = await connect(c, 'kim');
    const lee = await connect(c, 'lee');
    await connect(a, 'lee'); // lee has a second tab on a survivor
    assert.deepEqual(await join(kim, 'seats'), { type: 'ok', op: 'join' });
    assert.deepEqual(await join(lee, 'seats'), { type: 'ok', op: 'join' });
    const max = await connect(a, 'max');
    assert.equal(((await join(max, 'seats')) as { type: string }).type, 'error', 'the room is full');

    const killedAt = Date.now();
    await stopNode(c, 'SIGKILL');
    let counts = new Map<string, number>();
    while (Date.now() - killedAt < NOTICED_MS) {
      counts = await eventCounts([a, b]);
      if (counts.has('left:kim')) break;
      await sleep(100);
    }
    const noticedIn = Date.now() - killedAt;
    assert.ok(counts.has('left:kim'), `USER_LEFT for kim within ${NOTICED_MS} ms`);
    // Every survivor sweeps a few times more: the departure must still have been reported once.
    await sleep(TTL * 1000);
    counts = await eventCounts([a, b]);
    assert.deepEqual(
      [counts.get('left:kim'), counts.get('left-room:seats:kim'), counts.get('left:lee'), counts.get('left-room:seats:lee')],
      [1, 1, undefined, undefined],
      `events of A and B: ${JSON.stringify([...counts])}`,
    );
    assert.deepEqual(await http(b, 'GET', '/members?room=seats'), ['lee'], 'lee is still online (on A), and keeps the seat');
    assert.deepEqual(await http(b, 'GET', '/online'), ['lee', 'max']);
    assert.deepEqual(await join(max, 'seats'), { type: 'ok', op: 'join' }, "kim's seat is free");
    assert.ok(noticedIn < NOTICED_MS, `noticed in ${noticedIn} ms`);
  });

  it('a process stalled past the TTL (SIGSTOP) is swept; once it runs again it closes its sockets with 1012, and a reconnect rejoins', async () => {
    const [a, b] = nodes as [Node, Node];
    await http(a, 'POST', '/rooms', { id: 'open' });
    const sam = await connect(b, 'sam');
    assert.deepEqual(await join(sam, 'open'), { type: 'ok', op: 'join' });
    b.child.kill('SIGSTOP');
    const stoppedAt = Date.now();
    try {
      while (Date.now() - stoppedAt < NOTICED_MS) {
        if ((await eventCounts([a])).has('left:sam')) break;
        await sleep(100);
      }
      assert.equal((await eventCounts([a])).get('left:sam'), 1, 'A swept the stalled B');
      assert.deepEqual(await http(a, 'GET', '/members?room=open'), []);
    } finally {
      b.child.kill('SIGCONT');
    }
    // B's next heartbeat hears it was declared dead: its sockets would get what the store no longer lists them for.
    const closed = await within(sam.closed, TTL * 1000 + 2000, "sam's socket to close");
    assert.equal(closed.code, 1012);
    const back = await connect(b, 'sam');
    assert.deepEqual(await join(back, 'open'), { type: 'ok', op: 'join' });
    assert.deepEqual(await http(a, 'GET', '/members?room=open'), ['sam']);
    assert.deepEqual((await http<string[]>(b, 'GET', '/events')).filter((event) => event.endsWith(':sam')).slice(-1), ['joined:sam']);
  });
});
