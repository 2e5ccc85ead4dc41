/** WebSocket counters since the app started, as `app.stats()` reports them. */
export interface WebSocketStats {
  /** Connections open now. */
  open: number;
  /** Handshakes completed. */
  accepted: number;
  /** Handshakes refused with an HTTP status. */
  rejected: number;
  /** Refused handshakes by HTTP status: 503/429 the connection caps or shutdown, 403 a hook or handler, 408 the handshake timeout… */
  rejectedByStatus: Record<number, number>;
  /** Closed connections by close code (1006 when the connection dropped without a close frame). */
  closedByCode: Record<number, number>;
  messagesIn: number;
  messagesOut: number;
  bytesIn: number;
  bytesOut: number;
  /** Messages dropped by the send-buffer policy. */
  dropped: number;
}

/** One WebSocket route's figures (by path template), for the metrics. */
export interface RouteFigures {
  /** Connections open or handshaking now. */
  open: number;
  messagesIn: number;
  messagesOut: number;
}

/** Counts one refused handshake, with its status. */
export function countRejected(stats: WebSocketStats, statusCode: number): void {
  stats.rejected++;
  stats.rejectedByStatus[statusCode] = (stats.rejectedByStatus[statusCode] ?? 0) + 1;
}

export function emptyStats(): WebSocketStats {
  return {
    open: 0,
    accepted: 0,
    rejected: 0,
    rejectedByStatus: {},
    closedByCode: {},
    messagesIn: 0,
    messagesOut: 0,
    bytesIn: 0,
    bytesOut: 0,
    dropped: 0,
  };
}
