import type { CounterConfiguration, GaugeConfiguration, Registry } from 'prom-client';
import type { ChannelLayer } from '../channels/channel-layer';
import type { RealtimeStats } from '../realtime/realtime-options';
import type { WebSocketGateway } from '../websocket/websocket-gateway';
import type { RouteFigures } from '../websocket/websocket-stats';
import { HttpMetrics } from './http-metrics';
import { loadPromClient } from './prom-client-loader';

/** How `new App({ metrics })` measures; `metrics: true` takes every default. */
export interface MetricsOptions {
  /** The registry the metrics go in. Default: a new one per app (two apps never clash). */
  registry?: Registry;
  /** Node's process metrics (`collectDefaultMetrics`) in the same registry. Default true. */
  defaultMetrics?: boolean;
  /** Upper bounds of the HTTP duration histogram, seconds. Default prom-client's (5 ms … 10 s). */
  buckets?: number[];
}

/** A scrape's answer: the text exposition and its content type. */
export interface Scraped {
  text: string;
  contentType: string;
}

/** What the collect callbacks read at scrape time. */
export interface MetricsSources {
  readonly gateway: WebSocketGateway;
  readonly channelLayer: ChannelLayer;
  /** `app.realtime`'s figures, or undefined while the app never made it. */
  readonly realtime: () => Promise<RealtimeStats> | undefined;
}

/**
 * An app's Prometheus metrics (`new App({ metrics: true })`): HTTP requests counted and timed
 * by method, route template and status as they finish, and at scrape time the WebSocket,
 * channel-layer and real-time figures the app already keeps. `metricsRoutes()` serves them.
 *
 * @example
 * const app = new App({ routes: [...metricsRoutes(), ...routes], metrics: true });
 * const text = await app.metrics!.registry.metrics(); // the text exposition
 */
export class AppMetrics {
  /** The registry scraped by `GET /metrics`. */
  readonly registry: Registry;
  /** HTTP requests by method, route template and status; `App` records each as its response is sent. */
  readonly http: HttpMetrics;

  /** What `scrape()` answers; under `--workers N`, the sum over the workers. */
  private gather: () => Promise<Scraped> = async () => ({ text: await this.registry.metrics(), contentType: this.registry.contentType });

  constructor(options: MetricsOptions, sources: MetricsSources) {
    const prom = loadPromClient('new App({ metrics })');
    const registry = (this.registry = options.registry ?? new prom.Registry());
    const registers = [registry];
    const counter = <L extends string>(config: CounterConfiguration<L>) => new prom.Counter<L>({ ...config, registers });
    const gauge = <L extends string>(config: GaugeConfiguration<L>) => new prom.Gauge<L>({ ...config, registers });
    this.http = new HttpMetrics(registry, options.buckets);

    const { gateway, channelLayer } = sources;
    const stats = gateway.stats;
    gauge({
      name: 'starwire_websocket_connections_open',
      help: 'WebSocket connections open or handshaking, by route template',
      labelNames: ['route'],
      collect() {
        this.reset();
        for (const [route, figures] of gateway.byRoute) this.set({ route }, figures.open);
      },
    });
    const total = (name: string, help: string, read: () => number) =>
      counter({
        name,
        help,
        collect() {
          this.reset();
          this.inc(read());
        },
      });
    total('starwire_websocket_accepted_total', 'WebSocket handshakes completed', () => stats.accepted);
    counter({
      name: 'starwire_websocket_rejected_total',
      help: 'WebSocket handshakes refused, by HTTP status and reason (cap, cap_per_ip, shutdown, handshake_timeout, hook, handler, not_accepted, bad_request, not_found)',
      labelNames: ['status', 'reason'],
      collect() {
        this.reset();
        for (const [reason, byStatus] of Object.entries(stats.rejectedByReason)) {
          for (const [status, count] of Object.entries(byStatus)) this.inc({ status, reason }, count);
        }
      },
    });
    const perRoute = (name: string, help: string, read: (figures: RouteFigures) => number) =>
      counter({
        name,
        help,
        labelNames: ['route'],
        collect() {
          this.reset();
          for (const [route, figures] of gateway.byRoute) this.inc({ route }, read(figures));
        },
      });
    perRoute('starwire_websocket_messages_in_total', 'WebSocket messages received, by route template', (figures) => figures.messagesIn);
    perRoute('starwire_websocket_messages_out_total', 'WebSocket messages sent, by route template', (figures) => figures.messagesOut);
    total('starwire_websocket_bytes_in_total', 'WebSocket bytes received', () => stats.bytesIn);
    total('starwire_websocket_bytes_out_total', 'WebSocket bytes sent', () => stats.bytesOut);
    total('starwire_websocket_send_dropped_total', 'WebSocket messages dropped by the send-buffer policy', () => stats.dropped);
    total(
      'starwire_websocket_heartbeat_terminated_total',
      'WebSocket connections terminated by the heartbeat',
      () => gateway.terminatedByHeartbeat,
    );
    counter({
      name: 'starwire_websocket_closes_total',
      help: 'WebSocket connections closed, by close code (1006: dropped without a close frame; 1013: send buffer full)',
      labelNames: ['code'],
      collect() {
        this.reset();
        for (const [code, count] of Object.entries(stats.closedByCode)) this.inc({ code }, count);
      },
    });

    gauge({
      name: 'starwire_channel_layer',
      help: "The channel layer's figures (its stats()), by name",
      labelNames: ['figure'],
      collect() {
        this.reset();
        for (const [figure, value] of Object.entries(channelLayer.stats())) {
          if (typeof value === 'number' && figure !== 'reconnects') this.set({ figure }, value);
        }
      },
    });
    total('starwire_channel_layer_reconnects_total', "Recoveries of the channel layer's connection to Redis after an outage", () => {
      const { reconnects } = channelLayer.stats() as { reconnects?: unknown };
      return typeof reconnects === 'number' ? reconnects : 0;
    });
    gauge({
      name: 'starwire_realtime',
      help: "app.realtime's figures (rooms, users, connections, delivered, dropped…), once it is made",
      labelNames: ['figure'],
      async collect() {
        this.reset();
        const figures = await sources.realtime();
        if (figures) for (const [figure, value] of Object.entries(figures)) this.set({ figure }, value);
      },
    });

    if (options.defaultMetrics !== false) prom.collectDefaultMetrics({ register: registry });
  }

  /** The text exposition `GET /metrics` answers: this app's registry, or the cluster's sum under `starwire serve --workers N`. */
  scrape(): Promise<Scraped> {
    return this.gather();
  }

  /** Makes `scrape()` answer from `gather` (`starwire serve --workers N` sums the workers' registries). */
  gatherWith(gather: () => Promise<Scraped>): void {
    this.gather = gather;
  }
}
