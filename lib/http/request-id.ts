import { randomBytes } from 'node:crypto';

/** The header a request id is read from and echoed in. */
export const REQUEST_ID_HEADER = 'x-request-id';

/** Longest `X-Request-Id` taken from a client; a longer one is replaced. */
export const MAX_REQUEST_ID_LENGTH = 200;

/** Printable ASCII, space included but not first or last, 1 to 200 characters. */
const VALID = /^[\x21-\x7e](?:[\x20-\x7e]{0,198}[\x21-\x7e])?$/;

/** Random per process, so ids from several processes (cluster workers) do not collide. */
const PREFIX = randomBytes(5).toString('hex');
let counter = 0;

/**
 * The id of one request: the client's (or proxy's) `X-Request-Id` when it is printable ASCII of at
 * most 200 characters, else a new one, a per-process prefix and a counter (`"3f9a0c12be-1f"`).
 */
export function requestIdOf(header: string | string[] | undefined): string {
  if (typeof header === 'string' && header.length <= MAX_REQUEST_ID_LENGTH && VALID.test(header)) return header;
  return newRequestId();
}

/** A fresh id, unique in this process and unlikely to repeat in another. */
export function newRequestId(): string {
  counter = counter === Number.MAX_SAFE_INTEGER ? 1 : counter + 1;
  return `${PREFIX}-${counter.toString(36)}`;
}
