import { EventStream } from './event-stream';
import type { Response } from './response';

/**
 * The Server-Sent Event streams an app is serving. A stream never ends by itself, so a graceful
 * shutdown ends them (`closeAll`), as it closes WebSockets: each client's `EventSource`
 * reconnects, to another process, with its `Last-Event-ID`. A stream answered once the
 * shutdown began ends at once.
 *
 * @example
 * const streams = new OpenEventStreams();
 * const response = streams.track(await serve(request));
 * streams.closeAll();
 */
export class OpenEventStreams {
  private readonly open = new Set<EventStream>();
  private closing = false;

  /** Notes `response` if it is an event stream; returns it. */
  track(response: Response): Response {
    if (!(response instanceof EventStream)) return response;
    if (this.closing) {
      response.close();
      return response;
    }
    this.open.add(response);
    response.signal.addEventListener('abort', () => this.open.delete(response), { once: true });
    return response;
  }

  /** Ends every stream, and every one made from now on. */
  closeAll(): void {
    this.closing = true;
    for (const stream of [...this.open]) stream.close();
  }
}
