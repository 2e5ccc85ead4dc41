import { randomBytes } from 'node:crypto';
import { toEntry } from './redis-records';
import type { ScriptClient } from './redis-scripts';
import {
  type Appended,
  assertHistoryId,
  type HistoryEntry,
  type HistoryPublication,
  type HistoryReplay,
  historyId,
  newEpoch,
  parseHistoryId,
  replayOf,
} from './store';

/**
 * The history half of RedisRealtimeStore: one stream per room or persistent channel, with an
 * epoch and contiguous offsets kept beside it, appended to and published in one Lua step so
 * that every subscriber receives a stream's messages in offset order.
 *
 * @example
 * const history = new RedisHistory(defineScripts(redis), (type, id) => `chat:rt:${type}:${id}`);
 * const { id } = await history.append('room:lobby', { text: 'hi' }, 100);
 * const replay = await history.read('room:lobby', undefined, 50); // { entries, complete }
 */
export class RedisHistory {
  constructor(
    private readonly redis: ScriptClient,
    private readonly key: (type: string, id: string) => string,
  ) {}

  async append(key: string, message: unknown, limit: number, publication?: HistoryPublication): Promise<Appended> {
    const { channel, pieces } = publication ? splitPayload(publication) : { channel: '', pieces: [] };
    const reply = await this.redis.rtAppendHistory(
      this.key('history', key),
      this.key('history-meta', key),
      JSON.stringify(message ?? null),
      Math.max(0, Math.floor(limit)),
      newEpoch(),
      channel,
      ...pieces,
    );
    if (!Array.isArray(reply) || typeof reply[0] !== 'string' || typeof reply[1] !== 'number')
      throw new Error('RedisRealtimeStore: unexpected append reply');
    return { id: historyId(reply[0], reply[1]), published: publication !== undefined };
  }

  async read(key: string, afterId: string | undefined, limit: number): Promise<HistoryReplay> {
    if (afterId !== undefined) assertHistoryId(afterId);
    const after = afterId === undefined ? undefined : parseHistoryId(afterId);
    const count = Math.max(0, Math.floor(limit));
    const reply = await this.redis.rtReadHistory(
      this.key('history', key),
      this.key('history-meta', key),
      newEpoch(),
      after?.epoch ?? '',
      after?.offset ?? 0,
      count,
    );
    if (!Array.isArray(reply) || typeof reply[0] !== 'string' || typeof reply[1] !== 'number' || !Array.isArray(reply[2])) {
      throw new Error('RedisRealtimeStore: unexpected history reply');
    }
    const [epoch, top, newestFirst] = reply as [string, number, unknown[]];
    const entries: HistoryEntry[] = newestFirst
      .slice(0, count)
      .reverse()
      .map((item) => toEntry(epoch, item));
    return replayOf(epoch, top, after, entries, newestFirst.length > count);
  }
}

/** Stands for the history id in a payload: letters and digits only, so no JSON escaping changes it. */
const ID_MARK = `id${randomBytes(12).toString('hex')}`;

/** The publication's channel, and its payload in pieces for the append script to join with the entry's id. */
function splitPayload(publication: HistoryPublication): { channel: string; pieces: string[] } {
  const { channel, payload } = publication(ID_MARK);
  const pieces = payload.split(ID_MARK);
  if (pieces.length < 2) throw new Error('RedisRealtimeStore: a history publication payload must hold the message id');
  return { channel, pieces };
}
