import { strict as assert } from 'node:assert';
import { Agent } from 'node:http';
import { connect } from 'node:net';
import { getJson, killAll, StarwireProcess } from '../../support/cli-process';
import { openLive, within } from '../../support/ws-client';

const FIXTURE = 'dist/spec/fixtures/cli-apps.js';

function serve(args: readonly string[], env?: NodeJS.ProcessEnv): StarwireProcess {
  return new StarwireProcess(['serve', FIXTURE, '--port', '0', ...args], { env });
}

/** Milliseconds from the end of a keep-alive response until the server closes the idle connection. */
function idleClose(port: number, limit: number): Promise<number> {
  return within(
    new Promise<number>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      let answered = 0;
      let text = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => {
        text += chunk;
        if (!answered && /\r\n\r\n\{"status":"ok"\}$/.test(text)) answered = Date.now();
      });
      socket.on('close', () => (answered ? resolve(Date.now() - answered) : reject(new Error(`closed before the answer: ${text}`))));
      socket.on('error', reject);
      socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n');
    }),
    limit,
    'the server to close the idle connection',
  );
}

/** The JSON log lines on standard error with `event`. */
function logLines(stderr: string, event: string): Record<string, unknown>[] {
  return stderr
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => line.event === event);
}

describe('starwire serve in one process (lib/server/serve.ts)', function () {
  this.timeout(20_000);
  afterEach(killAll);

  it('--keep-alive-timeout 1 (or STARWIRE_KEEP_ALIVE_TIMEOUT=1) closes an idle keep-alive connection after a second or two (Node alone: 5-6 s)', async () => {
    const flag = serve(['--keep-alive-timeout', '1']);
    const variable = serve([], { STARWIRE_KEEP_ALIVE_TIMEOUT: '1' });
    const [viaFlag, viaVariable] = await Promise.all([flag, variable].map(async (served) => idleClose(await served.port(), 4000)));
    // Node keeps an idle connection up to 1 s past keepAliveTimeout (a grace for a request already on its way).
    for (const ms of [viaFlag, viaVariable]) assert.ok(ms >= 900 && ms < 2600, `closed after ${ms} ms`);
    const answer = await getJson(await flag.port(), '/healthz', new Agent({ keepAlive: true }));
    assert.equal(answer.headers['keep-alive'], 'timeout=1');
  });

  it('--limit-max-requests 3: the third request is answered, then the process drains and exits 0', async () => {
    const served = serve(['--limit-max-requests', '3']);
    const port = await served.port();
    const pid = served.child.pid;
    for (let i = 0; i < 3; i++) {
      const answer = await getJson(port, '/pid');
      assert.equal(answer.status, 200);
      assert.equal((answer.body as { pid: number }).pid, pid);
    }
    const ended = await served.exitedWithin(5000);
    assert.equal(ended.code, 0);
    assert.match(served.stderr, /served 3 requests \(--limit-max-requests 3\); shutting down/);
  });

  it('--access-log writes one line per request at the default level; --no-access-log none even at info', async () => {
    const logged = serve(['--access-log']);
    const port = await logged.port();
    await getJson(port, '/pid');
    await getJson(port, '/healthz?probe=1');
    await getJson(port, '/nowhere');
    await logged.stderrMatching(/"path":"\/nowhere"/);
    const lines = logLines(logged.stderr, 'http');
    assert.deepEqual(
      lines.map((line) => [line.level, line.method, line.path, line.status]),
      [
        [30, 'GET', '/pid', 200],
        [30, 'GET', '/healthz', 200],
        [30, 'GET', '/nowhere', 404],
      ],
    );
    for (const line of lines) assert.ok(typeof line.time === 'number' && typeof line.ms === 'number' && line.client === '127.0.0.1');

    const quiet = serve(['--no-access-log', '--log-level', 'info']);
    const quietPort = await quiet.port();
    await getJson(quietPort, '/pid');
    const socket = await openLive(`ws://127.0.0.1:${quietPort}/hold`);
    await quiet.stderrMatching(/"event":"ws\.open"/);
    await socket.close();
    assert.deepEqual(logLines(quiet.stderr, 'http'), []);
  });

  it('--shutdown-delay: on SIGTERM /readyz answers 503 at once while WebSockets stay open, then they close with 1001 and it exits 0', async () => {
    const served = serve(['--shutdown-delay', '1']);
    const port = await served.port();
    assert.equal((await getJson(port, '/readyz')).status, 200);
    const socket = await openLive(`ws://127.0.0.1:${port}/hold`);
    const signalled = Date.now();
    served.signal('SIGTERM');
    let ready = await getJson(port, '/readyz');
    for (let i = 0; i < 20 && ready.status === 200; i++) ready = await getJson(port, '/readyz');
    assert.equal(ready.status, 503);
    assert.deepEqual(ready.body, { status: 'unavailable', reasons: ['draining'] });
    assert.equal(socket.closeInfo, undefined, 'still open while readiness is 503');
    assert.equal((await getJson(port, '/pid')).status, 200, 'still serving during the delay');
    const closed = await within(socket.closed, 5000, 'the close');
    assert.equal(closed.code, 1001);
    assert.ok(Date.now() - signalled >= 900, `closed ${Date.now() - signalled} ms after the signal`);
    assert.equal((await served.exitedWithin(5000)).code, 0);
  });
});
