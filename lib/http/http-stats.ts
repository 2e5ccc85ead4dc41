/** HTTP figures since the app started, as `app.stats().http` reports them. */
export interface HttpStats {
  /** Requests answered (their response written, or their connection gone). */
  processed: number;
  /** Requests being served now. */
  inFlight: number;
  /** Mean response time, ms: from the request's arrival to its response written. 0 before any. */
  meanMs: number;
  /** 99th percentile of the response time, ms, within 3% (a histogram's bucket). 0 before any. */
  p99Ms: number;
}

/* Buckets over whole microseconds: exact below 32 µs, then 16 per power of two (each at most 1/16
 * of its value wide) up to 2^31 µs, about 36 minutes. Counting is an index and an increment. */
const EXACT = 32;
const SUB_BITS = 4;
const SUB = 1 << SUB_BITS;
const MAX_EXPONENT = 30;
const BUCKETS = EXACT + (MAX_EXPONENT - SUB_BITS) * SUB;

function bucketOf(us: number): number {
  if (us < EXACT) return us;
  if (us >= 2 ** (MAX_EXPONENT + 1)) return BUCKETS - 1;
  const exponent = 31 - Math.clz32(us);
  return EXACT + (exponent - SUB_BITS - 1) * SUB + ((us >>> (exponent - SUB_BITS)) & (SUB - 1));
}

/** The middle of a bucket, µs. */
function middleOf(bucket: number): number {
  if (bucket < EXACT) return bucket;
  const exponent = SUB_BITS + 1 + Math.floor((bucket - EXACT) / SUB);
  const width = 2 ** (exponent - SUB_BITS);
  return 2 ** exponent + ((bucket - EXACT) % SUB) * width + width / 2;
}

/**
 * Counts requests and their response times in a fixed histogram: nothing is allocated per
 * request, and `snapshot()` reads the percentile from the buckets.
 *
 * @example
 * const stats = new HttpRecorder();
 * const start = stats.start();
 * // … serve the request …
 * stats.end(start);
 * stats.snapshot(); // { processed: 1, inFlight: 0, meanMs: 0.2, p99Ms: 0.2 }
 */
export class HttpRecorder {
  private processed = 0;
  private inFlight = 0;
  private totalMs = 0;
  private readonly counts = new Float64Array(BUCKETS);

  /** A request arrived; returns its start time, for `end`. */
  start(): number {
    this.inFlight++;
    return performance.now();
  }

  /** The request that `start` returned `startedAt` for is answered; returns its response time, ms. */
  end(startedAt: number): number {
    const ms = performance.now() - startedAt;
    this.inFlight--;
    this.processed++;
    this.totalMs += ms;
    this.counts[bucketOf(Math.round(ms * 1000))]++;
    return ms;
  }

  snapshot(): HttpStats {
    return {
      processed: this.processed,
      inFlight: this.inFlight,
      meanMs: round(this.processed ? this.totalMs / this.processed : 0),
      p99Ms: this.percentile(0.99),
    };
  }

  private percentile(fraction: number): number {
    if (this.processed === 0) return 0;
    const rank = Math.ceil(this.processed * fraction);
    let seen = 0;
    for (let bucket = 0; bucket < BUCKETS; bucket++) {
      seen += this.counts[bucket];
      if (seen >= rank) return round(middleOf(bucket) / 1000);
    }
    return 0;
  }
}

/** To the microsecond. */
function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
