import { Redis } from 'ioredis';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * A connection for specs to inspect and clean Redis with. Throws, saying what to do, when
 * Redis is unreachable: specs that need Redis fail then, never skip.
 */
export async function connectAdmin(): Promise<Redis> {
  const admin = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 2000 });
  // The 'error' event says why (ECONNREFUSED, ...); the rejected command only says the connection closed.
  let cause: string | undefined;
  admin.on('error', (error: Error) => {
    cause ??= error.message;
  });
  try {
    await admin.connect();
    await admin.ping();
  } catch (error) {
    admin.disconnect();
    throw new Error(
      `Redis at ${REDIS_URL} is unreachable (${cause ?? (error instanceof Error ? error.message : String(error))}); start it or set REDIS_URL`,
    );
  }
  return admin;
}

/** Deletes every key under `prefix` with SCAN (never KEYS, which blocks Redis); resolves with how many. */
export async function deleteKeys(admin: Redis, prefix: string): Promise<number> {
  let deleted = 0;
  let cursor = '0';
  do {
    const [next, keys] = await admin.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
    cursor = next;
    if (keys.length) deleted += await admin.del(...keys);
  } while (cursor !== '0');
  return deleted;
}
