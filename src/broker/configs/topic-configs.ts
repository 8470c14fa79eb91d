/**
 * The storage-side operations the admin handlers need beyond the broker's handler
 * contract: a topic's config overrides (read, replace, apply live), a partition's size and
 * log dir, and DeleteRecords. Typed structurally against storage's LogManager and
 * PartitionLog so the broker names only what it uses.
 */
import { ErrorCode, KafkaError } from '../../protocol/errors.js';
import { defaultLogConfig, mergeLogConfig, parseTopicConfigs, type LogConfig } from '../../storage/log-config.js';
import type { BrokerContext, BrokerPartitionLog } from '../handler.js';
import { topicDefaults } from './describe.js';
import { brokerLayersOf } from './dynamic-configs.js';

/** The PartitionLog members the admin APIs use. */
export interface AdminPartitionLog extends BrokerPartitionLog {
  /** The partition's directory (`<log dir>/<topic>-<partition>`). */
  readonly dir: string;
  /** Bytes on disk of all segments. */
  readonly size: number;
  readonly config: LogConfig;
  /** The topic overrides (Kafka names) the log runs with, over the log manager's defaults. */
  readonly configOverrides: Readonly<Record<string, string>>;
  /** Apply topic overrides (Kafka names) over the log manager's defaults, live. */
  updateConfig(overrides: Readonly<Record<string, string>>): void;
  /** Advance the log start offset; returns the new log start offset. */
  deleteRecordsBefore(offset: number): number;
}

/** The LogManager members the admin APIs use. */
export interface AdminLogManager {
  readonly logDirs: readonly string[];
  /** The config new logs start from (Kafka names in camelCase); kts keeps it equal to the broker's topic defaults. */
  readonly defaultConfig: LogConfig;
  /** Persisted per-topic metadata, including config overrides by Kafka name. */
  getTopicMetadata(topic: string): { configs: Readonly<Record<string, string>> } | undefined;
  /** Replace and persist a topic's config overrides (applied to its logs over defaultConfig). */
  updateTopicConfig(topic: string, configs: Record<string, string>): void;
  /** The log dir holding a partition. */
  logDirFor(topic: string, partition: number): string | undefined;
  /** Start moving a partition to another of this broker's log dirs (throws KafkaError). */
  alterLogDir(topic: string, partition: number, logDir: string): void;
  /** Add a log dir to the data dir (local mode only; throws KafkaError saying why not). */
  attachLogDir(dir: string): void;
  /** Partitions being moved between log dirs: target dir, bytes copied, offset lag. */
  futureLogs(): ReadonlyArray<{ topic: string; partition: number; logDir: string; size: number; offsetLag: number }>;
}

function adminLogManager(broker: BrokerContext): AdminLogManager {
  return broker.logManager as unknown as AdminLogManager;
}

export function adminLog(log: BrokerPartitionLog): AdminPartitionLog {
  return log as AdminPartitionLog;
}

/** A topic's config overrides (Kafka names), as persisted by storage. */
export function topicOverrides(broker: BrokerContext, topic: string): Record<string, string> {
  if (broker.clusterTopicConfigs) return broker.clusterTopicConfigs.overrides(topic);
  return { ...(adminLogManager(broker).getTopicMetadata(topic)?.configs ?? {}) };
}

/** Kafka defaults, then the broker's static and dynamic topic defaults. */
function brokerDefaultLogConfig(broker: BrokerContext): LogConfig {
  return mergeLogConfig(defaultLogConfig(), parseTopicConfigs(topicDefaults(brokerLayersOf(broker))));
}

/**
 * Persist a topic's new overrides; storage applies them to every partition log at once. In a
 * cluster they go to ZooKeeper, and every broker applies them on the change notification.
 */
export async function setTopicOverrides(broker: BrokerContext, topic: string, overrides: Readonly<Record<string, string>>): Promise<void> {
  if (!broker.metadata.topic(topic)) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  if (broker.clusterTopicConfigs) {
    await broker.clusterTopicConfigs.set(topic, { ...overrides });
    return;
  }
  adminLogManager(broker).updateTopicConfig(topic, { ...overrides });
}

/** Apply overrides that changed elsewhere (cluster mode) to this broker's logs of the topic, if it hosts any. */
export function applyTopicOverridesLocally(broker: BrokerContext, topic: string, overrides: Record<string, string>): void {
  if (![...broker.logManager.allLogs()].some((l) => l.topic === topic)) return;
  adminLogManager(broker).updateTopicConfig(topic, { ...overrides });
}

/**
 * Push the broker's current topic defaults (after a dynamic broker config change) to every
 * log, and to the log manager's default config so partitions created later start from them.
 */
export function applyTopicDefaults(broker: BrokerContext): void {
  // The log manager hands this same object to every log as its defaults, so updating it in
  // place and re-applying each log's overrides is what makes the change live.
  Object.assign(adminLogManager(broker).defaultConfig, brokerDefaultLogConfig(broker));
  for (const found of broker.logManager.allLogs()) {
    const log = adminLog(found);
    log.updateConfig(log.configOverrides);
  }
}

export function logDirs(broker: BrokerContext): readonly string[] {
  return adminLogManager(broker).logDirs;
}

/** Start a log-dir move (AlterReplicaLogDirs); throws KafkaError with Kafka's code. */
export function alterLogDir(broker: BrokerContext, topic: string, partition: number, logDir: string): void {
  adminLogManager(broker).alterLogDir(topic, partition, logDir);
}

/** Add a log dir to the data dir's engine (AlterReplicaLogDirs from its owner); throws KafkaError saying why not. */
export function attachLogDir(broker: BrokerContext, dir: string): void {
  adminLogManager(broker).attachLogDir(dir);
}

/** The future logs of partitions being moved between this broker's log dirs. */
export function futureLogs(broker: BrokerContext): ReturnType<AdminLogManager['futureLogs']> {
  return adminLogManager(broker).futureLogs();
}

/** The log dir of a partition, as the log manager placed it. */
export function logDirOf(broker: BrokerContext, log: BrokerPartitionLog): string | undefined {
  return adminLogManager(broker).logDirFor(log.topic, log.partition);
}
