import { closeCodeOfReceiveError } from '../errors/close-codes';
import { FLAG, type WebSocketState } from './websocket-receive';
import { SendingWebSocket } from './websocket-send';

const RESOLVED: Promise<void> = Promise.resolve();

/** How a connection ended, made when it does: an open socket holds one empty field for all of it. */
interface Outcome {
  code: number | undefined;
  reason: string | undefined;
  /** The close code ws sent after a receive error, if any. */
  sentCode: number | undefined;
  refusedWith: number | undefined;
}

/** `done`, made only when someone waits for it. */
interface EndSignal {
  readonly promise: Promise<void>;
  resolve(): void;
}

/**
 * Where a connection stands and how it ended: its state, the heartbeat's and the pipeline's
 * flags, its close code and reason, a refused handshake's status, `done`, and the one place that
 * marks the end and counts it. An abstract step between `SendingWebSocket` and `WebSocket`, for
 * the same reason as the other halves: the fields stay on the socket, and an open socket holds
 * one empty field for how it ended.
 */
export abstract class StatefulWebSocket extends SendingWebSocket {
  private outcome: Outcome | undefined = undefined;
  /** `done`, once asked for (the connection's end itself is `FLAG.ended`). */
  private end: EndSignal | undefined = undefined;

  get state(): WebSocketState {
    return this.currentState;
  }
  get connecting(): boolean {
    return this.currentState === 'connecting';
  }
  get connected(): boolean {
    return this.currentState === 'connected';
  }
  get closed(): boolean {
    return this.currentState === 'closed';
  }

  /** Set by the heartbeat: false once a ping went out without a pong back. */
  get alive(): boolean {
    return (this.flags & FLAG.alive) !== 0;
  }
  set alive(value: boolean) {
    this.setFlag(FLAG.alive, value);
  }

  /** @internal Whom a refusal through `refuse()` is counted against: the hooks, until the pipeline starts the handler. */
  get refusedBy(): 'hook' | 'handler' {
    return this.flags & FLAG.refusedByHandler ? 'handler' : 'hook';
  }
  set refusedBy(by: 'hook' | 'handler') {
    this.setFlag(FLAG.refusedByHandler, by === 'handler');
  }

  /** Code of the close frame, once closed (1006 when the connection dropped). */
  get closeCode(): number | undefined {
    return this.outcome?.code;
  }
  set closeCode(code: number | undefined) {
    this.ending().code = code;
  }
  get closeReason(): string | undefined {
    return this.outcome?.reason;
  }
  set closeReason(reason: string | undefined) {
    this.ending().reason = reason;
  }
  /** The HTTP status the handshake was refused with, if it was. */
  get refusedWith(): number | undefined {
    return this.outcome?.refusedWith;
  }
  set refusedWith(statusCode: number | undefined) {
    this.ending().refusedWith = statusCode;
  }

  protected ending(): Outcome {
    return (this.outcome ??= { code: undefined, reason: undefined, sentCode: undefined, refusedWith: undefined });
  }

  /** The close code ws sent after a receive error, if one came before the close. */
  protected get sentCode(): number | undefined {
    return this.outcome?.sentCode;
  }

  /** @internal True once the connection has closed, however it closed: `done` would be resolved. */
  get finished(): boolean {
    return (this.flags & FLAG.ended) !== 0;
  }

  /** Resolves once the connection has closed, however it closed. */
  get done(): Promise<void> {
    if (this.flags & FLAG.ended) return RESOLVED;
    if (this.end === undefined) {
      let resolve!: () => void;
      const promise = new Promise<void>((settle) => {
        resolve = settle;
      });
      this.end = { promise, resolve };
    }
    return this.end.promise;
  }

  /** @internal Socket errors are followed by 'close', which then says 1006; the code ws sent for a bad frame is the one to report. */
  onError(error: Error & { code?: string }): void {
    const outcome = this.ending();
    outcome.sentCode ??= closeCodeOfReceiveError(error.code);
  }

  protected finish(code: number, reason: string): void {
    if (this.flags & FLAG.ended) return;
    this.flags |= FLAG.ended;
    if (this.wire) {
      const stats = this.context.stats;
      stats.open--;
      stats.closedByCode[code] = (stats.closedByCode[code] ?? 0) + 1;
    }
    this.currentState = 'closed';
    const outcome = this.ending();
    outcome.code ??= code;
    outcome.reason ??= reason;
    this.end?.resolve();
  }
}
