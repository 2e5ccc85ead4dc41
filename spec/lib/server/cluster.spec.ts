import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getJson, killAll, ROOT, StarwireProcess } from '../../support/cli-process';
import { type LiveSocket, openLive, within } from '../../support/ws-client';

const FIXTURE = 'dist/spec/fixtures/cli-apps.js';

function serve(args: readonly string[]): StarwireProcess {
  return new StarwireProcess(['serve', ...args]);
}

/** Waits until `count` fresh connections are answered by `size` processes; returns their pids. */
async function servingPids(port: number, size: number): Promise<Set<number>> {
  let seen = new Set<number>();
  for (let attempt = 0; attempt < 30 && seen.size < size; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    seen = await pids(port, 2 * size + 2);
  }
  return seen;
}

/** The pids that answer `count` fresh connections. */
async function pids(port: number, count: number): Promise<Set<number>> {
  const seen = new Set<number>();
  for (let i = 0; i < count; i++) seen.add(((await getJson(port, '/pid')).body as { pid: number }).pid);
  return seen;
}

async function closeCodes(sockets: readonly LiveSocket[]): Promise<number[]> {
  return Promise.all(sockets.map(async (socket) => (await within(socket.closed, 5000, 'the server to close the socket')).code));
}

describe('starwire serve --workers and --reload (lib/server/cluster.ts)', function () {
  this.timeout(15_000);
  let dir: string | undefined;
  /** A worker that no longer hears from its primary, so outlives it if a spec fails. */
  let detached: number | undefined;

  afterEach(async () => {
    await killAll();
    if (detached) {
      try {
        process.kill(detached, 'SIGKILL');
      } catch {
        // Gone already, as it should be.
      }
    }
    detached = undefined;
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('--workers 2 answers from two processes on one port, warns about the in-memory layer, and shuts both down on SIGTERM', async () => {
    const served = serve([FIXTURE, '--port', '0', '--workers', '2']);
    const port = await served.port();
    assert.match(served.stdout, /^starwire: serving http:\/\/127\.0\.0\.1:\d+ \(2 workers\)\n$/);
    // Standard error is a pipe of its own: the warning may arrive after the serving line.
    await served.stderrMatching(/in-memory channel layer.*per process.*RedisChannelLayer and RedisRealtimeStore/);
    const answered = await pids(port, 8);
    assert.equal(answered.size, 2, `pids: ${[...answered].join(', ')}`);
    assert.ok(!answered.has(served.child.pid!), 'the primary serves nothing itself');

    const sockets = await Promise.all(Array.from({ length: 6 }, () => openLive(`ws://127.0.0.1:${port}/echo`)));
    const socketPids = new Set<number>();
    for (const socket of sockets) {
      socket.sendJson({ n: 1 });
      socketPids.add(((await socket.receiveJson()) as { pid: number }).pid);
    }
    assert.equal(socketPids.size, 2);
    served.signal('SIGTERM');
    assert.deepEqual(await closeCodes(sockets), Array(6).fill(1001));
    const ended = await served.exitedWithin(5000);
    assert.equal(ended.code, 0);
  });

  it('a crashed worker is replaced; workers that keep crashing make the primary give up with exit 1', async () => {
    const served = serve([FIXTURE, '--port', '0', '--workers', '2']);
    const port = await served.port();
    const before = await pids(port, 4);
    const crashed = ((await getJson(port, '/crash')).body as { crashing: number }).crashing;
    await served.stderrMatching(new RegExp(`worker ${crashed} exited with code 70; starting another`));
    const after = await servingPids(port, 2);
    assert.equal(after.size, 2);
    assert.ok(!after.has(crashed), 'the crashed worker is gone');
    assert.ok(
      [...after].some((pid) => !before.has(pid)),
      'a new worker serves',
    );

    const looping = serve([`${FIXTURE}:crashSoon`, '--port', '0', '--workers', '2']);
    const ended = await looping.exitedWithin(8000);
    assert.equal(ended.code, 1);
    assert.match(looping.stderr, /workers crashed 3 times within 10 s .*giving up/);
  });

  it('a worker that exited 3 before the shutdown (a crash) does not make a clean SIGTERM shutdown exit 3', async () => {
    const served = serve([FIXTURE, '--port', '0', '--workers', '2']);
    const port = await served.port();
    const crashed = ((await getJson(port, '/crash?code=3')).body as { crashing: number }).crashing;
    await served.stderrMatching(new RegExp(`worker ${crashed} exited with code 3; starting another`));
    assert.equal((await servingPids(port, 2)).size, 2);
    served.signal('SIGTERM');
    assert.equal((await served.exitedWithin(5000)).code, 0);
  });

  it('a replacement that fails to start counts as a crash and is forked again, while the other worker serves', async () => {
    dir = mkdtempSync(join(tmpdir(), 'starwire-replace-'));
    const marker = join(dir, 'fail-once');
    const served = new StarwireProcess(['serve', `${FIXTURE}:failsOnceMarked`, '--port', '0', '--workers', '2'], {
      env: { STARWIRE_FAIL_ONCE: marker },
    });
    const port = await served.port();
    writeFileSync(marker, '');
    const crashed = ((await getJson(port, '/crash')).body as { crashing: number }).crashing;
    await served.stderrMatching(/worker \d+ failed to start \(exited with code 1\); starting another/);
    assert.ok(!existsSync(marker), 'the replacement saw the marker');
    const after = await servingPids(port, 2);
    assert.equal(after.size, 2, `pids: ${[...after].join(', ')}`);
    assert.ok(!after.has(crashed));
    assert.doesNotMatch(served.stderr, /stopping|giving up/);
    served.signal('SIGTERM');
    assert.equal((await served.exitedWithin(5000)).code, 0);
  });

  it('--limit-max-requests: a worker past the limit is replaced once its replacement listens; no request fails', async () => {
    const served = serve([FIXTURE, '--port', '0', '--workers', '2', '--limit-max-requests', '5']);
    const port = await served.port();
    const first = await servingPids(port, 2);
    const seen = new Set(first);
    // Three at a time, while workers reach the limit and are replaced under them.
    const deadline = Date.now() + 8000;
    while (seen.size < 4 && Date.now() < deadline) {
      const answers = await Promise.all([0, 1, 2].map(() => getJson(port, '/pid')));
      for (const answer of answers) {
        assert.equal(answer.status, 200);
        seen.add((answer.body as { pid: number }).pid);
      }
    }
    assert.ok(seen.size >= 4, `pids: ${[...seen].join(', ')}; ${served.stderr}`);
    assert.match(served.stderr, /worker \d+ served 5 requests \(--limit-max-requests 5\); replacing it/);
    assert.doesNotMatch(served.stderr, /starting another|giving up|failed/);
    // Asking which workers serve would itself push them past the limit: count the primary's
    // children instead. Every retired worker exits once drained, leaving exactly two.
    const children = (): string[] => {
      const pid = served.child.pid;
      return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
    };
    for (let waited = 0; children().length > 2 && waited < 3000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(children().length, 2, `workers: ${children().join(', ')}`);
    served.signal('SIGTERM');
    assert.equal((await served.exitedWithin(5000)).code, 0);
  });

  it('a worker whose IPC channel closed is sent SIGTERM on shutdown instead of waiting for the kill', async () => {
    const served = serve([FIXTURE, '--port', '0', '--workers', '2', '--shutdown-timeout', '1000']);
    const port = await served.port();
    detached = ((await getJson(port, '/detach')).body as { detaching: number }).detaching;
    const pid = detached;
    // The primary hands connections only to the connected worker now.
    for (let attempt = 0; attempt < 30; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      if (!(await pids(port, 3)).has(pid)) break;
    }
    assert.ok(!(await pids(port, 3)).has(pid), 'the detached worker no longer answers');
    process.kill(pid, 0); // still alive
    served.signal('SIGTERM');
    // Without the SIGTERM the primary would wait out the timeout and 2 s more, then kill it: exit 3.
    const ended = await served.exitedWithin(5000);
    assert.equal(ended.code, 0, served.stderr);
    assert.ok(ended.ms < 1500, `exited after ${ended.ms} ms`);
    assert.throws(() => process.kill(pid, 0), /ESRCH/, 'the detached worker is gone');
  });

  it('a failing onStartup in the workers makes the primary exit 1 without forking again', async () => {
    const served = serve([`${FIXTURE}:failingStartup`, '--port', '0', '--workers', '2']);
    const ended = await served.exitedWithin(5000);
    assert.equal(ended.code, 1);
    assert.match(served.stderr, /Startup failed in connectDatabase: database unreachable/);
    assert.match(served.stderr, /failed to start \(exited with code 1\); stopping/);
    assert.ok((served.stderr.match(/Startup failed/g) ?? []).length <= 2, 'no more than the two first workers started');
    assert.equal(served.stdout, '');
  });

  it('--reload restarts on a file change: open WebSockets see 1012, a new process serves, a broken change keeps the old one', async () => {
    dir = mkdtempSync(join(tmpdir(), 'starwire-reload-'));
    const entry = join(dir, 'server.js');
    writeFileSync(entry, `module.exports = require(${JSON.stringify(join(ROOT, FIXTURE))});\n`);
    const served = new StarwireProcess(['serve', entry, '--port', '0', '--reload']);
    const port = await served.port();
    await served.stderrMatching(/watching .* for changes/);
    const [first] = await pids(port, 1);
    const socket = await openLive(`ws://127.0.0.1:${port}/hold`);

    writeFileSync(join(dir, 'settings.js'), 'module.exports = {};\n');
    assert.equal((await within(socket.closed, 5000, 'the 1012 close')).code, 1012);
    await served.stderrMatching(/reloaded/);
    const [second] = await pids(port, 1);
    assert.notEqual(second, first);

    writeFileSync(entry, 'module.exports = {{ not javascript\n');
    await served.stderrMatching(/the changed app failed to start .* still serving the previous version/);
    assert.deepEqual(await pids(port, 2), new Set([second]));

    served.signal('SIGTERM');
    assert.equal((await served.exitedWithin(5000)).code, 0);
    assert.equal(served.stdout.match(/serving/g)?.length, 1, 'the serving line is printed once');
  });

  it('--reload: while a change fails to start, a crashed old worker is not replaced with it, and the next change serves', async () => {
    dir = mkdtempSync(join(tmpdir(), 'starwire-reload-'));
    const entry = join(dir, 'server.js');
    const good = `module.exports = require(${JSON.stringify(join(ROOT, FIXTURE))});\n`;
    writeFileSync(entry, good);
    const served = new StarwireProcess(['serve', entry, '--port', '0', '--reload', '--workers', '2']);
    const port = await served.port();
    await served.stderrMatching(/watching .* for changes/);

    writeFileSync(entry, 'module.exports = {{ not javascript\n');
    await served.stderrMatching(/the changed app failed to start .* still serving the previous version/);
    assert.match(served.stderr, /still serving the previous version \(2 workers\)/);
    const crashed = ((await getJson(port, '/crash')).body as { crashing: number }).crashing;
    await served.stderrMatching(new RegExp(`worker ${crashed} exited with code 70; not replacing it while the changed app fails to start`));
    const left = await pids(port, 4);
    assert.equal(left.size, 1);
    assert.ok(!left.has(crashed));

    writeFileSync(entry, good);
    await served.stderrMatching(/reloaded \(2 workers\)/);
    const after = await servingPids(port, 2);
    assert.equal(after.size, 2);
    assert.ok(
      [...left].every((pid) => !after.has(pid)),
      'the new generation serves',
    );
    served.signal('SIGTERM');
    assert.equal((await served.exitedWithin(5000)).code, 0);
  });
});
