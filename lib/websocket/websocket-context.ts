import type { WebSocketSettings } from '../config/websocket-settings';
import type { RouteFigures, WebSocketStats } from './websocket-stats';

/**
 * What every socket of one route shares: the settings, the app's figures and the route's, and
 * who is told of each opened connection. The gateway makes one per route, and each socket holds
 * one reference to it instead of a field for each: an idle socket is mostly its fields.
 */
export interface WebSocketContext<Socket = unknown> {
  readonly settings: WebSocketSettings;
  readonly stats: WebSocketStats;
  /** The figures of the route, beside the app's `stats`. */
  readonly route: RouteFigures;
  /** Told when a handshake completes (the gateway's log of connections). */
  readonly observer: { accepted(ws: Socket): void } | undefined;
}
