import { WebSocket } from '../components/websocket';
import { HTTPException, WebSocketProtocolError } from '../lib/errors/exceptions';
import * as status from '../lib/errors/status';
import type { HookDescription } from '../lib/inject/api-description';
import { inject } from '../lib/inject/inject';

export interface SubprotocolOptions {
  /** Refuse clients that offer none of the supported subprotocols (default). */
  required?: boolean;
  /**
   * How to refuse: `'deny'` (default) answers the handshake with HTTP 400 before the upgrade;
   * `'close'` accepts and closes with 1002, which browsers can read.
   */
  refuse?: 'deny' | 'close';
}

/**
 * Negotiates a WebSocket subprotocol: the first one the client offers that the server supports
 * is chosen, and `ws.accept()` sends it back. Clients offering none are refused before the
 * upgrade, so no handler runs for them.
 *
 * @example
 * new App({ routes, hooks: [new Subprotocols(['chat.v2', 'chat.v1'])] });
 * // handler: await ws.accept();  → Sec-WebSocket-Protocol: chat.v2 (if offered)
 */
export class Subprotocols {
  readonly appliesTo = ['websocket'] as const;
  private readonly supported: ReadonlySet<string>;

  constructor(
    supported: readonly string[],
    private readonly options: SubprotocolOptions = {},
  ) {
    if (supported.length === 0) throw new TypeError('new Subprotocols([...]): list at least one subprotocol');
    this.supported = new Set(supported);
  }

  /**
   * The subprotocols, for the API descriptions, and how a client offering none is refused.
   *
   * @example
   * new Subprotocols(['chat.v1']).describeApi(); // { subprotocols: ['chat.v1'], statuses: { 400: ... } }
   */
  describeApi(): HookDescription {
    const required = this.options.required !== false;
    const refusal = 'The client offered none of the supported subprotocols';
    const closes = this.options.refuse === 'close';
    return {
      subprotocols: [...this.supported],
      subprotocolRequired: required,
      statuses: required && !closes ? { [status.HTTP_400_BAD_REQUEST]: refusal } : {},
      closeCodes: required && closes ? { [status.WS_1002_PROTOCOL_ERROR]: refusal } : {},
    };
  }

  @inject([WebSocket])
  onRequest(ws: WebSocket): void {
    const chosen = ws.subprotocols.find((offered) => this.supported.has(offered));
    if (chosen !== undefined) {
      ws.subprotocol = chosen;
      return;
    }
    if (this.options.required === false) return;
    const detail = `Subprotocol required: one of ${[...this.supported].join(', ')}`;
    if (this.options.refuse === 'close') {
      // Browsers (and ws) fail a 101 that picks none of the protocols they offered, so they would
      // never see the 1002: echo their first offer for the accept-then-close.
      ws.subprotocol = ws.subprotocols[0];
      throw new WebSocketProtocolError(detail);
    }
    throw new HTTPException(status.HTTP_400_BAD_REQUEST, detail);
  }
}
