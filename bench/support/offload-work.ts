/** The CPU work of bench/offload.ts: `ms` milliseconds of hashing, in whichever thread calls it. */
import { createHash } from 'node:crypto';

/** Hashes in a loop for `ms` milliseconds and returns how many rounds it did. */
export function burn(ms: number): number {
  const end = performance.now() + ms;
  let digest = Buffer.alloc(32);
  let rounds = 0;
  while (performance.now() < end) {
    digest = createHash('sha256').update(digest).digest();
    rounds++;
  }
  return rounds;
}
