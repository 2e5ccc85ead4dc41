import { createHash } from 'node:crypto';

/** Longest room or channel id, in UTF-16 code units (as `String.length` counts). */
export const MAX_ROOM_ID = 64;
/** Longest user id, in UTF-16 code units: room for `tenant:user` UUID pairs and similar compound ids. */
export const MAX_USER_ID = 256;

/** A surrogate not paired with its other half: such a string has no UTF-8 form, so Redis and the layer would see a different id. */
const LONE_SURROGATE = /\p{Surrogate}/u;

/**
 * Refuses an id the real-time layer cannot carry, before anything is written: a non-string, an
 * empty one, one longer than `max`, or one with a lone surrogate (it has no UTF-8 form, so
 * Redis would keep a different id than the caller gave). `where` names the function and the
 * parameter, for the error.
 *
 * @example
 * checkId('RealtimeManager.joinRoom', 'userId', userId, MAX_USER_ID);
 */
export function checkId(where: string, parameter: string, id: unknown, max: number): asserts id is string {
  if (typeof id === 'string' && id.length > 0 && id.length <= max && !LONE_SURROGATE.test(id)) return;
  const got =
    typeof id === 'string' ? `${id.length} characters: ${JSON.stringify(id.length > 80 ? `${id.slice(0, 80)}…` : id)}` : typeof id;
  throw new TypeError(`${where}: ${parameter} must be a string of 1–${max} characters without lone surrogates, got ${got}`);
}

/** Base64url of an id, kept as is up to this length; longer ids are hashed. */
const MAX_ENCODED = 64;

/**
 * The channel-layer group of a room, channel or user. Group names allow only ASCII letters,
 * digits, `-`, `_` and `.`, and fewer than 100 of them, while ids may be any text: the id's
 * UTF-8 bytes are written in base64url when that is short (readable when debugging), and a
 * SHA-256 of them otherwise, under a tag of its own so the two forms never meet. Every name
 * is at most 8 + `kind` + 64 characters.
 *
 * @example
 * groupName('user', 'acme:3f1c…') // 'rt.user.YWNtZToz…' or 'rt.user-h.<43 characters>'
 */
export function groupName(kind: 'room' | 'channel' | 'user', id: string): string {
  const bytes = Buffer.from(id);
  const encoded = bytes.toString('base64url');
  if (encoded.length <= MAX_ENCODED) return `rt.${kind}.${encoded}`;
  return `rt.${kind}-h.${createHash('sha256').update(bytes).digest('base64url')}`;
}
