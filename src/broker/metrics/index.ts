/**
 * Broker metrics: the `BrokerMetrics` the request path calls (one call per request, in the
 * router) and the Prometheus endpoint that exposes them (`kts.metrics.listener`).
 *
 *   const metrics = await startBrokerMetrics(context, providers, url);   // broker.ts
 *   context.metrics = metrics;                                          // router uses it
 *   await metrics.stop();
 *
 * Cluster brokers pass providers backed by their ReplicaManager and controller instead of
 * `singleNodeProviders` (see providers.ts).
 */
import type { BrokerContext } from '../handler.js';
import { parseMetricsListener, startMetricsHttpServer } from './http-listener.js';
import type { MetricsProviders } from './providers.js';
import { createBrokerRegistry, exposition } from './registry.js';
import { RequestStats } from './request-stats.js';

export { METRICS_LISTENER_KEY, parseMetricsListener } from './http-listener.js';
export {
  singleNodeProviders,
  partitionStatsFrom,
  controllerStatsFrom,
  IsrChangeCounter,
  type ReplicaManagerView,
  type ControllerView,
  type MetricsProviders,
  type PartitionStatsProvider,
  type ControllerStatsProvider,
  type LogStatsProvider,
  type GroupStatsProvider,
  type PurgatoryStatsProvider,
} from './providers.js';

/** What the request path calls. Cheap: plain number updates, no allocation per record. */
export interface BrokerMetrics {
  /** A request arrived (before decoding). */
  requestStarted(): void;
  /**
   * A request was handled: its decoded request and response (null for acks=0 Produce);
   * `failed` when the handler threw (every partition of it counts as failed).
   */
  requestCompleted(apiKey: number, request: unknown, response: unknown, elapsedMs: number, failed: boolean): void;
}

export interface RunningBrokerMetrics extends BrokerMetrics {
  /** `http://host:port/metrics` as bound (port 0 resolved). */
  readonly url: string;
  /** The exposition text, as a scrape returns it (tests, `kts ui`). */
  scrape(): Promise<string>;
  stop(): Promise<void>;
}

export async function startBrokerMetrics(context: BrokerContext, providers: MetricsProviders, listener: string): Promise<RunningBrokerMetrics> {
  const endpoint = parseMetricsListener(listener);
  const stats = new RequestStats((topicId) => context.metadata.topicNameById(topicId));
  const registry = createBrokerRegistry(stats, providers, context.nodeId, context.nowMs);
  const server = await startMetricsHttpServer(endpoint, async () => ({ contentType: registry.contentType, body: await exposition(registry) }), context.log);
  context.log.info(`[KtsServer id=${context.nodeId}] serving metrics on ${server.url}`);
  return {
    url: server.url,
    requestStarted() {
      stats.inFlight++;
    },
    requestCompleted(apiKey, request, response, elapsedMs, failed) {
      stats.inFlight--;
      stats.onRequest(apiKey, request, response, elapsedMs, failed);
    },
    scrape: () => exposition(registry),
    async stop() {
      await server.stop();
      registry.clear();
    },
  };
}
