import { createParser, type EventSourceMessage } from 'eventsource-parser';

/** What an SSE parser saw on the wire, in order: events, comments, retry fields. */
export type SseItem =
  | { readonly kind: 'event'; readonly event: EventSourceMessage }
  | { readonly kind: 'comment'; readonly text: string }
  | { readonly kind: 'retry'; readonly ms: number };

/** An open `text/event-stream` over a real socket, read with Node's fetch and parsed by eventsource-parser. */
export interface SseReader {
  readonly response: Response;
  /** The next item, or a rejection after `ms`. */
  next(ms?: number): Promise<SseItem>;
  /** The next event (comments and retry fields skipped). */
  nextEvent(ms?: number): Promise<EventSourceMessage>;
  /** Whether the server ended the stream. */
  ended(): Promise<void>;
  /** Drops the connection, as a closed browser tab does. */
  close(): void;
}

/**
 * Opens `url` with fetch and parses the body as the browser's EventSource would.
 *
 * @example
 * const sse = await openSse(`${base}/events`, { 'last-event-id': '7' });
 * assert.equal((await sse.nextEvent()).data, 'hello');
 */
export async function openSse(url: string, headers: Record<string, string> = {}): Promise<SseReader> {
  const controller = new AbortController();
  const response = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: controller.signal });
  const items: SseItem[] = [];
  const waiting: (() => void)[] = [];
  const push = (item: SseItem): void => {
    items.push(item);
    for (const wake of waiting.splice(0)) wake();
  };
  const parser = createParser({
    onEvent: (event) => push({ kind: 'event', event }),
    onComment: (text) => push({ kind: 'comment', text: text.trim() }),
    onRetry: (ms) => push({ kind: 'retry', ms }),
  });
  const done = (async () => {
    if (!response.body) return;
    const decoder = new TextDecoder();
    try {
      for await (const chunk of response.body) parser.feed(decoder.decode(chunk, { stream: true }));
    } catch {
      // aborted by close()
    }
  })();
  const next = async (ms = 3000): Promise<SseItem> => {
    const deadline = Date.now() + ms;
    while (items.length === 0) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no SSE item within ${ms} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        waiting.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return items.shift() as SseItem;
  };
  return {
    response,
    next,
    async nextEvent(ms = 3000) {
      for (;;) {
        const item = await next(ms);
        if (item.kind === 'event') return item.event;
      }
    },
    ended: () => done,
    close: () => controller.abort(),
  };
}
