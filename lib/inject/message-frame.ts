/**
 * One incoming WebSocket message as a message handler sees it: the decoded value and the
 * cache of `'message'`-scoped components built for it, discarded after the handler returns.
 */
export class MessageFrame {
  readonly value: unknown;
  /** Raw payload as received, for tokens that want it. */
  readonly raw: string | Buffer;
  cache: Map<unknown, unknown> | undefined = undefined;

  constructor(value: unknown, raw: string | Buffer) {
    this.value = value;
    this.raw = raw;
  }
}
