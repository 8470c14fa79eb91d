/**
 * Broker configuration: the parsed form of server.properties plus --override k=v.
 */
import type { ListenerEndpoint } from './handler.js';

export interface BrokerConfig {
  nodeId: number;
  processRoles: string[];
  listeners: ListenerEndpoint[];
  advertisedListeners: ListenerEndpoint[];
  logDirs: string[];
  clusterId: string | undefined;
  numPartitions: number;
  defaultReplicationFactor: number;
  autoCreateTopicsEnable: boolean;
  deleteTopicEnable: boolean;
  messageMaxBytes: number;
  socketRequestMaxBytes: number;
  connectionsMaxIdleMs: number;
  groupInitialRebalanceDelayMs: number;
  logRetentionCheckIntervalMs: number;
  /** Broker-level defaults for topic configs, by topic config name (`retention.ms`). */
  topicDefaults: Record<string, string>;
  /** Every key as given (file then overrides), after validation. */
  raw: Record<string, string>;
}
