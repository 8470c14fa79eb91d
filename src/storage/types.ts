/**
 * The storage engine's public types: what the broker passes to and gets back from a
 * PartitionLog and the LogManager.
 */
import type { LogConfig } from './log-config.js';

/** Result of appending one produce request's records to a partition. */
export interface AppendResult {
  /** Offset of the first record written (or of the original write, for a duplicate). */
  baseOffset: number;
  lastOffset: number;
  /** The broker timestamp stamped into the batches, or -1 for CreateTime topics. */
  logAppendTimeMs: number;
  logStartOffset: number;
  /** Number of record batches written (0 for a duplicate). */
  batchCount: number;
  /** True when every batch was a duplicate of a recent idempotent batch and nothing was written. */
  duplicate: boolean;
}

export interface ReadOptions {
  /** Exclusive upper bound: batches starting at or after it are not returned (HW or LSO). */
  maxOffset?: number;
  /** Return the first batch even if it is larger than maxBytes (Kafka fetch v3+). */
  minOneMessage?: boolean;
  /**
   * readAsync() reads on the event loop instead of the thread pool: for bytes just written
   * and still in the page cache (the unreplicated tail a follower asks for), where the pool's
   * two wake-ups would cost every replication round trip.
   */
  onEventLoop?: boolean;
}

export interface ReadResult {
  /** Whole batches as stored (file bytes, not re-encoded). Empty when nothing to return. */
  records: Buffer;
  /** The offset the read was asked for. */
  fetchOffset: number;
  highWatermark: number;
  lastStableOffset: number;
  logStartOffset: number;
  logEndOffset: number;
}

/** What ListOffsets needs for one timestamp query. */
export interface TimestampOffset {
  timestampMs: number;
  offset: number;
  /** Leader epoch of the batch holding `offset`, or -1 when unknown. */
  leaderEpoch: number;
}

export interface EpochEndOffset {
  /** The largest epoch <= the requested one, or -1 if none. */
  leaderEpoch: number;
  /** Start offset of the next larger epoch, or the LEO for the latest epoch; -1 if unknown. */
  endOffset: number;
}

/** Per-topic metadata kts persists in the log dir (Kafka keeps it in the KRaft metadata log). */
export interface TopicMetadata {
  topic: string;
  topicId: string;
  partitionCount: number;
  /** Replica node ids per partition (index = partition). */
  replicaAssignment: number[][];
  /** Topic config overrides by Kafka name (`retention.ms`), as given. */
  configs: Record<string, string>;
  /** Leader epoch per partition (index = partition). */
  leaderEpochs: number[];
}

export interface LogManagerOptions {
  logDirs: string[];
  nodeId: number;
  /** Expected cluster id; when absent, the one in meta.properties (or a new one) is used. */
  clusterId?: string;
  /**
   * Write a meta.properties completed at open (an old Kafka dir without cluster.id) at once,
   * as a Kafka broker does (cluster mode); by default it is written with the first change.
   */
  writeMetaPropertiesAtOpen?: boolean;
  /** Broker-level defaults for topic configs. */
  defaultConfig?: Partial<LogConfig>;
  /** `producer.id.expiration.ms` (default 1 day). */
  producerIdExpirationMs?: number;
  /** Command line recorded in the lock file so a second process can say who holds the dir. */
  command?: string;
  /**
   * Take the log dirs' `.lock` files with the first write instead of at open, so a process
   * that only reads creates no entry in them. Only for a caller that already excludes every
   * other process from these dirs (local mode's abstract sockets on Linux, net/local-socket.ts).
   */
  lockAtFirstWrite?: boolean;
  /**
   * On one node the high watermark follows the log end offset after every append and is
   * the LEO after a restart (default true). With replication the broker sets it instead.
   */
  highWatermarkFollowsLeo?: boolean;
  /** Clock, for tests. */
  nowMs?: () => number;
  /**
   * `log.open.files.max`: segment and index descriptors the process keeps open at most
   * (the bounded descriptor cache, file-cache.ts; process-wide). Default: from `ulimit -n`.
   */
  openFilesMax?: number;
}
