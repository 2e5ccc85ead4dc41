import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REDIS_URL } from '../../support/redis-admin';

const SCRIPT = join(__dirname, '..', '..', 'support', 'drained-channel.js');

interface Measure {
  growth: number;
  deadlines: number;
  channels: number;
}

/** Runs the measuring script in a child with --expose-gc, so a collection can be forced before each reading. */
async function measure(layer: 'memory' | 'redis'): Promise<Measure> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', SCRIPT], {
    env: { ...process.env, LAYER: layer, CYCLES: '100000', REDIS_URL, REDIS_PREFIX: `sw-test-drained-${randomBytes(4).toString('hex')}` },
    timeout: 60000,
  });
  return JSON.parse(stdout) as Measure;
}

describe('A drained channel costs nothing', function () {
  this.timeout(70000);

  for (const layer of ['memory', 'redis'] as const) {
    it(`100,000 send/receive cycles leave the heap flat and the deadline queue near empty (${layer})`, async () => {
      const result = await measure(layer);
      assert.equal(result.channels, 0, 'the drained channel is forgotten');
      // Stale entries are pruned once they outnumber the live ones, past a slack of 1024.
      assert.ok(result.deadlines <= 1025, `${result.deadlines} deadline entries left for an empty channel`);
      assert.ok(result.growth < 2 * 1024 * 1024, `the heap grew by ${(result.growth / 1048576).toFixed(1)} MB`);
    });
  }
});
