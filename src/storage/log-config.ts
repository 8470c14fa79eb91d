/**
 * Topic configs: the table of every topic-level config Apache Kafka 4.x has (name, type,
 * default, valid values, broker-level synonym), the camelCase `LogConfig` the log engine
 * reads, and `parseTopicConfigs` which validates overrides the way Kafka's ConfigDef does
 * (errors become KafkaError(INVALID_CONFIG)).
 */
import { closest } from '../util/closest.js';
import { ErrorCode, KafkaError } from '../protocol/errors.js';

export type ConfigType = 'int' | 'long' | 'double' | 'boolean' | 'string' | 'list' | 'class';

/** Java's Long.MAX_VALUE as Kafka prints it; inside kts it becomes Number.MAX_SAFE_INTEGER. */
export const LONG_MAX_TEXT = '9223372036854775807';
const INT_MAX = 2147483647;

export interface TopicConfigDef {
  /** Kafka's topic config name, e.g. `retention.ms`. */
  name: string;
  type: ConfigType;
  /** Default as Kafka prints it in DescribeConfigs (null when Kafka has no default). */
  defaultValue: string | null;
  /** Broker config whose value is the default for this topic config, e.g. `log.retention.ms`. */
  brokerSynonym: string | null;
  /** Inclusive numeric range. */
  min?: number;
  max?: number;
  /** Allowed values for strings, or for each element of a list. */
  validValues?: readonly string[];
  /** Applies only when the log cleaner or remote storage runs (kts stores the value and reports it). */
  doc: string;
}

const def = (d: TopicConfigDef): TopicConfigDef => d;

/** Every topic config of Apache Kafka 4.x (TopicConfig.java / LogConfig.java), alphabetical. */
export const TOPIC_CONFIGS: readonly TopicConfigDef[] = [
  def({ name: 'cleanup.policy', type: 'list', defaultValue: 'delete', brokerSynonym: 'log.cleanup.policy', validValues: ['compact', 'delete'], doc: 'Retention policy for old segments: delete, compact, or both.' }),
  def({ name: 'compression.gzip.level', type: 'int', defaultValue: '-1', brokerSynonym: 'compression.gzip.level', min: -1, max: 9, doc: 'Gzip level when compression.type=gzip.' }),
  def({ name: 'compression.lz4.level', type: 'int', defaultValue: '9', brokerSynonym: 'compression.lz4.level', min: 1, max: 17, doc: 'LZ4 level when compression.type=lz4.' }),
  def({ name: 'compression.type', type: 'string', defaultValue: 'producer', brokerSynonym: 'compression.type', validValues: ['uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer'], doc: 'Final compression of the topic; producer keeps what the producer sent.' }),
  def({ name: 'compression.zstd.level', type: 'int', defaultValue: '3', brokerSynonym: 'compression.zstd.level', min: -131072, max: 22, doc: 'Zstd level when compression.type=zstd.' }),
  def({ name: 'delete.retention.ms', type: 'long', defaultValue: '86400000', brokerSynonym: 'log.cleaner.delete.retention.ms', min: 0, doc: 'How long delete tombstones are kept on compacted topics.' }),
  def({ name: 'file.delete.delay.ms', type: 'long', defaultValue: '60000', brokerSynonym: 'log.segment.delete.delay.ms', min: 0, doc: 'Delay before a .deleted segment is removed from disk.' }),
  def({ name: 'flush.messages', type: 'long', defaultValue: LONG_MAX_TEXT, brokerSynonym: 'log.flush.interval.messages', min: 1, doc: 'Force an fsync after this many messages.' }),
  def({ name: 'flush.ms', type: 'long', defaultValue: LONG_MAX_TEXT, brokerSynonym: 'log.flush.interval.ms', min: 0, doc: 'Force an fsync after this much time.' }),
  def({ name: 'follower.replication.throttled.replicas', type: 'list', defaultValue: '', brokerSynonym: null, doc: 'Replicas throttled on the follower side (partition:broker list or *).' }),
  def({ name: 'index.interval.bytes', type: 'int', defaultValue: '4096', brokerSynonym: 'log.index.interval.bytes', min: 0, doc: 'Bytes between offset index entries.' }),
  def({ name: 'leader.replication.throttled.replicas', type: 'list', defaultValue: '', brokerSynonym: null, doc: 'Replicas throttled on the leader side (partition:broker list or *).' }),
  def({ name: 'local.retention.bytes', type: 'long', defaultValue: '-2', brokerSynonym: 'log.local.retention.bytes', min: -2, doc: 'Local retention bytes with tiered storage (-2: use retention.bytes).' }),
  def({ name: 'local.retention.ms', type: 'long', defaultValue: '-2', brokerSynonym: 'log.local.retention.ms', min: -2, doc: 'Local retention time with tiered storage (-2: use retention.ms).' }),
  def({ name: 'max.compaction.lag.ms', type: 'long', defaultValue: LONG_MAX_TEXT, brokerSynonym: 'log.cleaner.max.compaction.lag.ms', min: 1, doc: 'Longest time a message stays uncompacted.' }),
  def({ name: 'max.message.bytes', type: 'int', defaultValue: '1048588', brokerSynonym: 'message.max.bytes', min: 0, doc: 'Largest record batch size allowed.' }),
  def({ name: 'message.timestamp.after.max.ms', type: 'long', defaultValue: '3600000', brokerSynonym: 'log.message.timestamp.after.max.ms', min: 0, doc: 'How far in the future a CreateTime timestamp may be.' }),
  def({ name: 'message.timestamp.before.max.ms', type: 'long', defaultValue: LONG_MAX_TEXT, brokerSynonym: 'log.message.timestamp.before.max.ms', min: 0, doc: 'How far in the past a CreateTime timestamp may be.' }),
  def({ name: 'message.timestamp.type', type: 'string', defaultValue: 'CreateTime', brokerSynonym: 'log.message.timestamp.type', validValues: ['CreateTime', 'LogAppendTime'], doc: 'Whether record timestamps are the producer\'s or the broker\'s append time.' }),
  def({ name: 'min.cleanable.dirty.ratio', type: 'double', defaultValue: '0.5', brokerSynonym: 'log.cleaner.min.cleanable.ratio', min: 0, max: 1, doc: 'Dirty ratio that makes a compacted log eligible for cleaning.' }),
  def({ name: 'min.compaction.lag.ms', type: 'long', defaultValue: '0', brokerSynonym: 'log.cleaner.min.compaction.lag.ms', min: 0, doc: 'Shortest time a message stays uncompacted.' }),
  def({ name: 'min.insync.replicas', type: 'int', defaultValue: '1', brokerSynonym: 'min.insync.replicas', min: 1, doc: 'Replicas that must acknowledge an acks=all write.' }),
  def({ name: 'preallocate', type: 'boolean', defaultValue: 'false', brokerSynonym: 'log.preallocate', doc: 'Preallocate segment files on roll.' }),
  def({ name: 'remote.log.copy.disable', type: 'boolean', defaultValue: 'false', brokerSynonym: null, doc: 'Stop copying segments to tiered storage.' }),
  def({ name: 'remote.log.delete.on.disable', type: 'boolean', defaultValue: 'false', brokerSynonym: null, doc: 'Delete tiered data when tiering is disabled.' }),
  def({ name: 'remote.storage.enable', type: 'boolean', defaultValue: 'false', brokerSynonym: null, doc: 'Tiered storage for this topic.' }),
  def({ name: 'retention.bytes', type: 'long', defaultValue: '-1', brokerSynonym: 'log.retention.bytes', min: -1, doc: 'Largest partition size before old segments are deleted (-1: no limit).' }),
  def({ name: 'retention.ms', type: 'long', defaultValue: '604800000', brokerSynonym: 'log.retention.ms', min: -1, doc: 'Longest time a segment is kept (-1: forever).' }),
  def({ name: 'segment.bytes', type: 'int', defaultValue: '1073741824', brokerSynonym: 'log.segment.bytes', min: 14, doc: 'Segment file size before a roll.' }),
  def({ name: 'segment.index.bytes', type: 'int', defaultValue: '10485760', brokerSynonym: 'log.index.size.max.bytes', min: 4, doc: 'Size of the preallocated offset and time index files.' }),
  def({ name: 'segment.jitter.ms', type: 'long', defaultValue: '0', brokerSynonym: 'log.roll.jitter.ms', min: 0, doc: 'Random jitter subtracted from segment.ms.' }),
  def({ name: 'segment.ms', type: 'long', defaultValue: '604800000', brokerSynonym: 'log.roll.ms', min: 1, doc: 'Time before a segment rolls even if not full.' }),
  def({ name: 'unclean.leader.election.enable', type: 'boolean', defaultValue: 'false', brokerSynonym: 'unclean.leader.election.enable', doc: 'Allow out-of-sync replicas to become leader.' }),
];

const BY_NAME = new Map(TOPIC_CONFIGS.map((d) => [d.name, d]));

/** Kafka's message for an unknown topic config, with the nearest known name when it looks like a typo. */
export function unknownTopicConfig(name: string): string {
  const near = closest(name, BY_NAME.keys());
  return `Unknown topic config name: ${name}${near ? `. Did you mean '${near}'?` : ''}`;
}

export function topicConfigDef(name: string): TopicConfigDef | undefined {
  return BY_NAME.get(name);
}

export type CleanupPolicy = 'compact' | 'delete';
export type MessageTimestampType = 'CreateTime' | 'LogAppendTime';

/** The effective config of one log, in camelCase of Kafka's names. Long.MAX_VALUE is Number.MAX_SAFE_INTEGER. */
export interface LogConfig {
  cleanupPolicy: CleanupPolicy[];
  compressionGzipLevel: number;
  compressionLz4Level: number;
  compressionType: string;
  compressionZstdLevel: number;
  deleteRetentionMs: number;
  fileDeleteDelayMs: number;
  flushMessages: number;
  flushMs: number;
  followerReplicationThrottledReplicas: string[];
  indexIntervalBytes: number;
  leaderReplicationThrottledReplicas: string[];
  localRetentionBytes: number;
  localRetentionMs: number;
  maxCompactionLagMs: number;
  maxMessageBytes: number;
  messageTimestampAfterMaxMs: number;
  messageTimestampBeforeMaxMs: number;
  messageTimestampType: MessageTimestampType;
  minCleanableDirtyRatio: number;
  minCompactionLagMs: number;
  minInsyncReplicas: number;
  preallocate: boolean;
  remoteLogCopyDisable: boolean;
  remoteLogDeleteOnDisable: boolean;
  remoteStorageEnable: boolean;
  retentionBytes: number;
  retentionMs: number;
  segmentBytes: number;
  segmentIndexBytes: number;
  segmentJitterMs: number;
  segmentMs: number;
  uncleanLeaderElectionEnable: boolean;
}

/** `retention.ms` → `retentionMs`. */
export function camelCaseName(name: string): keyof LogConfig {
  return name.replace(/\.([a-z])/g, (_m, c: string) => c.toUpperCase()) as keyof LogConfig;
}

function invalid(name: string, value: string, why: string): KafkaError {
  return new KafkaError(ErrorCode.INVALID_CONFIG, `Invalid value ${value} for configuration ${name}: ${why}`);
}

/** Parse one value as Kafka's ConfigDef would, checking type, range and valid values. */
export function parseConfigValue(d: TopicConfigDef, raw: string): number | boolean | string | string[] {
  const value = raw.trim();
  switch (d.type) {
    case 'int':
    case 'long': {
      if (!/^-?\d+$/.test(value)) throw invalid(d.name, raw, `Not a number of type ${d.type.toUpperCase()}`);
      const big = BigInt(value);
      const limit = d.type === 'int' ? BigInt(INT_MAX) : 9223372036854775807n;
      if (big > limit || big < -limit - 1n) throw invalid(d.name, raw, `Not a number of type ${d.type.toUpperCase()}`);
      const n = big > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(big);
      checkRange(d, raw, n);
      return n;
    }
    case 'double': {
      const n = Number(value);
      if (value === '' || !Number.isFinite(n)) throw invalid(d.name, raw, 'Not a number of type DOUBLE');
      checkRange(d, raw, n);
      return n;
    }
    case 'boolean': {
      const lower = value.toLowerCase();
      if (lower !== 'true' && lower !== 'false') throw invalid(d.name, raw, 'Expected value to be either true or false');
      return lower === 'true';
    }
    case 'list': {
      const items = value === '' ? [] : value.split(',').map((s) => s.trim());
      if (d.validValues) {
        for (const item of items) {
          if (!d.validValues.includes(item)) throw invalid(d.name, raw, `String must be one of: ${d.validValues.join(', ')}`);
        }
      }
      return items;
    }
    default: {
      if (d.validValues && !d.validValues.includes(value)) {
        throw invalid(d.name, raw, `String must be one of: ${d.validValues.join(', ')}`);
      }
      return value;
    }
  }
}

function checkRange(d: TopicConfigDef, raw: string, n: number): void {
  if (d.min !== undefined && n < d.min) throw invalid(d.name, raw, `Value must be at least ${d.min}`);
  if (d.max !== undefined && n > d.max) throw invalid(d.name, raw, `Value must be no more than ${d.max}`);
}

/** Kafka's defaults for every topic config. */
export function defaultLogConfig(): LogConfig {
  const out: Record<string, unknown> = {};
  for (const d of TOPIC_CONFIGS) out[camelCaseName(d.name)] = parseConfigValue(d, d.defaultValue ?? '');
  return out as unknown as LogConfig;
}

/**
 * Validate topic config overrides (Kafka names → string values). Unknown names and bad
 * values throw KafkaError(INVALID_CONFIG). Returns the typed overrides in camelCase.
 */
export function parseTopicConfigs(map: Readonly<Record<string, string>> | ReadonlyMap<string, string>): Partial<LogConfig> {
  const entries = map instanceof Map ? [...map.entries()] : Object.entries(map as Record<string, string>);
  const out: Record<string, unknown> = {};
  for (const [name, value] of entries) {
    const d = BY_NAME.get(name);
    if (!d) throw new KafkaError(ErrorCode.INVALID_CONFIG, unknownTopicConfig(name));
    out[camelCaseName(name)] = parseConfigValue(d, value);
  }
  return out as Partial<LogConfig>;
}

/** Effective config: defaults (or the broker's defaults), then the topic's overrides. */
export function mergeLogConfig(base: LogConfig, overrides: Partial<LogConfig>): LogConfig {
  return { ...base, ...overrides };
}

/** The value of a config as Kafka prints it (DescribeConfigs, `kafka-configs --describe`). */
export function formatConfigValue(config: LogConfig, name: string): string | null {
  const d = BY_NAME.get(name);
  if (!d) return null;
  const v = config[camelCaseName(name)];
  if (Array.isArray(v)) return v.join(',');
  if (typeof v === 'number' && v === Number.MAX_SAFE_INTEGER && d.type === 'long') return LONG_MAX_TEXT;
  return String(v);
}
