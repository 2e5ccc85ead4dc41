import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decide, type Probe, redisAnswers } from '../../scripts/test-env';
import { ROOT } from '../support/cli-process';

const SCRIPT = join(ROOT, 'dist', 'scripts', 'test-env.js');
const ALL_THERE: Probe = {
  chromiumPath: '/usr/bin/chromium',
  chromium: true,
  python: '/usr/bin/python3',
  redisServer: true,
  canInstall: false,
};

function runScript(args: readonly string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [SCRIPT, ...args], { cwd: ROOT, env, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

describe('npm test environment (scripts/test-env.ts)', function () {
  this.timeout(60_000);
  const temporary: string[] = [];
  function tempDir(): string {
    const dir = mkdtempSync(join(tmpdir(), 'starwire-test-env-'));
    temporary.push(dir);
    return dir;
  }
  afterEach(() => {
    for (const dir of temporary.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('does nothing when Chromium, redis-server and a Python with venv are there', () => {
    assert.deepEqual(decide(ALL_THERE), { action: 'ready' });
    assert.deepEqual(decide({ ...ALL_THERE, canInstall: true }), { action: 'ready' });
  });

  it('installs exactly what is missing with apt-get when it runs as root with apt-get', () => {
    assert.deepEqual(decide({ ...ALL_THERE, chromium: false, canInstall: true }), { action: 'install', packages: ['chromium'] });
    assert.deepEqual(
      decide({ chromiumPath: '/usr/bin/chromium', chromium: false, python: undefined, redisServer: false, canInstall: true }),
      { action: 'install', packages: ['chromium', 'redis-server', 'python3-venv'] },
    );
  });

  it('otherwise stops with one line naming what is missing and the command that installs it', () => {
    assert.deepEqual(decide({ ...ALL_THERE, chromiumPath: '/opt/chrome', chromium: false, redisServer: false }), {
      action: 'stop',
      message:
        'npm test needs Chromium at /opt/chrome (or set CHROMIUM_PATH), redis-server on PATH; install as root: apt-get install -y chromium redis-server',
    });
  });

  it('ensure, on a PATH without redis-server or apt-get, exits 1 with that one line and no stack', async () => {
    const bin = tempDir();
    symlinkSync(process.execPath, join(bin, 'node'));
    const result = await runScript(['ensure'], { PATH: bin, CHROMIUM_PATH: join(bin, 'no-chromium'), HOME: process.env.HOME });
    assert.equal(result.code, 1);
    const lines = result.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, result.stderr);
    assert.match(
      lines[0],
      /^npm test needs Chromium at \S+no-chromium \(or set CHROMIUM_PATH\), redis-server on PATH[^;]*; install as root: apt-get install -y chromium redis-server/,
    );
    assert.doesNotMatch(result.stderr, /\n\s+at /);
  });

  it('run starts a redis-server of its own when none answers at REDIS_URL, gives its URL to the suite, and stops it afterwards', async () => {
    const dir = tempDir();
    const seen = join(dir, 'seen.json');
    const spec = join(dir, 'probe.spec.js');
    writeFileSync(
      spec,
      `
      const { writeFileSync } = require('node:fs');
      const { redisAnswers } = require(${JSON.stringify(SCRIPT)});
      it('sees a Redis', async () => {
        writeFileSync(${JSON.stringify(seen)}, JSON.stringify({ url: process.env.REDIS_URL, answers: await redisAnswers(process.env.REDIS_URL) }));
      });`,
    );
    const result = await runScript(['run', '--no-config', '--timeout', '10000', spec], {
      ...process.env,
      REDIS_URL: 'redis://127.0.0.1:1',
    });
    assert.equal(result.code, 0, result.stderr + result.stdout);
    const { url, answers } = JSON.parse(readFileSync(seen, 'utf8')) as { url: string; answers: boolean };
    assert.match(url, /^redis:\/\/127\.0\.0\.1:\d+$/);
    assert.notEqual(url, 'redis://127.0.0.1:1');
    assert.equal(answers, true);
    assert.match(result.stderr, new RegExp(`no Redis answers at redis://127\\.0\\.0\\.1:1; started redis-server at ${url}`));
    assert.equal(await redisAnswers(url), false, 'its redis-server is gone');
  });
});
