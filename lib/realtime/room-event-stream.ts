import { HTTPException } from '../errors/exceptions';
import * as status from '../errors/status';
import { EventStream, type EventStreamOptions } from '../http/event-stream';
import type { ServerSentEvent } from '../http/server-sent-event';
import { stamped } from './history-delivery';
import { compareIds, isHistoryId, type RealtimeStore } from './store';
import type { Switchboard } from './switchboard';

export interface RoomEventStreamOptions extends EventStreamOptions {
  /**
   * The last event id the client saw (inject `LastEventId`): what the room kept after it is
   * replayed first, then a `resumed` event tells whether that was everything. Absent on a first
   * connection: the stream starts with what is broadcast from now on. Either way a `: live`
   * comment line marks where live broadcasts begin.
   */
  lastEventId?: string;
  /** The event name of the room's messages (`addEventListener(name)` in the browser). Default none: `onmessage`. */
  event?: string;
}

/** What a room's event stream needs of the manager. */
export interface RoomStreamContext {
  readonly store: Pick<RealtimeStore, 'getRoom' | 'getChannel' | 'readHistory'>;
  readonly switchboard: Pick<Switchboard, 'watch'>;
  readonly historyLimit: number;
  ready(): Promise<void>;
}

/**
 * A Server-Sent Events stream of a room's (or channel's) broadcasts, each with its history id as
 * the event id: history after `lastEventId` first, then live broadcasts, none twice, so a
 * reconnecting `EventSource` (which sends the last id it saw) misses nothing the room kept.
 * A missing room is a 404, a malformed `lastEventId` a 400, before the stream starts.
 */
export async function roomEventStream(
  context: RoomStreamContext,
  kind: 'room' | 'channel',
  id: string,
  options: RoomEventStreamOptions = {},
): Promise<EventStream> {
  const { lastEventId, event, ...streamOptions } = options;
  const exists = kind === 'room' ? await context.store.getRoom(id) : await context.store.getChannel(id);
  const noun = kind === 'room' ? 'Room' : 'Channel';
  if (!exists) throw new HTTPException(status.HTTP_404_NOT_FOUND, `${noun} ${id} does not exist`);
  if (lastEventId !== undefined && !isHistoryId(lastEventId)) {
    throw new HTTPException(
      status.HTTP_400_BAD_REQUEST,
      `Last-Event-ID must look like "<epoch>:<offset>", got ${JSON.stringify(lastEventId)}`,
    );
  }
  return new EventStream((signal) => roomEvents(context, kind, id, lastEventId, event, signal), streamOptions);
}

interface Live {
  readonly payload: string;
  readonly historyId: string | undefined;
}

async function* roomEvents(
  context: RoomStreamContext,
  kind: 'room' | 'channel',
  id: string,
  lastEventId: string | undefined,
  event: string | undefined,
  signal: AbortSignal,
): AsyncGenerator<ServerSentEvent> {
  await context.ready();
  const live: Live[] = [];
  let wake: (() => void) | undefined;
  const wakeUp = (): void => {
    const resolve = wake;
    wake = undefined;
    resolve?.();
  };
  signal.addEventListener('abort', wakeUp, { once: true });
  // Watch before reading history: what is broadcast meanwhile is queued, and what history also had is dropped.
  const unwatch = await context.switchboard.watch(kind, id, (payload, historyId) => {
    live.push({ payload, historyId });
    wakeUp();
  });
  try {
    let seen: string | undefined;
    if (lastEventId !== undefined) {
      const replay = await context.store.readHistory(`${kind}:${id}`, lastEventId, context.historyLimit);
      for (const entry of replay.entries) {
        if (signal.aborted) return;
        yield { id: entry.id, event, data: JSON.stringify(stamped(entry.message, entry.id)) };
      }
      seen = replay.last;
      yield { event: 'resumed', data: { complete: replay.complete, last: replay.last } };
    }
    // From here on every broadcast reaches this stream; the comment also gets the headers through buffering proxies.
    yield { comment: 'live' };
    while (!signal.aborted) {
      const next = live.shift();
      if (next === undefined) {
        await new Promise<void>((resolve) => (wake = resolve));
        continue;
      }
      if (next.historyId !== undefined && seen !== undefined && compareIds(next.historyId, seen) <= 0) continue;
      yield { id: next.historyId, event, data: next.payload };
    }
  } finally {
    signal.removeEventListener('abort', wakeUp);
    await unwatch();
  }
}
