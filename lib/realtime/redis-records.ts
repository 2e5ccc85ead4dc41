import type { PresenceUser } from './events';
import { type ChannelInfo, type Departure, type HistoryEntry, historyId, type RoomInfo } from './store';

/*
 * What RedisRealtimeStore reads back from Redis, turned into the store's records: pipeline
 * replies, hashes, and the arrays its Lua scripts answer. A record written by something else
 * decodes to undefined or to an error naming the store, never to a half-filled object.
 */

/** A pipeline or transaction, as ioredis gives them. */
export type Pending = { exec(): Promise<[Error | null, unknown][] | null> };

/** Each command's reply or error, in order. */
export async function settle(pipeline: Pending): Promise<unknown[]> {
  const results = await pipeline.exec();
  // ioredis gives null only for a MULTI whose WATCHed keys changed; these use no WATCH.
  if (!results) throw new Error('RedisRealtimeStore: a transaction was aborted');
  return results.map(([error, reply]) => error ?? reply);
}

/** Each command's reply; the first error is thrown. */
export async function exec(pipeline: Pending): Promise<unknown[]> {
  const replies = await settle(pipeline);
  const failed = replies.find((reply) => reply instanceof Error);
  if (failed) throw failed;
  return replies;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A flat [field, value, ...] array (as Lua returns HGETALL) as an object. */
export function pairs(flat: readonly unknown[]): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) record[String(flat[i])] = flat[i + 1];
  return record;
}

export function toRoom(record: unknown): RoomInfo | undefined {
  if (!isRecord(record) || typeof record.id !== 'string') return undefined;
  return {
    id: record.id,
    name: String(record.name ?? record.id),
    description: String(record.description ?? ''),
    maxUsers: Number(record.maxUsers ?? 0),
    isPrivate: record.isPrivate === '1',
    keepHistory: record.keepHistory === '1',
  };
}

export function toChannel(record: unknown): ChannelInfo | undefined {
  if (!isRecord(record) || typeof record.id !== 'string') return undefined;
  return { id: record.id, name: String(record.name ?? record.id), isPersistent: record.isPersistent === '1' };
}

export function toUser(record: unknown): PresenceUser | undefined {
  if (!isRecord(record) || typeof record.id !== 'string') return undefined;
  let metadata: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(String(record.metadata ?? '{}'));
    if (isRecord(parsed)) metadata = parsed;
  } catch {
    // A record written by something else: the user is still online, without metadata.
  }
  return { id: record.id, name: String(record.name ?? record.id), status: String(record.status ?? 'online'), metadata };
}

/** A departure as the scripts answer it: { user id, record field/value pairs, rooms, channels }. */
export function toDeparture(item: unknown): Departure {
  if (!Array.isArray(item) || item.length !== 4 || !Array.isArray(item[1]) || !Array.isArray(item[2]) || !Array.isArray(item[3])) {
    throw new Error('RedisRealtimeStore: unexpected departure reply');
  }
  return { userId: String(item[0]), user: toUser(pairs(item[1])), rooms: item[2].map(String), channels: item[3].map(String) };
}

/** A stream entry (`<offset>-0`, fields) as the history entry of `epoch` it is. */
export function toEntry(epoch: string, item: unknown): HistoryEntry {
  if (!Array.isArray(item) || typeof item[0] !== 'string' || !Array.isArray(item[1]))
    throw new Error('RedisRealtimeStore: unexpected stream entry');
  const raw = pairs(item[1]).m;
  return { id: historyId(epoch, Number.parseInt(item[0], 10)), message: typeof raw === 'string' ? (JSON.parse(raw) as unknown) : null };
}
