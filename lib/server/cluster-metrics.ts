import type { Worker } from 'node:cluster';
import type { MetricObjectWithValues, MetricValue } from 'prom-client';
import type { AppMetrics, Scraped } from './app-metrics';
import { loadPromClient } from './prom-client-loader';

/*
 * One scrape under `starwire serve --workers N`: the worker that got `GET /metrics` asks the
 * primary, which collects every listening worker's metrics as JSON, sums them with prom-client's
 * AggregatorRegistry and answers the text. The primary loads prom-client only on a first scrape.
 */
type Request = { starwire: 'metrics-request'; id: number };
type Collect = { starwire: 'metrics-collect'; id: number };
type Part = { starwire: 'metrics-part'; id: number; metrics: MetricObjectWithValues<MetricValue<string>>[] };
type Reply = { starwire: 'metrics-reply'; id: number; scraped?: Scraped; error?: string };

/** How long the primary waits for the workers' parts, and a worker for the primary's answer. */
const COLLECT_TIMEOUT_MS = 3000;

function isMessage<T extends { starwire: string }>(message: unknown, kind: T['starwire']): message is T {
  return typeof message === 'object' && message !== null && (message as { starwire?: unknown }).starwire === kind;
}

/**
 * In a worker: `GET /metrics` answers the sum over the workers (asked of the primary), and the
 * primary's collects are answered with this worker's metrics (none when metrics are off).
 */
export function serveWorkerMetrics(app: { readonly metrics: AppMetrics | undefined }): void {
  const pending = new Map<number, (reply: Reply) => void>();
  let next = 0;
  process.on('message', (message: unknown) => {
    if (isMessage<Reply>(message, 'metrics-reply')) pending.get(message.id)?.(message);
    if (!isMessage<Collect>(message, 'metrics-collect')) return;
    const metrics = app.metrics;
    void (metrics ? metrics.registry.getMetricsAsJSON() : Promise.resolve([])).then((json) => {
      const part: Part = { starwire: 'metrics-part', id: message.id, metrics: json };
      process.send?.(part);
    });
  });
  app.metrics?.gatherWith(async () => {
    const id = ++next;
    const reply = await new Promise<Reply | undefined>((resolve) => {
      const timer = setTimeout(() => resolve(undefined), COLLECT_TIMEOUT_MS * 2);
      pending.set(id, (answer) => {
        clearTimeout(timer);
        resolve(answer);
      });
      const request: Request = { starwire: 'metrics-request', id };
      process.send?.(request);
    });
    pending.delete(id);
    if (reply?.scraped) return reply.scraped;
    throw new Error(`GET /metrics: the cluster primary did not sum the workers' metrics (${reply?.error ?? 'no answer'})`);
  });
}

/** In the primary: answers a worker's `metrics-request` with the sum over `workers()`. */
export function answerMetricsRequest(from: Worker, message: unknown, workers: () => Worker[]): boolean {
  if (!isMessage<Request>(message, 'metrics-request')) return false;
  void sumOver(workers(), message.id).then(
    (scraped) => from.isConnected() && from.send({ starwire: 'metrics-reply', id: message.id, scraped } satisfies Reply),
    (error: unknown) =>
      from.isConnected() && from.send({ starwire: 'metrics-reply', id: message.id, error: String(error) } satisfies Reply),
  );
  return true;
}

async function sumOver(workers: Worker[], id: number): Promise<Scraped> {
  const prom = loadPromClient('starwire serve --workers: GET /metrics');
  const parts = await Promise.all(
    workers.map(
      (worker) =>
        new Promise<Part['metrics'] | undefined>((resolve) => {
          const timer = setTimeout(() => done(undefined), COLLECT_TIMEOUT_MS);
          const listener = (message: unknown): void => {
            if (isMessage<Part>(message, 'metrics-part') && message.id === id) done(message.metrics);
          };
          function done(metrics: Part['metrics'] | undefined): void {
            clearTimeout(timer);
            worker.off('message', listener);
            resolve(metrics);
          }
          worker.on('message', listener);
          if (!worker.isConnected()) done(undefined);
          else worker.send({ starwire: 'metrics-collect', id } satisfies Collect);
        }),
    ),
  );
  const registry = prom.AggregatorRegistry.aggregate(parts.filter((part) => part !== undefined && part.length > 0) as Part['metrics'][]);
  return { text: await registry.metrics(), contentType: registry.contentType };
}
