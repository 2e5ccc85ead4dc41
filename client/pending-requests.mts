import { ConnectionClosedError, RequestTimeoutError } from './errors.mjs';
import type { ServerMessage } from './options.mjs';

type Timer = ReturnType<typeof setTimeout>;

/** One request waiting for its reply. */
export interface PendingRequest {
  readonly type: string;
  readonly resolve: (reply: ServerMessage) => void;
  readonly reject: (error: Error) => void;
  readonly timer: Timer;
  /** Written to a socket: a close before the reply means the outcome is unknown. */
  sent: boolean;
}

/**
 * The client's requests that wait for a reply, by `requestId`. Ids only grow, so a `replyTo`
 * above the last id is not a reply at all, and one whose request gave up finds nothing.
 *
 * @example
 * const requests = new PendingRequests();
 * const id = requests.nextId();
 * requests.add(id, { type: 'join', resolve, reject, timer: setTimeout(giveUp, 5000), sent: false });
 * requests.settle(id, { type: 'joined', replyTo: id }); // true: resolve ran, the timer is cleared
 */
export class PendingRequests {
  private lastId = 0;
  private readonly waiting = new Map<number, PendingRequest>();

  nextId(): number {
    return ++this.lastId;
  }

  /** Whether `replyTo` names a request this client made (answered or not). */
  isReplyId(replyTo: unknown): replyTo is number {
    return typeof replyTo === 'number' && Number.isInteger(replyTo) && replyTo > 0 && replyTo <= this.lastId;
  }

  add(requestId: number, request: PendingRequest): void {
    this.waiting.set(requestId, request);
  }

  /**
   * Waits for the reply to `requestId`: the promise rejects with `RequestTimeoutError` after
   * `timeout` ms (running `onTimeout` first), and `onReply` sees the reply before the caller,
   * in the same tick as it arrived.
   */
  expect(
    requestId: number,
    type: string,
    timeout: number,
    onTimeout: () => void,
    onReply?: (reply: ServerMessage) => void,
  ): Promise<ServerMessage> {
    return new Promise<ServerMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.forget(requestId);
        onTimeout();
        reject(new RequestTimeoutError(type, timeout, requestId));
      }, timeout);
      const settle = onReply
        ? (reply: ServerMessage) => {
            onReply(reply);
            resolve(reply);
          }
        : resolve;
      this.add(requestId, { type, resolve: settle, reject, timer, sent: false });
    });
  }

  /** Forgets a request without settling it (its caller was told otherwise). */
  forget(requestId: number): void {
    const request = this.waiting.get(requestId);
    if (request) clearTimeout(request.timer);
    this.waiting.delete(requestId);
  }

  markSent(requestId: number | undefined): void {
    const request = requestId === undefined ? undefined : this.waiting.get(requestId);
    if (request) request.sent = true;
  }

  /** Resolves the request `replyTo` answers; false when it already gave up. */
  settle(replyTo: number, reply: ServerMessage): boolean {
    const request = this.waiting.get(replyTo);
    if (!request) return false;
    this.waiting.delete(replyTo);
    clearTimeout(request.timer);
    request.resolve(reply);
    return true;
  }

  /** Rejects the requests `which` selects with a `ConnectionClosedError` saying `detail`. */
  abandon(which: (request: PendingRequest) => boolean, detail: string): void {
    for (const [requestId, request] of this.waiting) {
      if (!which(request)) continue;
      this.waiting.delete(requestId);
      clearTimeout(request.timer);
      request.reject(new ConnectionClosedError(request.type, requestId, request.sent, detail));
    }
  }
}
