import type { Redis, RedisOptions } from 'ioredis';

/**
 * A Redis connection from `ioredis`, loaded on first use: it is an optional peer dependency,
 * so `require('starwire')` neither needs it nor pays for loading it. `user` names the class
 * that needs it, for the error when the package is missing.
 */
export function newRedis(user: string, url: string, options: RedisOptions): Redis {
  let ioredis: typeof import('ioredis');
  try {
    ioredis = require('ioredis') as typeof import('ioredis');
  } catch (error) {
    // Only ioredis itself missing is this mistake; one of its own files missing is another.
    if ((error as { code?: unknown }).code === 'MODULE_NOT_FOUND' && /'ioredis'/.test(String((error as Error).message).split('\n')[0])) {
      throw new Error(`${user} needs the ioredis package, an optional peer dependency of starwire: npm install ioredis`, { cause: error });
    }
    throw error;
  }
  return new ioredis.Redis(url, options);
}
