/**
 * One event of a `text/event-stream` (WHATWG HTML, "Server-sent events"). Every field is
 * optional; an event with `data` is dispatched by the browser's `EventSource` (to `onmessage`,
 * or to `addEventListener(event)` when `event` is set), `id` becomes its `lastEventId` (and the
 * `Last-Event-ID` a reconnect sends), `retry` sets the reconnection delay in milliseconds, and
 * `comment` is sent as comment lines the browser ignores.
 *
 * `data` that is not a string is sent as JSON; a string with line breaks is sent as several
 * `data:` lines, which the browser joins back with `\n`.
 *
 * @example
 * const event: ServerSentEvent = { id: '7', event: 'price', data: { symbol: 'ACME', price: 12.5 }, retry: 5000 };
 */
export interface ServerSentEvent {
  readonly id?: string;
  readonly event?: string;
  readonly data?: unknown;
  readonly retry?: number;
  readonly comment?: string;
}

const LINE_BREAK = /\r\n|\r|\n/;

/**
 * The wire form of one event, ending with the blank line that dispatches it. A field the format
 * cannot carry is a TypeError naming it: an `id` or `event` with a line break (or an `id` with
 * NUL, which the browser would ignore), a `retry` that is not a whole number ≥ 0.
 *
 * @example
 * formatServerSentEvent({ id: '1', data: 'a\nb' }); // 'id: 1\ndata: a\ndata: b\n\n'
 */
export function formatServerSentEvent(event: ServerSentEvent): string {
  let frame = '';
  if (event.comment !== undefined) frame += commentLines(event.comment);
  if (event.id !== undefined) {
    if (typeof event.id !== 'string' || /[\r\n\0]/.test(event.id)) {
      throw new TypeError(`ServerSentEvent.id must be a string without CR, LF or NUL, got ${JSON.stringify(event.id)}`);
    }
    frame += `id: ${event.id}\n`;
  }
  if (event.event !== undefined) {
    if (typeof event.event !== 'string' || /[\r\n]/.test(event.event)) {
      throw new TypeError(`ServerSentEvent.event must be a string without CR or LF, got ${JSON.stringify(event.event)}`);
    }
    frame += `event: ${event.event}\n`;
  }
  if (event.retry !== undefined) {
    if (!Number.isSafeInteger(event.retry) || event.retry < 0) {
      throw new TypeError(`ServerSentEvent.retry must be a whole number of milliseconds ≥ 0, got ${String(event.retry)}`);
    }
    frame += `retry: ${event.retry}\n`;
  }
  if (event.data !== undefined) {
    const text = typeof event.data === 'string' ? event.data : (JSON.stringify(event.data) ?? 'null');
    for (const line of text.split(LINE_BREAK)) frame += `data: ${line}\n`;
  }
  return `${frame}\n`;
}

/** Comment lines (`: text`), one per line of `text`; the browser skips them. */
export function commentLines(text: string): string {
  let lines = '';
  for (const line of text.split(LINE_BREAK)) lines += `: ${line}\n`;
  return lines;
}
