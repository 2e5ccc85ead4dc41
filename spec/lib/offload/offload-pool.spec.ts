import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClientDisconnect, HTTPException } from '../../../lib/errors/exceptions';
import { OffloadPool } from '../../../lib/offload/offload-pool';

const WORK = require.resolve('../../fixtures/offload-work');
const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('OffloadPool', () => {
  let pool: OffloadPool;
  afterEach(() => pool?.close());

  it('runs an export in a worker thread and gives its result', async () => {
    pool = new OffloadPool({ maxThreads: 1 });
    assert.equal(await pool.run(WORK, 'add', [2, 3]), 5);
    assert.deepEqual(await pool.run(WORK, 'hash', ['abc']), {
      digest: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
      mainThread: false,
    });
  });

  it('refuses a task past maxThreads + maxQueue with HTTPException(503), and runs the rest', async () => {
    pool = new OffloadPool({ maxThreads: 1, maxQueue: 1 });
    const results = await Promise.allSettled([1, 2, 3].map(() => pool.run(WORK, 'spin', [200])));
    assert.deepEqual(
      results.map((result) => result.status),
      ['fulfilled', 'fulfilled', 'rejected'],
    );
    const refused = (results[2] as PromiseRejectedResult).reason;
    assert.ok(refused instanceof HTTPException && refused.status === 503, String(refused));
    assert.equal(typeof (await pool.run(WORK, 'spin', [1])), 'number', 'a slot frees once a task ends');
  });

  it("rejects with an Error naming the export when it throws, the worker's error as its cause", async () => {
    pool = new OffloadPool({ maxThreads: 1 });
    const error = await pool.run(WORK, 'boom', []).catch((failure: unknown) => failure as Error);
    assert.match(String((error as Error).message), /^Offload boom in .*offload-work\.js failed: secret detail from the worker$/);
    assert.match(String(((error as Error).cause as Error).message), /secret detail/);
    const missing = await pool.run(WORK, 'nothing', []).catch((failure: unknown) => failure as Error);
    assert.match((missing as Error).message, /has no exported function "nothing"/);
  });

  it('terminates a running task when its signal aborts: ClientDisconnect, and the task never finishes', async () => {
    pool = new OffloadPool({ maxThreads: 1 });
    const file = join(mkdtempSync(join(tmpdir(), 'offload-')), 'written');
    const controller = new AbortController();
    const running = pool.run(WORK, 'writeLater', [file, 400], controller.signal);
    await delay(100);
    controller.abort();
    await assert.rejects(running, ClientDisconnect);
    await delay(600);
    assert.equal(existsSync(file), false, 'the aborted worker wrote its file');
    assert.equal(await pool.run(WORK, 'add', [1, 1]), 2, 'the pool still serves after the thread was terminated');
  });

  it('refuses tasks with 503 once closed', async () => {
    pool = new OffloadPool({ maxThreads: 1 });
    await pool.run(WORK, 'add', [1, 1]);
    await pool.close();
    await assert.rejects(pool.run(WORK, 'add', [1, 1]), (error: unknown) => error instanceof HTTPException && error.status === 503);
  });

  it('refuses options that are not non-negative integers', () => {
    assert.throws(() => new OffloadPool({ maxQueue: -1 }), /new App\(\{ offload \}\): maxQueue must be a non-negative integer, got -1/);
    assert.throws(() => new OffloadPool({ maxThreads: 1.5 }), /maxThreads must be a non-negative integer/);
  });

  it('never makes an unawaited cancelled task an unhandled rejection, and app.close() lets the process exit', async function () {
    this.timeout(15000);
    const file = join(mkdtempSync(join(tmpdir(), 'offload-')), 'written');
    const script = join(__dirname, '..', '..', 'fixtures', 'offload-unawaited.js');
    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = execFile(process.execPath, [script, file], { timeout: 10000 }, (error, out, err) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout: out, stderr: err }),
      );
      child.stdin?.end();
    });
    assert.equal(code, 0, `the child failed or hung (an unhandled rejection, or a thread left open):\n${stderr}`);
    assert.deepEqual(JSON.parse(stdout.trim()), { http: false, ws: false }, 'a cancelled task wrote its file');
  });
});
