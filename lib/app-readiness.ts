import type { ChannelLayer } from './channels/channel-layer';

/**
 * Why an app is not ready for new traffic:
 * - `'starting'`: its startup handlers have not finished (or `startup()` was not called);
 * - `'draining'`: `app.close()` began (under `starwire serve`: SIGTERM/SIGINT arrived);
 * - `'channel-layer-unreachable'`: the channel layer cannot reach its backend (Redis).
 */
export type ReadinessReason = 'starting' | 'draining' | 'channel-layer-unreachable';

/**
 * What `app.readiness()` reports, and `/readyz` (see `healthRoutes()`) answers: ready when
 * `reasons` is empty.
 *
 * @example
 * const { ready, reasons } = app.readiness();
 * if (!ready) console.warn(`not ready: ${reasons.join(', ')}`);
 */
export interface Readiness {
  readonly ready: boolean;
  readonly reasons: readonly ReadinessReason[];
}

/** The app's state as readiness sees it. */
export interface ReadinessInputs {
  readonly started: boolean;
  readonly draining: boolean;
  readonly channelLayer: ChannelLayer;
}

/** Readiness from the app's state; a layer without `reachable` (in memory) is always reachable. */
export function readinessOf({ started, draining, channelLayer }: ReadinessInputs): Readiness {
  const reasons: ReadinessReason[] = [];
  if (!started) reasons.push('starting');
  if (draining) reasons.push('draining');
  if (channelLayer.reachable === false) reasons.push('channel-layer-unreachable');
  return { ready: reasons.length === 0, reasons };
}
