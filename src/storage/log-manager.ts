/**
 * The log manager (Kafka's LogManager): owns the log dirs (lock, meta.properties, the
 * offset checkpoints, the clean-shutdown marker), loads every partition at start with
 * recovery, creates and deletes logs, runs retention and delayed file deletion, and keeps
 * the topic metadata kts needs (Kafka keeps it in KRaft) in `kts-topics.json`.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ErrorCode, KafkaError } from '../protocol/errors.js';
import { KtsError } from '../util/errors.js';
import { readOffsetCheckpoint, topicPartitionKey, writeFileAtomic, writeOffsetCheckpoint } from './checkpoint.js';
import { LogDirLock } from './log-dir-lock.js';
import { type LogConfig, defaultLogConfig, mergeLogConfig, parseTopicConfigs } from './log-config.js';
import { ensureMetaProperties, randomKafkaUuid } from './meta-properties.js';
import { PartitionLog, type PartitionLogContext, parseTopicPartitionDir } from './partition-log.js';
import type { LogManagerOptions, TopicMetadata } from './types.js';

export const RECOVERY_POINT_CHECKPOINT = 'recovery-point-offset-checkpoint';
export const LOG_START_OFFSET_CHECKPOINT = 'log-start-offset-checkpoint';
export const REPLICATION_OFFSET_CHECKPOINT = 'replication-offset-checkpoint';
export const CLEANER_OFFSET_CHECKPOINT = 'cleaner-offset-checkpoint';
export const CLEAN_SHUTDOWN_FILE = '.kafka_cleanshutdown';
export const TOPICS_FILE = 'kts-topics.json';
const DEFAULT_PRODUCER_ID_EXPIRATION_MS = 86400000;

interface PendingDelete {
  path: string;
  deleteAtMs: number;
}

export class LogManager {
  private readonly logs = new Map<string, PartitionLog>();
  private readonly logDirOf = new Map<string, string>();
  private readonly topics = new Map<string, TopicMetadata>();
  private readonly locks: LogDirLock[] = [];
  private pendingDeletes: PendingDelete[] = [];
  private closed = false;
  readonly defaultConfig: LogConfig;
  readonly logDirs: string[];
  readonly nodeId: number;
  clusterId = '';
  /** directory.id of each log dir, in `logDirs` order. */
  readonly directoryIds: string[] = [];
  private readonly ctx: PartitionLogContext;
  private readonly nowMs: () => number;
  /** Messages about stale locks and recovered logs, for the broker's logger. */
  readonly notices: string[] = [];

  private constructor(opts: LogManagerOptions) {
    this.logDirs = opts.logDirs.map((d) => resolve(d));
    this.nodeId = opts.nodeId;
    this.nowMs = opts.nowMs ?? Date.now;
    this.defaultConfig = mergeLogConfig(defaultLogConfig(), opts.defaultConfig ?? {});
    this.ctx = {
      nowMs: this.nowMs,
      producerIdExpirationMs: opts.producerIdExpirationMs ?? DEFAULT_PRODUCER_ID_EXPIRATION_MS,
      scheduleDelete: (paths, delayMs) => this.scheduleDelete(paths, delayMs),
      highWatermarkFollowsLeo: opts.highWatermarkFollowsLeo ?? true,
      defaultConfig: this.defaultConfig,
    };
  }

  /** Lock the dirs, check meta.properties, load and recover every partition. */
  static open(opts: LogManagerOptions): LogManager {
    if (opts.logDirs.length === 0) throw new KtsError('KTS_NO_LOG_DIRS', 'no log dirs given');
    const mgr = new LogManager(opts);
    try {
      mgr.openDirs(opts);
      for (const dir of mgr.logDirs) mgr.loadDir(dir);
    } catch (err) {
      mgr.releaseLocks();
      throw err;
    }
    return mgr;
  }

  private openDirs(opts: LogManagerOptions): void {
    let clusterId = opts.clusterId;
    for (const dir of this.logDirs) {
      mkdirSync(dir, { recursive: true });
      this.locks.push(LogDirLock.acquire(dir, opts.command ?? process.argv.slice(1).join(' '), (m) => this.notices.push(m)));
      const meta = ensureMetaProperties(dir, this.nodeId, clusterId);
      clusterId = meta.clusterId;
      this.directoryIds.push(meta.directoryId);
    }
    this.clusterId = clusterId!;
  }

  private loadDir(dir: string): void {
    const hadCleanShutdown = existsSync(join(dir, CLEAN_SHUTDOWN_FILE));
    const recoveryPoints = readOffsetCheckpoint(join(dir, RECOVERY_POINT_CHECKPOINT));
    const logStarts = readOffsetCheckpoint(join(dir, LOG_START_OFFSET_CHECKPOINT));
    const highWatermarks = readOffsetCheckpoint(join(dir, REPLICATION_OFFSET_CHECKPOINT));
    const cleanerOffsets = readOffsetCheckpoint(join(dir, CLEANER_OFFSET_CHECKPOINT));
    this.loadTopics(dir);
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (name.endsWith('-delete')) {
        rmSync(path, { recursive: true, force: true });
        continue;
      }
      const tp = parseTopicPartitionDir(name);
      if (!tp || name.endsWith('-future') || name.endsWith('-stray') || !statSync(path).isDirectory()) continue;
      const [topic, partition] = tp;
      const key = topicPartitionKey(topic, partition);
      const log = PartitionLog.load(path, topic, partition, this.configFor(topic), this.ctx, {
        recoveryPoint: recoveryPoints.get(key)?.offset ?? 0,
        logStartOffset: logStarts.get(key)?.offset ?? 0,
        highWatermark: highWatermarks.get(key)?.offset ?? 0,
        hadCleanShutdown,
        cleanerOffset: cleanerOffsets.get(key)?.offset ?? 0,
      });
      log.configOverrides = { ...(this.topics.get(topic)?.configs ?? {}) };
      if (log.recoveryTruncatedBytes > 0) this.notices.push(`${key}: recovery truncated ${log.recoveryTruncatedBytes} bytes of an incomplete or corrupt tail`);
      this.logs.set(key, log);
      this.logDirOf.set(key, dir);
    }
    this.assignMissingTopicIds();
    // The marker only vouches for the shutdown that wrote it.
    rmSync(join(dir, CLEAN_SHUTDOWN_FILE), { force: true });
    this.checkpointDir(dir);
  }

  /** Partitions of old Kafka dirs have no partition.metadata: one id per topic, kept in kts-topics.json too. */
  private assignMissingTopicIds(): void {
    for (const log of this.logs.values()) {
      if (log.topicId !== '') continue;
      const known = this.topics.get(log.topic)?.topicId
        ?? [...this.logs.values()].find((l) => l.topic === log.topic && l.topicId !== '')?.topicId
        ?? randomKafkaUuid();
      log.assignTopicId(known);
      this.notices.push(`${log.topic}-${log.partition}: no partition.metadata; assigned topic id ${known}`);
    }
    this.describeUnknownTopics();
  }

  /** Topics found on disk without kts metadata (a dir Apache Kafka wrote) get it from their partitions. */
  private describeUnknownTopics(): void {
    let added = false;
    for (const log of this.logs.values()) {
      if (this.topics.has(log.topic)) continue;
      const parts = [...this.logs.values()].filter((l) => l.topic === log.topic);
      const count = Math.max(...parts.map((l) => l.partition)) + 1;
      const epochs = Array.from({ length: count }, (_, p) => parts.find((l) => l.partition === p)?.leaderEpoch ?? 0);
      this.topics.set(log.topic, { topic: log.topic, topicId: log.topicId, partitionCount: count, replicaAssignment: epochs.map(() => [this.nodeId]), configs: {}, leaderEpochs: epochs });
      added = true;
    }
    if (added) this.saveTopics();
  }

  private loadTopics(dir: string): void {
    const path = join(dir, TOPICS_FILE);
    if (!existsSync(path)) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(path, 'utf8'));
    } catch (err) {
      throw new KtsError('KTS_CORRUPT', `${path} is not valid JSON`, 'Restore it from a backup or remove it (topic configs and assignments will be lost).', { cause: err });
    }
    const list = (parsed as { topics?: TopicMetadata[] }).topics ?? [];
    for (const t of list) if (!this.topics.has(t.topic)) this.topics.set(t.topic, t);
  }

  private saveTopics(): void {
    const text = JSON.stringify({ version: 1, topics: [...this.topics.values()] }, null, 2);
    writeFileAtomic(join(this.logDirs[0]!, TOPICS_FILE), text);
  }

  private configFor(topic: string): LogConfig {
    const meta = this.topics.get(topic);
    return mergeLogConfig(this.defaultConfig, meta ? parseTopicConfigs(meta.configs) : {});
  }

  private ensureOpen(): void {
    if (this.closed) throw new KtsError('KTS_CLOSED', 'the log manager is closed');
  }

  // ---- logs --------------------------------------------------------------------------

  getLog(topic: string, partition: number): PartitionLog | undefined {
    return this.logs.get(topicPartitionKey(topic, partition));
  }

  allLogs(): PartitionLog[] {
    return [...this.logs.values()];
  }

  /** The log dir holding a partition. */
  logDirFor(topic: string, partition: number): string | undefined {
    return this.logDirOf.get(topicPartitionKey(topic, partition));
  }

  /**
   * Create the log of a partition (or return it if it exists with the same topic id).
   * `configOverrides` (Kafka names) are validated and stored with the topic metadata.
   */
  createLog(topic: string, partition: number, topicId: string, configOverrides: Record<string, string> = {}): PartitionLog {
    this.ensureOpen();
    const overrides = parseTopicConfigs(configOverrides);
    const key = topicPartitionKey(topic, partition);
    const existing = this.logs.get(key);
    if (existing) {
      if (existing.topicId !== topicId) throw new KafkaError(ErrorCode.INCONSISTENT_TOPIC_ID, `${key} exists with topic id ${existing.topicId}, not ${topicId}`);
      return existing;
    }
    const meta = this.topics.get(topic);
    if (!meta) {
      this.topics.set(topic, { topic, topicId, partitionCount: partition + 1, replicaAssignment: [], configs: { ...configOverrides }, leaderEpochs: [] });
      this.saveTopics();
    } else if (Object.keys(configOverrides).length > 0 || meta.partitionCount <= partition) {
      meta.configs = { ...meta.configs, ...configOverrides };
      meta.partitionCount = Math.max(meta.partitionCount, partition + 1);
      this.saveTopics();
    }
    const dir = this.leastLoadedDir();
    const config = mergeLogConfig(this.configFor(topic), overrides);
    const log = PartitionLog.create(dir, topic, partition, topicId, config, this.ctx);
    log.configOverrides = { ...(this.topics.get(topic)?.configs ?? configOverrides) };
    this.logs.set(key, log);
    this.logDirOf.set(key, dir);
    return log;
  }

  private leastLoadedDir(): string {
    const counts = new Map(this.logDirs.map((d) => [d, 0]));
    for (const d of this.logDirOf.values()) counts.set(d, (counts.get(d) ?? 0) + 1);
    return [...counts.entries()].sort((a, b) => a[1] - b[1])[0]![0];
  }

  /** Delete every partition of `topic`: directories renamed `<tp>.<uuid>-delete`, removed after file.delete.delay.ms. */
  deleteTopic(topic: string): number {
    this.ensureOpen();
    let n = 0;
    for (const [key, log] of [...this.logs]) {
      if (log.topic !== topic) continue;
      log.closeForDelete();
      const target = `${log.dir}.${randomUUID().replaceAll('-', '')}-delete`;
      renameSync(log.dir, target);
      log.dir = target;
      this.scheduleDelete([target], log.config.fileDeleteDelayMs);
      this.logs.delete(key);
      this.logDirOf.delete(key);
      n++;
    }
    if (this.topics.delete(topic)) this.saveTopics();
    this.checkpoint();
    return n;
  }

  // ---- topic metadata ----------------------------------------------------------------

  getTopicMetadata(topic: string): TopicMetadata | undefined {
    return this.topics.get(topic);
  }

  allTopicMetadata(): TopicMetadata[] {
    return [...this.topics.values()];
  }

  /** Store (replace) a topic's metadata; its configs are validated and applied to its open logs. */
  putTopicMetadata(meta: TopicMetadata): void {
    this.ensureOpen();
    parseTopicConfigs(meta.configs);
    this.topics.set(meta.topic, structuredClone(meta));
    this.saveTopics();
    this.applyConfig(meta.topic);
  }

  /** Replace a topic's config overrides (Kafka names), validated, applied live. */
  updateTopicConfig(topic: string, configs: Record<string, string>): void {
    this.ensureOpen();
    parseTopicConfigs(configs);
    const meta = this.topics.get(topic);
    if (!meta) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `unknown topic ${topic}`);
    meta.configs = { ...configs };
    this.saveTopics();
    this.applyConfig(topic);
  }

  private applyConfig(topic: string): void {
    const configs = this.topics.get(topic)?.configs ?? {};
    for (const log of this.logs.values()) if (log.topic === topic) log.updateConfig(configs);
  }

  /**
   * Change the broker-level topic defaults live (dynamic broker configs): `defaultConfig`
   * is updated in place (every log shares it) and each log re-applies its overrides.
   */
  updateDefaultConfig(defaults: Partial<LogConfig>): void {
    Object.assign(this.defaultConfig, mergeLogConfig(defaultLogConfig(), defaults));
    for (const log of this.logs.values()) if (!log.isClosed) log.updateConfig(log.configOverrides);
  }

  // ---- checkpoints, retention, shutdown ----------------------------------------------

  /** Write the recovery point, log start offset and high watermark checkpoints of every dir. */
  checkpoint(): void {
    this.ensureOpen();
    for (const dir of this.logDirs) this.checkpointDir(dir);
  }

  private checkpointDir(dir: string): void {
    const logs = [...this.logs.entries()].filter(([key]) => this.logDirOf.get(key) === dir).map(([, log]) => log);
    writeOffsetCheckpoint(join(dir, RECOVERY_POINT_CHECKPOINT), logs.map((l) => ({ topic: l.topic, partition: l.partition, offset: l.recoveryPoint })));
    // As Kafka: only logs whose start offset is inside their first segment (DeleteRecords).
    writeOffsetCheckpoint(join(dir, LOG_START_OFFSET_CHECKPOINT), logs.filter((l) => l.logStartOffset > l.firstSegmentBaseOffset).map((l) => ({ topic: l.topic, partition: l.partition, offset: l.logStartOffset })));
    writeOffsetCheckpoint(join(dir, REPLICATION_OFFSET_CHECKPOINT), logs.map((l) => ({ topic: l.topic, partition: l.partition, offset: l.highWatermark })));
    const cleaned = logs.filter((l) => l.cleanerOffset > 0);
    if (cleaned.length > 0 || existsSync(join(dir, CLEANER_OFFSET_CHECKPOINT))) {
      writeOffsetCheckpoint(join(dir, CLEANER_OFFSET_CHECKPOINT), cleaned.map((l) => ({ topic: l.topic, partition: l.partition, offset: l.cleanerOffset })));
    }
  }

  /**
   * One pass of the broker's periodic work: retention (time, size, log start offset),
   * producer id expiry, flush.ms, removal of `.deleted` files that are due. Compaction is
   * the background LogCleaner's (cleaner/cleaner.ts).
   * Returns the number of segments deleted.
   */
  runRetention(nowMs: number = this.nowMs()): number {
    this.ensureOpen();
    let deleted = 0;
    for (const log of this.logs.values()) {
      deleted += log.deleteOldSegments(nowMs);
      log.removeExpiredProducers(nowMs);
      log.flushIfDue(nowMs);
    }
    this.deleteDueFiles(nowMs);
    if (deleted > 0) this.checkpoint();
    return deleted;
  }

  private scheduleDelete(paths: string[], delayMs: number): void {
    const deleteAtMs = this.nowMs() + delayMs;
    for (const path of paths) this.pendingDeletes.push({ path, deleteAtMs });
    if (delayMs <= 0) this.deleteDueFiles(deleteAtMs);
  }

  private deleteDueFiles(nowMs: number): void {
    const due = this.pendingDeletes.filter((p) => p.deleteAtMs <= nowMs);
    this.pendingDeletes = this.pendingDeletes.filter((p) => p.deleteAtMs > nowMs);
    for (const p of due) rmSync(p.path, { recursive: true, force: true });
  }

  /** Flush every log (fsync) and advance recovery points. */
  flushAll(): void {
    for (const log of this.logs.values()) log.flush();
  }

  /** Flush and close every log, write checkpoints and the clean-shutdown marker, unlock. */
  close(): void {
    if (this.closed) return;
    try {
      for (const log of this.logs.values()) log.close();
      this.checkpoint();
      // Only a shutdown that flushed everything may vouch for the files.
      for (const dir of this.logDirs) writeFileSync(join(dir, CLEAN_SHUTDOWN_FILE), JSON.stringify({ version: 0, brokerEpoch: -1 }));
    } finally {
      this.closed = true;
      this.releaseLocks();
    }
  }

  private releaseLocks(): void {
    for (const lock of this.locks.splice(0)) lock.release();
  }
}
