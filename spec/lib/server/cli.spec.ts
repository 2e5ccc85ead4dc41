import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getJson, killAll, ROOT, runStarwire, StarwireProcess } from '../../support/cli-process';
import { type LiveSocket, openLive, within } from '../../support/ws-client';

const FIXTURE = 'dist/spec/fixtures/cli-apps.js';
const FIXTURE_PATH = join(ROOT, FIXTURE);
const SERVE_FLAGS = ['--host', '--port', '--workers', '--log-level', '--log-format', '--reload', '--shutdown-timeout', '--help'];

function serve(args: readonly string[], options?: { cwd?: string }): StarwireProcess {
  return new StarwireProcess(['serve', ...args], options);
}

async function openHolding(port: number, count: number): Promise<LiveSocket[]> {
  return Promise.all(Array.from({ length: count }, () => openLive(`ws://127.0.0.1:${port}/hold`)));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function closeCodes(sockets: readonly LiveSocket[]): Promise<number[]> {
  return Promise.all(sockets.map(async (socket) => (await within(socket.closed, 5000, 'the server to close the socket')).code));
}

describe('starwire command line (lib/server/cli.ts)', function () {
  this.timeout(15_000);
  const temporary: string[] = [];

  function tempDir(): string {
    const dir = mkdtempSync(join(tmpdir(), 'starwire-cli-'));
    temporary.push(dir);
    return dir;
  }

  afterEach(async () => {
    await killAll();
    for (const dir of temporary.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  describe('help and usage', () => {
    it('--help names the serve command, serve --help documents every flag', async () => {
      const main = await runStarwire(['--help']);
      assert.equal(main.ended.code, 0);
      assert.match(main.stdout, /starwire serve <module>\[:export\]|serve <module>\[:export\]/);
      for (const args of [
        ['serve', '--help'],
        ['help', 'serve'],
        ['serve', '-h'],
      ]) {
        const serveHelp = await runStarwire(args);
        assert.equal(serveHelp.ended.code, 0, args.join(' '));
        for (const flag of SERVE_FLAGS) assert.ok(serveHelp.stdout.includes(flag), `${args.join(' ')} documents ${flag}`);
      }
    });

    it('a bad command line prints one line naming the problem and exits 2', async () => {
      const cases: [string[], RegExp][] = [
        [['serve', FIXTURE, '--bogus'], /unknown option --bogus/],
        [['serve', FIXTURE, '--port'], /--port needs a value/],
        [['serve', FIXTURE, '--port', 'eighty'], /--port must be an integer from 0 to 65535, got "eighty"/],
        [['serve', FIXTURE, '--port', '70000'], /--port must be an integer/],
        [['serve', FIXTURE, '--workers', '0'], /--workers must be an integer from 1/],
        [['serve', FIXTURE, '--log-level', 'loud'], /--log-level must be one of debug, info, warn, error, got "loud"/],
        [['serve', FIXTURE, '--log-format', 'xml'], /--log-format must be one of json, pretty, got "xml"/],
        [
          ['serve', FIXTURE, '--shutdown-timeout', '-5'],
          /option --shutdown-timeout needs a value \(write --shutdown-timeout=<value> for one that starts with -\)/,
        ],
        [['serve', FIXTURE, '--shutdown-timeout=-5'], /--shutdown-timeout must be an integer from 0 to 86400000, got "-5"/],
        [['serve', FIXTURE, '--workers', '1.5'], /--workers must be an integer from 1 to 1024, got "1\.5"/],
        [['serve', FIXTURE, '--reload=yes'], /--reload takes no value/],
        [['serve'], /serve needs a module/],
        [['serve', FIXTURE, 'other.js'], /serve takes one module/],
        [['frobnicate'], /unknown command "frobnicate"/],
      ];
      const runs = await Promise.all(cases.map(([args]) => runStarwire(args)));
      runs.forEach((run, i) => {
        const [args, message] = cases[i];
        assert.equal(run.ended.code, 2, `${args.join(' ')} exits 2 (stderr: ${run.stderr})`);
        assert.match(run.stderr, message, args.join(' '));
        assert.equal(run.stderr.trim().split('\n').length, 1, `${args.join(' ')}: one line`);
        assert.equal(run.stdout, '');
      });
    });

    it('a module or export that is not there, or not an app, is named in the error (exit 1)', async () => {
      const cases: [string, RegExp][] = [
        ['dist/nowhere.js', /Cannot find module dist\/nowhere\.js/],
        [`${FIXTURE}:nope`, /dist\/spec\/fixtures\/cli-apps\.js has no export 'nope'; it exports: (\w+, )+\w+\n/],
        ['dist/samples/hello/app.js', /dist\/samples\/hello\/app\.js has no export 'app' or default export; it exports: .*createApp/],
        [`${FIXTURE}:notAnApp`, /export 'notAnApp' is a number, not an App or a function returning one/],
        [`${FIXTURE}:throwingFactory`, /export 'throwingFactory' threw: Error: CONFIG_PATH is not set\n +at throwingFactory/],
        [`${FIXTURE}:needsArguments`, /export 'needsArguments' takes 1 argument\(s\); a factory must take none/],
      ];
      const runs = await Promise.all(cases.map(([module]) => runStarwire(['serve', module, '--port', '0'])));
      runs.forEach((run, i) => {
        assert.equal(run.ended.code, 1, cases[i][0]);
        assert.match(run.stderr, cases[i][1]);
        assert.equal(run.stdout, '');
      });
    });

    it('a TypeScript module loads through tsx when the working directory has it, and says how otherwise', async () => {
      const withTsx = tempDir();
      // A stand-in for tsx: its register() lets require() take .ts files (these hold plain JS).
      mkdirSync(join(withTsx, 'node_modules', 'tsx', 'cjs'), { recursive: true });
      writeFileSync(
        join(withTsx, 'node_modules', 'tsx', 'cjs', 'api.js'),
        "exports.register = () => { require.extensions['.ts'] = require.extensions['.js']; };\n",
      );
      writeFileSync(join(withTsx, 'server.ts'), `module.exports = require(${JSON.stringify(FIXTURE_PATH)});\n`);
      const served = serve(['server.ts', '--port', '0'], { cwd: withTsx });
      const port = await served.port();
      assert.equal((await getJson(port, '/pid')).status, 200);

      const without = tempDir();
      writeFileSync(join(without, 'server.ts'), 'export {};\n');
      const failed = await runStarwire(['serve', 'server.ts'], 5000, without);
      assert.equal(failed.ended.code, 1);
      assert.match(failed.stderr, /server\.ts is TypeScript, which Node 20 cannot load by itself: install tsx .* or compile it/);
    });
  });

  describe('serving one process', () => {
    it('serves the samples: hello over HTTP, echo and auth over WebSocket, the chat page', async () => {
      const hello = serve(['dist/samples/hello/app.js:createApp', '--port', '0']);
      const echo = serve(['dist/samples/echo/app.js:createApp', '--port', '0']);
      const auth = serve(['dist/samples/auth/app.js:createApp', '--port', '0']);
      const chat = serve(['dist/samples/chat/app.js:chatApp', '--port', '0']);
      const [helloPort, echoPort, authPort, chatPort] = await Promise.all([hello.port(), echo.port(), auth.port(), chat.port()]);
      assert.match(hello.stdout, /^starwire: serving http:\/\/127\.0\.0\.1:\d+ \(1 worker\)\n$/);

      assert.deepEqual((await getJson(helloPort, '/hello?name=Ada')).body, { message: 'Hello, Ada!' });
      const socket = await openLive(`ws://127.0.0.1:${echoPort}/echo/json`);
      socket.sendJson({ text: 'hi' });
      assert.deepEqual(await socket.receiveJson(), { echo: 'hi' });
      await socket.close();
      const chatter = await openLive(`ws://127.0.0.1:${authPort}/chat`, {
        subprotocols: ['chat.v1'],
        headers: { authorization: 'Bearer alice-token' },
      });
      await chatter.close();
      const page = await new Promise<number>((resolve, reject) => {
        require('node:http')
          .get(`http://127.0.0.1:${chatPort}/`, (res: import('node:http').IncomingMessage) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          })
          .on('error', reject);
      });
      assert.equal(page, 200);

      for (const served of [hello, echo, auth, chat]) served.signal('SIGTERM');
      for (const served of [hello, echo, auth, chat]) assert.equal((await served.exitedWithin(3000)).code, 0);
    });

    it('--log-level info makes the app log one structured line per request', async () => {
      const served = serve([FIXTURE, '--port', '0', '--log-level', 'info']);
      const port = await served.port();
      await getJson(port, '/pid?secret=1');
      const line = await served.stderrMatching(/\{[^\n]*"event":"http"[^\n]*\}/);
      const entry = JSON.parse(line) as Record<string, unknown>;
      assert.deepEqual([entry.level, entry.method, entry.path, entry.status], [30, 'GET', '/pid', 200]);
      assert.equal(typeof entry.reqId, 'string');
      // Without the flag, the default (warn) writes none.
      const quiet = serve([FIXTURE, '--port', '0']);
      await getJson(await quiet.port(), '/pid');
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.doesNotMatch(quiet.stderr, /"event":"http"/);
    });

    it('--log-format pretty makes the app log one short readable line per request', async () => {
      const served = serve([FIXTURE, '--port', '0', '--log-level', 'info', '--log-format', 'pretty']);
      const port = await served.port();
      await getJson(port, '/pid?secret=1');
      const line = await served.stderrMatching(/^.*GET \/pid 200.*$/m);
      assert.match(line, /^\d\d:\d\d:\d\d\.\d{3} INFO {2}GET \/pid 200 [\d.]+ ms .*reqId=\S+/);
      assert.doesNotMatch(line, /^\{|secret/);
    });

    it('SIGTERM closes every WebSocket with 1001, lets a request in flight finish and exits 0', async () => {
      const served = serve([FIXTURE, '--port', '0', '--shutdown-timeout', '5000']);
      const port = await served.port();
      const sockets = await openHolding(port, 5);
      const keepAlive = new Agent({ keepAlive: true });
      const inFlight = getJson(port, '/slow?ms=300', keepAlive);
      await new Promise((resolve) => setTimeout(resolve, 50));
      served.signal('SIGTERM');
      assert.deepEqual(await closeCodes(sockets), [1001, 1001, 1001, 1001, 1001]);
      const answer = await inFlight;
      assert.deepEqual(answer.body, { waited: 300 });
      const ended = await served.exitedWithin(5000);
      assert.equal(ended.code, 0);
      // Node would hold the keep-alive connection, and so the exit, for its 5 s keepAliveTimeout.
      assert.ok(ended.ms < 2000, `exited ${ended.ms} ms after SIGTERM`);
      keepAlive.destroy();
      // Stopped accepting: nothing answers on the port now.
      await assert.rejects(getJson(port, '/pid'));
    });

    it('SIGINT shuts down the same way', async () => {
      const served = serve([FIXTURE, '--port', '0']);
      const sockets = await openHolding(await served.port(), 2);
      served.signal('SIGINT');
      assert.deepEqual(await closeCodes(sockets), [1001, 1001]);
      assert.equal((await served.exitedWithin(3000)).code, 0);
    });

    it('a shutdown that outlasts --shutdown-timeout is cut off: exit 3', async () => {
      const served = serve([`${FIXTURE}:hangingShutdown`, '--port', '0', '--shutdown-timeout', '300']);
      await served.port();
      served.signal('SIGTERM');
      const ended = await served.exitedWithin(3000);
      assert.equal(ended.code, 3);
      assert.ok(ended.ms >= 250 && ended.ms < 2000, `exited ${ended.ms} ms after SIGTERM`);
      assert.match(served.stderr, /shutdown took longer than 300 ms/);
    });

    it('a second SIGINT during the shutdown exits at once with 130', async () => {
      const served = serve([`${FIXTURE}:hangingShutdown`, '--port', '0', '--shutdown-timeout', '20000']);
      const sockets = await openHolding(await served.port(), 1);
      served.signal('SIGINT');
      assert.deepEqual(await closeCodes(sockets), [1001]);
      await served.stderrMatching(/flushing forever/);
      served.signal('SIGINT');
      const ended = await served.exitedWithin(5000);
      assert.equal(ended.code, 130);
      assert.match(served.stderr, /starwire: interrupted again; exiting without waiting for the shutdown/);
    });

    it('with workers, a second SIGINT kills the workers and exits at once with 130', async () => {
      const served = serve([`${FIXTURE}:hangingShutdown`, '--port', '0', '--workers', '2', '--shutdown-timeout', '20000']);
      const port = await served.port(10_000);
      const pids = new Set<number>();
      for (let i = 0; i < 6 && pids.size < 2; i += 1) pids.add(((await getJson(port, '/pid')).body as { pid: number }).pid);
      served.signal('SIGINT');
      await served.stderrMatching(/flushing forever[\s\S]*flushing forever/);
      served.signal('SIGINT');
      assert.equal((await served.exitedWithin(5000)).code, 130);
      for (const pid of pids) {
        await within(
          (async () => {
            while (isAlive(pid)) await new Promise((resolve) => setTimeout(resolve, 20));
          })(),
          3000,
          `worker ${pid} to be gone`,
        );
      }
    });

    it('PORT and HOST set the port and host; --port and --host win over them', async () => {
      const fromEnv = new StarwireProcess(['serve', FIXTURE], { env: { PORT: '0', HOST: '127.0.0.2' } });
      await fromEnv.port();
      assert.match(fromEnv.stdout, /serving http:\/\/127\.0\.0\.2:(\d+) /);
      assert.doesNotMatch(fromEnv.stdout, /:8000 /);
      // A PORT that would not parse is not even read when --port is given.
      const flags = new StarwireProcess(['serve', FIXTURE, '--port', '0', '--host', '127.0.0.1'], {
        env: { PORT: 'eighty', HOST: '127.0.0.2' },
      });
      assert.equal((await getJson(await flags.port(), '/pid')).status, 200);
      assert.match(flags.stdout, /serving http:\/\/127\.0\.0\.1:/);
      const bad = new StarwireProcess(['serve', FIXTURE], { env: { PORT: 'eighty' } });
      assert.equal((await bad.exitedWithin(5000)).code, 2);
      assert.equal(bad.stderr, 'starwire: PORT must be an integer from 0 to 65535, got "eighty" (see starwire serve --help)\n');
    });

    it('an app module that calls listen() itself is refused, naming the call, and serves on no port (exit 1)', async () => {
      const dir = tempDir();
      const module = join(dir, 'server.js');
      writeFileSync(
        module,
        [
          `const { App, Route } = require(${JSON.stringify(join(ROOT, 'dist', 'index.js'))});`,
          `const app = new App({ routes: [new Route('/', 'GET', () => 'hi')] });`,
          `app.listen(0).then((server) => console.log('listening on its own', server.address().port));`,
          'module.exports = { app };',
        ].join('\n'),
      );
      const run = await runStarwire(['serve', module, '--port', '0']);
      assert.equal(run.ended.code, 1);
      assert.equal(run.stdout, '');
      assert.match(
        run.stderr,
        /^starwire: \S+server\.js calls app\.listen\(0, "127\.0\.0\.1"\) itself \(at .*server\.js:3:\d+\)\); starwire serve listens for the app/,
      );
      assert.match(run.stderr, /if \(require\.main === module\)/);
      assert.equal(run.stderr.trim().split('\n').length, 1);

      const factory = await runStarwire(['serve', `${FIXTURE}:listensItself`, '--port', '0', '--workers', '2'], 10_000);
      assert.equal(factory.ended.code, 1);
      assert.match(factory.stderr, /cli-apps\.js:listensItself calls app\.listen\(0, "127\.0\.0\.1"\) itself \(at listensItself /);
      assert.doesNotMatch(factory.stdout, /serving/);
    });

    it('a failing onStartup prints the handler and its error and exits 1', async () => {
      const run = await runStarwire(['serve', `${FIXTURE}:failingStartup`, '--port', '0']);
      assert.equal(run.ended.code, 1);
      assert.match(run.stderr, /Startup failed in connectDatabase: database unreachable at db\.invalid:5432/);
      assert.equal(run.stdout, '');
    });
  });
});
