import { strict as assert } from 'node:assert';
import { environmentName, parseServeArgs, type ServeOptions, serveArgs } from '../../../lib/server/serve-options';
import { getJson, killAll, runStarwire, StarwireProcess } from '../../support/cli-process';

const FIXTURE = 'dist/spec/fixtures/cli-apps.js';
/** Every serve option but --help, each read from its STARWIRE_ variable too. */
const OPTIONS = [
  'host',
  'port',
  'workers',
  'log-level',
  'access-log',
  'keep-alive-timeout',
  'limit-max-requests',
  'reload',
  'shutdown-delay',
  'shutdown-timeout',
];

function parsed(args: readonly string[], env: NodeJS.ProcessEnv = {}): ServeOptions {
  const options = parseServeArgs([FIXTURE, ...args], env);
  assert.notEqual(options, 'help');
  return options as ServeOptions;
}

describe('starwire serve options from flags and the environment (lib/server/serve-options.ts)', function () {
  this.timeout(15_000);
  afterEach(killAll);

  it('reads every option from STARWIRE_<FLAG>; the flag wins; STARWIRE_HOST/PORT win over HOST/PORT', () => {
    assert.deepEqual(
      OPTIONS.map(environmentName),
      OPTIONS.map((flag) => `STARWIRE_${flag.toUpperCase().replaceAll('-', '_')}`),
    );
    const env = {
      STARWIRE_HOST: '0.0.0.0',
      HOST: '127.0.0.9',
      STARWIRE_PORT: '9000',
      PORT: '9001',
      STARWIRE_WORKERS: '4',
      STARWIRE_LOG_LEVEL: 'info',
      STARWIRE_ACCESS_LOG: 'false',
      STARWIRE_KEEP_ALIVE_TIMEOUT: '75',
      STARWIRE_LIMIT_MAX_REQUESTS: '10000',
      STARWIRE_RELOAD: 'yes',
      STARWIRE_SHUTDOWN_DELAY: '2.5',
      STARWIRE_SHUTDOWN_TIMEOUT: '30000',
    };
    const fromEnv = parsed([], env);
    assert.deepEqual(
      [fromEnv.host, fromEnv.port, fromEnv.workers, fromEnv.logLevel, fromEnv.accessLog, fromEnv.keepAliveTimeout],
      ['0.0.0.0', 9000, 4, 'info', false, 75_000],
    );
    assert.deepEqual(
      [fromEnv.limitMaxRequests, fromEnv.reload, fromEnv.shutdownDelay, fromEnv.shutdownTimeout],
      [10_000, true, 2500, 30_000],
    );
    const flags = parsed(
      [
        ...['--host', '127.0.0.1', '--port', '0', '--workers', '1', '--log-level', 'warn', '--access-log'],
        ...['--keep-alive-timeout', '1', '--limit-max-requests', '5', '--shutdown-delay', '0', '--shutdown-timeout', '100'],
      ],
      env,
    );
    assert.deepEqual(
      [flags.host, flags.port, flags.workers, flags.logLevel, flags.accessLog, flags.keepAliveTimeout, flags.limitMaxRequests],
      ['127.0.0.1', 0, 1, 'warn', true, 1000, 5],
    );
    assert.deepEqual([flags.shutdownDelay, flags.shutdownTimeout], [0, 100]);
    assert.equal(parsed(['--no-access-log'], { STARWIRE_ACCESS_LOG: '1' }).accessLog, false);
    const defaults = parsed([]);
    assert.deepEqual(
      [defaults.host, defaults.port, defaults.workers, defaults.accessLog, defaults.keepAliveTimeout, defaults.limitMaxRequests],
      ['127.0.0.1', 8000, 1, undefined, undefined, undefined],
    );
    // The workers' command line gives back the same options, whatever their environment says.
    const again = parsed(serveArgs(fromEnv).slice(2), { STARWIRE_WORKERS: 'many' });
    assert.deepEqual({ ...again, app: undefined }, { ...fromEnv, app: undefined });
  });

  it('a served process takes its port, host and workers from STARWIRE_PORT, STARWIRE_HOST and STARWIRE_WORKERS', async () => {
    const served = new StarwireProcess(['serve', FIXTURE], {
      env: { STARWIRE_PORT: '0', PORT: 'eighty', STARWIRE_HOST: '127.0.0.2', STARWIRE_WORKERS: '2' },
    });
    await served.port(10_000);
    assert.match(served.stdout, /serving http:\/\/127\.0\.0\.2:\d+ \(2 workers\)/);
  });

  it('a flag wins over its variable, which is then not even read', async () => {
    const served = new StarwireProcess(['serve', FIXTURE, '--port', '0', '--workers', '1', '--shutdown-delay', '0'], {
      env: { STARWIRE_PORT: 'eighty', STARWIRE_WORKERS: 'lots', STARWIRE_SHUTDOWN_DELAY: 'soon' },
    });
    const port = await served.port();
    assert.equal((await getJson(port, '/healthz')).status, 200);
    assert.match(served.stdout, /serving http:\/\/127\.0\.0\.1:\d+ \(1 worker\)/);
  });

  it('a bad variable is one line naming it, exit 2, as a bad flag', async () => {
    const cases: [Record<string, string>, string][] = [
      [{ STARWIRE_PORT: 'eighty' }, 'STARWIRE_PORT must be an integer from 0 to 65535, got "eighty"'],
      [{ STARWIRE_WORKERS: '0' }, 'STARWIRE_WORKERS must be an integer from 1 to 1024, got "0"'],
      [{ STARWIRE_LOG_LEVEL: 'loud' }, 'STARWIRE_LOG_LEVEL must be one of debug, info, warn, error, got "loud"'],
      [{ STARWIRE_ACCESS_LOG: 'maybe' }, 'STARWIRE_ACCESS_LOG must be true or false'],
      [{ STARWIRE_KEEP_ALIVE_TIMEOUT: '0' }, 'STARWIRE_KEEP_ALIVE_TIMEOUT must be an integer from 1 to 3600, got "0"'],
      [{ STARWIRE_LIMIT_MAX_REQUESTS: '-5' }, 'STARWIRE_LIMIT_MAX_REQUESTS must be an integer from 1'],
      [{ STARWIRE_RELOAD: 'perhaps' }, 'STARWIRE_RELOAD must be true or false'],
      [{ STARWIRE_SHUTDOWN_DELAY: '1s' }, 'STARWIRE_SHUTDOWN_DELAY must be a number of seconds from 0 to 3600, got "1s"'],
      [{ STARWIRE_SHUTDOWN_TIMEOUT: 'long' }, 'STARWIRE_SHUTDOWN_TIMEOUT must be an integer from 0'],
    ];
    await Promise.all(
      cases.map(async ([env, message]) => {
        const bad = new StarwireProcess(['serve', FIXTURE], { env });
        const ended = await bad.exitedWithin(5000);
        assert.equal(ended.code, 2, JSON.stringify(env));
        assert.ok(bad.stderr.startsWith(`starwire: ${message}`), `${JSON.stringify(env)}: ${bad.stderr}`);
        assert.equal(bad.stderr.trim().split('\n').length, 1);
        assert.match(bad.stderr, /\(see starwire serve --help\)\n$/);
      }),
    );
    assert.throws(() => parsed(['--access-log', '--no-access-log']), /--access-log or --no-access-log, not both/);
  });

  it('serve --help lists every flag and its variable', async () => {
    const help = await runStarwire(['serve', '--help']);
    assert.equal(help.ended.code, 0);
    for (const flag of OPTIONS) {
      assert.ok(help.stdout.includes(`--${flag}`), `documents --${flag}`);
      assert.ok(help.stdout.includes(environmentName(flag)), `documents ${environmentName(flag)}`);
    }
    assert.ok(help.stdout.includes('--no-access-log'));
  });
});
