/**
 * The replication settings of server.properties, with Kafka's defaults: how followers
 * fetch (`replica.fetch.*`, `num.replica.fetchers`, `replica.socket.timeout.ms`), when a
 * follower leaves the ISR (`replica.lag.time.max.ms`) and which listener brokers use to
 * reach each other (`inter.broker.listener.name`, else the listener of
 * `security.inter.broker.protocol`, else the first listener).
 */
import type { BrokerConfig } from '../config.js';
import type { FetcherConfig } from './replica-fetcher.js';
import { interBrokerSecurity } from '../auth/inter-broker.js';

export interface ReplicationConfig {
  replicaLagTimeMaxMs: number;
  fetcher: FetcherConfig;
}

function int(raw: Record<string, string>, key: string, fallback: number): number {
  const v = raw[key];
  if (v === undefined || v.trim() === '') return fallback;
  const n = Number(v.trim());
  return Number.isFinite(n) ? Math.trunc(n) : fallback;
}

export function interBrokerListenerName(config: BrokerConfig): string {
  const raw = config.raw;
  const named = raw['inter.broker.listener.name']?.trim();
  if (named) return named;
  const protocol = raw['security.inter.broker.protocol']?.trim() || 'PLAINTEXT';
  const byProtocol = config.listeners.find((l) => l.name === protocol) ?? config.listeners[0];
  return byProtocol?.name ?? 'PLAINTEXT';
}

export function replicationConfigOf(config: BrokerConfig): ReplicationConfig {
  const raw = config.raw;
  return {
    replicaLagTimeMaxMs: int(raw, 'replica.lag.time.max.ms', 30_000),
    fetcher: {
      listenerName: interBrokerListenerName(config),
      fetchWaitMaxMs: int(raw, 'replica.fetch.wait.max.ms', 500),
      fetchMinBytes: int(raw, 'replica.fetch.min.bytes', 1),
      fetchMaxBytes: int(raw, 'replica.fetch.max.bytes', 1_048_576),
      fetchResponseMaxBytes: int(raw, 'replica.fetch.response.max.bytes', 10_485_760),
      fetchBackoffMs: int(raw, 'replica.fetch.backoff.ms', 1000),
      socketTimeoutMs: int(raw, 'replica.socket.timeout.ms', 30_000),
      numFetchers: int(raw, 'num.replica.fetchers', 1),
      // Only a cluster member talks to other brokers; a single node needs no inter-broker login.
      ...(config.raw['zookeeper.connect']?.trim() ? { security: interBrokerSecurity(config, interBrokerListenerName(config)) } : {}),
    },
  };
}
