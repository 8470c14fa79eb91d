/**
 * Charts of the brokers' own figures: a kts broker with `kts.metrics.listener` set serves
 * Prometheus text at /metrics (src/broker/metrics/). kts ui learns each broker's endpoint
 * from the broker's config (DescribeConfigs, key kts.metrics.listener; other Kafka brokers
 * do not have the key, so they simply get no broker charts), scrapes it at each history
 * sample and keeps a few broker-wide series. A wildcard host (0.0.0.0, ::) is reached at the
 * broker's advertised host; port 0 cannot be reached from outside and is reported as such.
 */
import type { KafkaClient } from '../client/index.js';
import { errorMessage } from '../util/errors.js';

const LISTENER_KEY = 'kts.metrics.listener';
const SCRAPE_TIMEOUT_MS = 5_000;
/** How often (in samples) the endpoints are looked up again (brokers restart, move). */
const DISCOVER_EVERY = 30;

/** Series kept per broker: history name suffix, exposition series, whether it is a counter (charted as a rate). */
export const BROKER_SERIES: readonly { name: string; series: string; counter: boolean }[] = [
  { name: 'messagesIn', series: 'kafka_server_brokertopicmetrics_messagesin_total', counter: true },
  { name: 'bytesIn', series: 'kafka_server_brokertopicmetrics_bytesin_total', counter: true },
  { name: 'bytesOut', series: 'kafka_server_brokertopicmetrics_bytesout_total', counter: true },
  { name: 'underReplicated', series: 'kafka_server_replicamanager_underreplicatedpartitions', counter: false },
  { name: 'leaders', series: 'kafka_server_replicamanager_leadercount', counter: false },
  { name: 'partitions', series: 'kafka_server_replicamanager_partitioncount', counter: false },
  { name: 'requestQueue', series: 'kafka_network_requestchannel_requestqueuesize', counter: false },
  { name: 'maxLag', series: 'kafka_server_replicafetchermanager_maxlag{clientId="Replica"}', counter: false },
  { name: 'connections', series: 'kafka_server_socket_server_metrics_connection_count', counter: false },
  { name: 'producePurgatory', series: 'kafka_server_delayedoperationpurgatory_purgatorysize{delayedOperation="Produce"}', counter: false },
  { name: 'residentBytes', series: 'process_resident_memory_bytes', counter: false },
];

export interface BrokerEndpoint {
  nodeId: number;
  /** The scrape URL, or null with `problem` saying why there is none. */
  url: string | null;
  problem: string | null;
  /** The last scrape's error, if it failed. */
  lastError: string | null;
}

export class BrokerMetricsScraper {
  private endpoints = new Map<number, BrokerEndpoint>();
  private samples = 0;

  constructor(private readonly client: KafkaClient) {}

  /** What is known about each broker's endpoint (the broker page shows it). */
  endpoint(nodeId: number): BrokerEndpoint | undefined {
    return this.endpoints.get(nodeId);
  }

  /** Brokers whose endpoint failed at the last sample, with the error. */
  scrapeErrors(): Map<number, string> {
    return new Map([...this.endpoints.values()].filter((e) => e.url !== null && e.lastError !== null).map((e) => [e.nodeId, e.lastError!]));
  }

  /** One sample: `broker:<id>:<name>` values of every broker whose endpoint answered. */
  async sample(brokers: readonly { nodeId: number; host: string }[]): Promise<Record<string, number>> {
    if (this.samples++ % DISCOVER_EVERY === 0 || brokers.some((b) => !this.endpoints.has(b.nodeId))) await this.discover(brokers);
    const out: Record<string, number> = {};
    await Promise.all(
      [...this.endpoints.values()].map(async (e) => {
        if (e.url === null) return;
        try {
          const values = parseExposition(await scrape(e.url), BROKER_SERIES.map((s) => s.series));
          e.lastError = null;
          for (const s of BROKER_SERIES) {
            const v = values.get(s.series);
            if (v !== undefined) out[`broker:${e.nodeId}:${s.name}`] = v;
          }
        } catch (err) {
          e.lastError = errorMessage(err);
        }
      }),
    );
    return out;
  }

  private async discover(brokers: readonly { nodeId: number; host: string }[]): Promise<void> {
    const next = new Map<number, BrokerEndpoint>();
    await Promise.all(
      brokers.map(async (b) => {
        let value: string | null | undefined;
        try {
          const entries = await this.client.admin.describeConfigs({ type: 'broker', name: String(b.nodeId) }, { keys: [LISTENER_KEY] });
          value = entries.find((c) => c.name === LISTENER_KEY)?.value;
        } catch (err) {
          next.set(b.nodeId, { nodeId: b.nodeId, url: null, problem: `its config could not be read: ${errorMessage(err)}`, lastError: null });
          return;
        }
        next.set(b.nodeId, { nodeId: b.nodeId, ...metricsUrlOf(value, b.host), lastError: this.endpoints.get(b.nodeId)?.lastError ?? null });
      }),
    );
    this.endpoints = next;
  }
}

/** The scrape URL of a broker's `kts.metrics.listener` value (or why there is none). */
export function metricsUrlOf(value: string | null | undefined, brokerHost: string): { url: string | null; problem: string | null } {
  if (value === undefined || value === null || value.trim() === '') {
    return { url: null, problem: `${LISTENER_KEY} is not set on this broker (set it, e.g. ${LISTENER_KEY}=http://0.0.0.0:9404, for broker charts)` };
  }
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return { url: null, problem: `${LISTENER_KEY}=${value} is not a URL` };
  }
  if (url.port === '' || url.port === '0') return { url: null, problem: `${LISTENER_KEY}=${value} picks a free port at start, which kts ui cannot learn: give a fixed port` };
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const reachable = host === '0.0.0.0' || host === '::' ? brokerHost : host;
  return { url: `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${url.port}/metrics`, problem: null };
}

async function scrape(url: string): Promise<string> {
  const res = await fetch(url, { signal: AbortSignal.timeout(SCRAPE_TIMEOUT_MS) });
  if (!res.ok) throw new Error(`${url} answered HTTP ${res.status}`);
  return res.text();
}

/** The values of `wanted` series (`name` or `name{labels}` exactly as exposed) in Prometheus text. */
export function parseExposition(text: string, wanted: readonly string[]): Map<string, number> {
  const want = new Set(wanted);
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    if (space <= 0) continue;
    const series = line.slice(0, space);
    if (!want.has(series)) continue;
    const v = Number(line.slice(space + 1));
    if (Number.isFinite(v)) out.set(series, v);
  }
  return out;
}
