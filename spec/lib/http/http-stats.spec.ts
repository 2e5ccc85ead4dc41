import assert from 'node:assert/strict';
import { HttpRecorder } from '../../../lib/http/http-stats';

/** A recorder fed `durations` (ms) through a clock the test sets. */
function recorded(durations: readonly number[]): HttpRecorder {
  const recorder = new HttpRecorder();
  const realNow = performance.now;
  let now = 0;
  performance.now = () => now;
  try {
    for (const ms of durations) {
      now = 0;
      const start = recorder.start();
      now = ms;
      recorder.end(start);
    }
  } finally {
    performance.now = realNow;
  }
  return recorder;
}

describe('HTTP figures (lib/http/http-stats.ts)', () => {
  it('reports zeros before any request', () => {
    assert.deepEqual(new HttpRecorder().snapshot(), { processed: 0, inFlight: 0, meanMs: 0, p99Ms: 0 });
  });

  it('counts requests in flight until they end', () => {
    const recorder = new HttpRecorder();
    const first = recorder.start();
    recorder.start();
    assert.equal(recorder.snapshot().inFlight, 2);
    recorder.end(first);
    assert.deepEqual([recorder.snapshot().inFlight, recorder.snapshot().processed], [1, 1]);
  });

  it('gives the mean exactly and the 99th percentile within 3%', () => {
    // 990 fast requests of 2 ms, 10 slow ones of 250 ms: the 99th percentile is 2 ms, the 991st 250.
    const fast = recorded([...Array(990).fill(2), ...Array(10).fill(250)]).snapshot();
    assert.equal(fast.processed, 1000);
    assert.equal(fast.meanMs, (990 * 2 + 10 * 250) / 1000);
    assert.ok(Math.abs(fast.p99Ms - 2) / 2 < 0.03, `p99 ${fast.p99Ms}`);
    const slow = recorded([...Array(980).fill(2), ...Array(20).fill(250)]).snapshot();
    assert.ok(Math.abs(slow.p99Ms - 250) / 250 < 0.03, `p99 ${slow.p99Ms}`);
  });

  it('is exact below 32 µs and keeps the 3% bound across the range, the longest times included', () => {
    assert.equal(recorded([0.005]).snapshot().p99Ms, 0.005);
    for (const ms of [0.05, 0.7, 3.3, 47, 910, 12_345, 600_000]) {
      const p99 = recorded([ms]).snapshot().p99Ms;
      assert.ok(Math.abs(p99 - ms) / ms < 0.03, `${ms} ms read back as ${p99}`);
    }
    const huge = recorded([10 * 3600 * 1000]).snapshot();
    assert.ok(huge.p99Ms > 2_000_000, `past the last bucket, the last bucket's middle (about 35 minutes), got ${huge.p99Ms}`);
  });
});
