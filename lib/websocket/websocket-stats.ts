/** WebSocket counters since the app started, as `app.stats()` reports them. */
export interface WebSocketStats {
  /** Connections open now. */
  open: number;
  /** Handshakes completed. */
  accepted: number;
  /** Handshakes refused with an HTTP status. */
  rejected: number;
  /** Closed connections by close code (1006 when the connection dropped without a close frame). */
  closedByCode: Record<number, number>;
  messagesIn: number;
  messagesOut: number;
  bytesIn: number;
  bytesOut: number;
  /** Messages dropped by the send-buffer policy. */
  dropped: number;
}

export function emptyStats(): WebSocketStats {
  return { open: 0, accepted: 0, rejected: 0, closedByCode: {}, messagesIn: 0, messagesOut: 0, bytesIn: 0, bytesOut: 0, dropped: 0 };
}
