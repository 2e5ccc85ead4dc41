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
  /** Refused handshakes by why they were refused, then by HTTP status: `{ cap: { 503: 2 }, hook: { 401: 1 } }`. */
  rejectedByReason: Partial<Record<RefusalReason, Record<number, number>>>;
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

/**
 * Why a handshake was refused, so refusals by the connection caps stand apart from other 503s:
 *
 * - `cap`: over `maxConnections` (503); `cap_per_ip`: over `maxConnectionsPerIp` (429);
 * - `shutdown`: the app is closing (503), at admission or while the handshake was pending;
 * - `handshake_timeout`: not accepted within `handshakeTimeout` (408);
 * - `hook`: an `onRequest` hook answered with a response, raised, or refused the socket;
 * - `handler`: the handler (or its exception handler) raised or refused before accepting;
 * - `not_accepted`: the handler returned without accepting (403);
 * - `bad_request`: a malformed path or handshake (400, 426 for an unknown WebSocket version);
 * - `not_found`: no WebSocket route at the path (404, when the app is the server's only upgrade listener).
 */
export type RefusalReason =
  | 'cap'
  | 'cap_per_ip'
  | 'shutdown'
  | 'handshake_timeout'
  | 'hook'
  | 'handler'
  | 'not_accepted'
  | 'bad_request'
  | 'not_found';

/** Counts one refused handshake, with its status and reason. */
export function countRejected(stats: WebSocketStats, statusCode: number, reason: RefusalReason): void {
  stats.rejected++;
  stats.rejectedByStatus[statusCode] = (stats.rejectedByStatus[statusCode] ?? 0) + 1;
  const byStatus = (stats.rejectedByReason[reason] ??= {});
  byStatus[statusCode] = (byStatus[statusCode] ?? 0) + 1;
}

/** A copy of `byReason` that later refusals do not change. */
export function copyRejectedByReason(byReason: WebSocketStats['rejectedByReason']): WebSocketStats['rejectedByReason'] {
  const copy: WebSocketStats['rejectedByReason'] = {};
  for (const [reason, byStatus] of Object.entries(byReason) as [RefusalReason, Record<number, number>][]) copy[reason] = { ...byStatus };
  return copy;
}

export function emptyStats(): WebSocketStats {
  return {
    open: 0,
    accepted: 0,
    rejected: 0,
    rejectedByStatus: {},
    rejectedByReason: {},
    closedByCode: {},
    messagesIn: 0,
    messagesOut: 0,
    bytesIn: 0,
    bytesOut: 0,
    dropped: 0,
  };
}
