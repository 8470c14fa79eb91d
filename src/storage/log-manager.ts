/**
 * The log manager (Kafka's LogManager): owns the log dirs (lock, meta.properties, the
 * offset checkpoints, the clean-shutdown marker), loads every partition at start with
 * recovery, creates and deletes logs, runs retention and delayed file deletion, and keeps
 * the topic metadata kts needs (Kafka keeps it in KRaft) in `kts-topics.json`.
 */
import { randomUUID } from 'node:crypto';
import { type Dirent, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { ErrorCode, KafkaError } from '../protocol/errors.js';
import { KtsError } from '../util/errors.js';
import { fsyncDir, readOffsetCheckpoint, topicPartitionKey, writeFileAtomic, writeOffsetCheckpoint } from './checkpoint.js';
import { fileCache } from './file-cache.js';
import { LogDirLock } from './log-dir-lock.js';
import { collectSyncs, syncAll } from './sync-group.js';
import { type LogConfig, defaultLogConfig, mergeLogConfig, parseTopicConfigs } from './log-config.js';
import { derivedTopicId, ensureMetaProperties, writeMetaPropertiesText } from './meta-properties.js';
import { attachProblem, checkAttachedLogDirPresent, checkNotAttachedElsewhere, markAttachedTo, readAttachedLogDirs, writeAttachedLogDirs } from './attached-log-dirs.js';
import { FutureLogCopy, listFutureDirs, MOVE_PROGRESS_FILE, moveCrashPoint } from './log-dir-move.js';
import { PartitionLog, type PartitionLogContext, parseTopicPartitionDir } from './partition-log.js';
import type { LogManagerOptions, TopicMetadata } from './types.js';

export const RECOVERY_POINT_CHECKPOINT = 'recovery-point-offset-checkpoint';
export const LOG_START_OFFSET_CHECKPOINT = 'log-start-offset-checkpoint';
export const REPLICATION_OFFSET_CHECKPOINT = 'replication-offset-checkpoint';
export const CLEANER_OFFSET_CHECKPOINT = 'cleaner-offset-checkpoint';
export const CLEAN_SHUTDOWN_FILE = '.kafka_cleanshutdown';
export const TOPICS_FILE = 'kts-topics.json';
const DEFAULT_PRODUCER_ID_EXPIRATION_MS = 86400000;

/** A partition being copied to another log dir of this broker, as DescribeLogDirs reports it. */
export interface FutureLogInfo {
  topic: string;
  partition: number;
  /** The log dir the partition moves to. */
  logDir: string;
  size: number;
  /** Current log end offset minus the future log's. */
  offsetLag: number;
}

/** Below this many bytes still to copy, a move finishes in the same step (a short synchronous copy). */
const MOVE_FINISH_BYTES = 1024 * 1024;

/** The entry's type from the listing; a file system that reports none (DT_UNKNOWN) gets a stat. */
function isDirectory(entry: Dirent, path: string): boolean {
  if (entry.isDirectory()) return true;
  return entry.isSymbolicLink() || (!entry.isFile() && !entry.isSocket() && !entry.isFIFO()) ? statSync(path).isDirectory() : false;
}

interface PendingDelete {
  path: string;
  deleteAtMs: number;
}

export class LogManager {
  private readonly logs = new Map<string, PartitionLog>();
  /** The same logs by topic: a Metadata request for one topic should not walk 10,000 partitions. */
  private readonly logsByTopic = new Map<string, Map<number, PartitionLog>>();
  private readonly logDirOf = new Map<string, string>();
  private readonly topics = new Map<string, TopicMetadata>();
  private readonly locks: LogDirLock[] = [];
  /** The `.lock` files are still to be taken, with the first write (LogManagerOptions.lockAtFirstWrite). */
  private locksDeferred = false;
  private pendingDeletes: PendingDelete[] = [];
  /** `-delete` dirs found at open (a previous process's): see beforeFirstWrite. */
  private readonly leftoverDeletes: string[] = [];
  private readonly moves = new Map<string, FutureLogCopy>();
  /** meta.properties texts completed at open and not written yet (log dir → text): see beforeFirstWrite. */
  private readonly pendingMetaProperties = new Map<string, string>();
  /** Told when a log-dir move starts (the broker's scheduler starts copying at once instead of at its next tick). */
  onLogDirMoveStarted: () => void = () => {};
  /** Told when a log-dir move swapped a partition's log for its copy: whoever holds the old (now closed) PartitionLog takes this one. */
  readonly logReplacedListeners: Array<(log: PartitionLog) => void> = [];
  /** Log dirs asked for partitions this broker does not host yet (Kafka's preferred log dirs). */
  private readonly preferredLogDirs = new Map<string, string>();
  /** Log start offsets and high watermarks read at load from every dir (a promoted future log's are in its old dir). */
  private readonly loadedOffsets = new Map<string, { logStartOffset: number; highWatermark: number }>();
  private closed = false;
  /**
   * Per log dir (in `logDirs` order): whether its clean-shutdown marker is on disk. Kafka
   * removes the marker when it opens a dir; kts removes it just before the first change to
   * a log (beforeFirstWrite), so a command that only reads leaves the dir as it was, and a
   * process killed while only reading leaves a marker that still tells the truth.
   */
  private readonly cleanShutdownMarked: boolean[] = [];
  /** Topics described from an old Kafka dir's partitions, not yet in kts-topics.json. */
  private topicsUnsaved = false;
  readonly defaultConfig: LogConfig;
  readonly logDirs: string[];
  /** Log dirs attached to the first one (kts-log-dirs.json; local mode's second disk), part of `logDirs`. */
  private readonly attachedLogDirs: string[];
  private readonly command: string;
  readonly nodeId: number;
  clusterId = '';
  /** directory.id of each log dir, in `logDirs` order. */
  readonly directoryIds: string[] = [];
  private readonly ctx: PartitionLogContext;
  private readonly nowMs: () => number;
  /** Messages about stale locks and recovered logs, for the broker's logger. */
  readonly notices: string[] = [];
  /** What a user must look at (data dropped by recovery): logged as WARN. */
  readonly warnings: string[] = [];

  private constructor(opts: LogManagerOptions) {
    this.logDirs = [...new Set(opts.logDirs.map((d) => resolve(d)))];
    checkNotAttachedElsewhere(this.logDirs[0]!, this.logDirs);
    // The first dir may have others attached (attached-log-dirs.ts): they are opened with it.
    this.attachedLogDirs = readAttachedLogDirs(this.logDirs[0]!);
    for (const dir of this.attachedLogDirs) {
      if (this.logDirs.includes(dir)) continue;
      checkAttachedLogDirPresent(this.logDirs[0]!, dir);
      this.logDirs.push(dir);
    }
    this.command = opts.command ?? process.argv.slice(1).join(' ');
    this.nodeId = opts.nodeId;
    this.nowMs = opts.nowMs ?? Date.now;
    this.defaultConfig = mergeLogConfig(defaultLogConfig(), opts.defaultConfig ?? {});
    this.ctx = {
      nowMs: this.nowMs,
      producerIdExpirationMs: opts.producerIdExpirationMs ?? DEFAULT_PRODUCER_ID_EXPIRATION_MS,
      scheduleDelete: (paths, delayMs) => this.scheduleDelete(paths, delayMs),
      highWatermarkFollowsLeo: opts.highWatermarkFollowsLeo ?? true,
      defaultConfig: this.defaultConfig,
      beforeWrite: () => this.beforeFirstWrite(),
    };
  }

  /** Lock the dirs, check meta.properties, load and recover every partition. */
  static open(opts: LogManagerOptions): LogManager {
    if (opts.logDirs.length === 0) throw new KtsError('KTS_NO_LOG_DIRS', 'no log dirs given');
    if (opts.openFilesMax !== undefined) fileCache.maxOpenFiles = opts.openFilesMax;
    const mgr = new LogManager(opts);
    try {
      mgr.openDirs(opts);
      for (const dir of mgr.logDirs) mgr.loadDir(dir);
      mgr.recoverFutureLogs();
    } catch (err) {
      mgr.releaseLocks();
      throw err;
    }
    return mgr;
  }

  private openDirs(opts: LogManagerOptions): void {
    let clusterId = opts.clusterId;
    this.locksDeferred = opts.lockAtFirstWrite === true;
    for (const dir of this.logDirs) {
      mkdirSync(dir, { recursive: true });
      if (!this.locksDeferred) this.locks.push(LogDirLock.acquire(dir, this.command, (m) => this.notices.push(m)));
      const meta = ensureMetaProperties(dir, this.nodeId, clusterId, { deferWrite: opts.writeMetaPropertiesAtOpen !== true });
      if (meta.pendingText !== undefined) this.pendingMetaProperties.set(dir, meta.pendingText);
      clusterId = meta.clusterId;
      this.directoryIds.push(meta.directoryId);
      // Read for every dir before any is loaded: loading one may write (recovery) and so
      // remove the markers of all.
      this.cleanShutdownMarked.push(existsSync(join(dir, CLEAN_SHUTDOWN_FILE)));
    }
    this.clusterId = clusterId!;
  }

  private loadDir(dir: string): void {
    const hadCleanShutdown = this.cleanShutdownMarked[this.logDirs.indexOf(dir)] === true;
    const recoveryPoints = readOffsetCheckpoint(join(dir, RECOVERY_POINT_CHECKPOINT));
    const logStarts = readOffsetCheckpoint(join(dir, LOG_START_OFFSET_CHECKPOINT));
    const highWatermarks = readOffsetCheckpoint(join(dir, REPLICATION_OFFSET_CHECKPOINT));
    const cleanerOffsets = readOffsetCheckpoint(join(dir, CLEANER_OFFSET_CHECKPOINT));
    for (const [key, e] of recoveryPoints) this.loadedOffsets.set(key, { logStartOffset: logStarts.get(key)?.offset ?? 0, highWatermark: highWatermarks.get(key)?.offset ?? e.offset });
    this.loadTopics(dir);
    // One merged config per topic, shared by its partitions (a log replaces its config, never
    // changes it): merging it again for each of 10,000 partitions cost CPU and heap at start.
    const configs = new Map<string, LogConfig>();
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const name = entry.name;
      const path = join(dir, name);
      if (name.endsWith('-delete')) {
        // A deleted partition or a moved partition's old copy: removed with the first write
        // (a command that only reads leaves the dir as it found it).
        this.leftoverDeletes.push(path);
        continue;
      }
      const tp = parseTopicPartitionDir(name);
      if (!tp || name.endsWith('-future') || name.endsWith('-stray') || !isDirectory(entry, path)) continue;
      const [topic, partition] = tp;
      const key = topicPartitionKey(topic, partition);
      const other = this.logDirOf.get(key);
      if (other !== undefined) {
        throw new KtsError('KTS_DUPLICATE_LOG_DIR', `Duplicate log directories for ${key} are found in both ${other} and ${dir}`, 'Keep the copy you trust and move the other one away, then start again.');
      }
      let config = configs.get(topic);
      if (config === undefined) configs.set(topic, (config = this.configFor(topic)));
      this.addLoadedLog(dir, path, topic, partition, config, {
        recoveryPoint: recoveryPoints.get(key)?.offset ?? 0,
        logStartOffset: logStarts.get(key)?.offset ?? 0,
        highWatermark: highWatermarks.get(key)?.offset ?? 0,
        hadCleanShutdown,
        cleanerOffset: cleanerOffsets.get(key)?.offset ?? 0,
      });
    }
    this.assignMissingTopicIds();
    this.checkpointDir(dir);
  }

  /**
   * The marker only vouches for the files as the shutdown that wrote it left them: it goes
   * (durably) before the first byte of a log changes, and close() writes it again.
   */
  private beforeFirstWrite(): void {
    this.takeDeferredLocks();
    this.writePendingMetaProperties();
    for (const path of this.leftoverDeletes.splice(0)) rmSync(path, { recursive: true, force: true });
    if (this.topicsUnsaved) this.saveTopics();
    this.logDirs.forEach((dir, i) => {
      if (!this.cleanShutdownMarked[i]) return;
      rmSync(join(dir, CLEAN_SHUTDOWN_FILE), { force: true });
      fsyncDir(dir);
      this.cleanShutdownMarked[i] = false;
    });
  }

  /** The `.lock` of every log dir, all or none (a refusal leaves nothing written). */
  private takeDeferredLocks(): void {
    if (!this.locksDeferred) return;
    const taken: LogDirLock[] = [];
    try {
      for (const dir of this.logDirs) taken.push(LogDirLock.acquire(dir, this.command, (m) => this.notices.push(m)));
    } catch (err) {
      for (const lock of taken) lock.release();
      throw err;
    }
    this.locks.push(...taken);
    this.locksDeferred = false;
  }

  private addLoadedLog(dir: string, path: string, topic: string, partition: number, config: LogConfig, opts: Parameters<typeof PartitionLog.load>[5]): PartitionLog {
    const key = topicPartitionKey(topic, partition);
    const log = PartitionLog.load(path, topic, partition, config, this.ctx, opts);
    log.configOverrides = { ...(this.topics.get(topic)?.configs ?? {}) };
    for (const d of log.recoveryDroppedTails) {
      const offsets = d.claimedLastOffset !== null ? `offsets ${d.fromOffset} to ${d.claimedLastOffset} (as the first dropped batch claims)` : `offsets from ${d.fromOffset}`;
      const kept = d.sideFile !== null ? `; the dropped bytes are kept in ${d.sideFile} (kts dump-log --files it)` : ' (all zeros)';
      this.warnings.push(`${key}: recovery dropped ${offsets}, ${d.bytes} bytes of an incomplete or corrupt tail${kept}`);
    }
    this.putLog(key, log, dir);
    return log;
  }

  private putLog(key: string, log: PartitionLog, dir: string): void {
    this.logs.set(key, log);
    this.logDirOf.set(key, dir);
    let byPartition = this.logsByTopic.get(log.topic);
    if (!byPartition) this.logsByTopic.set(log.topic, (byPartition = new Map()));
    byPartition.set(log.partition, log);
  }

  private dropLog(key: string, log: PartitionLog): void {
    this.logs.delete(key);
    this.logDirOf.delete(key);
    const byPartition = this.logsByTopic.get(log.topic);
    byPartition?.delete(log.partition);
    if (byPartition?.size === 0) this.logsByTopic.delete(log.topic);
  }

  /**
   * Future dirs left by an interrupted log-dir move (log-dir-move.ts): beside a live current
   * log the copy goes on from its progress record (or starts again without a usable one);
   * without one (the crash came after the old dir was renamed away) the complete future log
   * becomes the partition's log.
   */
  private recoverFutureLogs(dirs: readonly string[] = this.logDirs): void {
    for (const dir of dirs) {
      for (const f of listFutureDirs(dir)) {
        this.beforeFirstWrite();
        const key = topicPartitionKey(f.topic, f.partition);
        const path = join(dir, f.name);
        const current = this.logs.get(key);
        if (current !== undefined) {
          const resumed = this.logDirOf.get(key) !== dir && !this.moves.has(key) ? FutureLogCopy.resume(f.topic, f.partition, dir, path, current) : undefined;
          if (resumed !== undefined) {
            this.moves.set(key, resumed);
            this.notices.push(`${key}: resuming the move to ${dir} (${resumed.size} bytes copied before the stop or crash are kept)`);
            continue;
          }
          rmSync(path, { recursive: true, force: true });
          if (this.logDirOf.get(key) !== dir && !this.moves.has(key)) {
            this.moves.set(key, new FutureLogCopy(f.topic, f.partition, dir, current));
            this.notices.push(`${key}: resuming the move to ${dir} (the copy starts again)`);
          }
          continue;
        }
        const target = join(dir, `${f.topic}-${f.partition}`);
        renameSync(path, target);
        fsyncDir(dir);
        rmSync(join(target, MOVE_PROGRESS_FILE), { force: true });
        const saved = this.loadedOffsets.get(key);
        this.addLoadedLog(dir, target, f.topic, f.partition, this.configFor(f.topic), { recoveryPoint: 0, logStartOffset: saved?.logStartOffset ?? 0, highWatermark: saved?.highWatermark ?? 0, hadCleanShutdown: false, cleanerOffset: 0 });
        this.notices.push(`${key}: finished the interrupted move to ${dir}`);
        this.checkpointDir(dir);
      }
    }
  }

  /** Partitions of old Kafka dirs have no partition.metadata: one id per topic, kept in kts-topics.json too. */
  private assignMissingTopicIds(): void {
    for (const log of this.logs.values()) {
      if (log.topicId !== '') continue;
      const known = this.topics.get(log.topic)?.topicId
        ?? [...this.logs.values()].find((l) => l.topic === log.topic && l.topicId !== '')?.topicId
        // The same id at every open until it is written (with the first change to the dir).
        ?? derivedTopicId(log.topic);
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
    // Written with the first change to the dir (a Kafka dir opened only to read stays as it was).
    if (added) this.topicsUnsaved = true;
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

  /**
   * An old Kafka dir's meta.properties completed at open (a cluster id added) is written
   * with the first change, as the derived topic ids are: a command that only reads leaves it.
   */
  private writePendingMetaProperties(): void {
    for (const [dir, text] of this.pendingMetaProperties) writeMetaPropertiesText(dir, text);
    this.pendingMetaProperties.clear();
  }

  private saveTopics(): void {
    this.writePendingMetaProperties();
    this.topicsUnsaved = false;
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

  /** The logs of one topic's partitions this broker holds, in no particular order. */
  topicLogs(topic: string): Iterable<PartitionLog> {
    return this.logsByTopic.get(topic)?.values() ?? [];
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
    if (!meta || Object.keys(configOverrides).length > 0 || meta.partitionCount <= partition) {
      this.updateTopicForCreate(topic, topicId, partition, configOverrides);
    }
    return this.openNewLog(topic, partition, topicId, overrides);
  }

  private openNewLog(topic: string, partition: number, topicId: string, overrides: Partial<LogConfig>): PartitionLog {
    const key = topicPartitionKey(topic, partition);
    const dir = this.preferredLogDirs.get(key) ?? this.leastLoadedDir();
    this.preferredLogDirs.delete(key);
    const config = mergeLogConfig(this.configFor(topic), overrides);
    const log = PartitionLog.create(dir, topic, partition, topicId, config, this.ctx);
    log.configOverrides = { ...(this.topics.get(topic)?.configs ?? {}) };
    this.putLog(key, log, dir);
    return log;
  }

  /**
   * Create the logs of several partitions of one topic as one step: the topic metadata is
   * written once, the new files and directories are fsynced as one group (sync-group.ts),
   * and a creation that fails midway (disk full, out of descriptors) removes every
   * partition it created and restores the metadata before the error is rethrown.
   */
  async createLogs(topic: string, partitions: readonly number[], topicId: string, configOverrides: Record<string, string> = {}): Promise<PartitionLog[]> {
    this.ensureOpen();
    const overrides = parseTopicConfigs(configOverrides);
    for (const p of partitions) {
      const existing = this.logs.get(topicPartitionKey(topic, p));
      if (existing && existing.topicId !== topicId) throw new KafkaError(ErrorCode.INCONSISTENT_TOPIC_ID, `${topic}-${p} exists with topic id ${existing.topicId}, not ${topicId}`);
    }
    const metaBefore = this.topics.has(topic) ? structuredClone(this.topics.get(topic)!) : undefined;
    const logs: PartitionLog[] = [];
    const created: PartitionLog[] = [];
    try {
      const { paths } = collectSyncs(() => {
        this.updateTopicForCreate(topic, topicId, Math.max(...partitions), configOverrides);
        for (const p of partitions) {
          const existing = this.logs.get(topicPartitionKey(topic, p));
          const log = existing ?? this.openNewLog(topic, p, topicId, overrides);
          logs.push(log);
          if (!existing) created.push(log);
        }
      });
      // The new directories' entries too, so the partitions survive a power loss once acknowledged.
      const dirs = new Set(created.map((l) => dirname(l.dir)));
      await syncAll([...paths, ...created.map((l) => l.dir), ...dirs]);
    } catch (err) {
      this.removeCreated(created);
      if (metaBefore) this.topics.set(topic, metaBefore);
      else this.topics.delete(topic);
      this.saveTopics();
      throw err;
    }
    return logs;
  }

  private updateTopicForCreate(topic: string, topicId: string, lastPartition: number, configOverrides: Record<string, string>): void {
    const meta = this.topics.get(topic);
    if (!meta) {
      this.topics.set(topic, { topic, topicId, partitionCount: lastPartition + 1, replicaAssignment: [], configs: { ...configOverrides }, leaderEpochs: [] });
    } else {
      meta.configs = { ...meta.configs, ...configOverrides };
      meta.partitionCount = Math.max(meta.partitionCount, lastPartition + 1);
    }
    this.saveTopics();
  }

  /** Undo a partial creation: close the logs and remove their directories now (they never held data). */
  private removeCreated(logs: readonly PartitionLog[]): void {
    for (const log of logs) {
      const key = topicPartitionKey(log.topic, log.partition);
      try {
        log.closeForDelete();
      } catch {
        // The directory goes anyway; a descriptor that will not close is released at exit.
      }
      rmSync(log.dir, { recursive: true, force: true });
      this.dropLog(key, log);
    }
  }

  private leastLoadedDir(): string {
    if (this.logDirs.length === 1) return this.logDirs[0]!;
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
      this.removeLog(key, log);
      n++;
    }
    if (this.topics.delete(topic)) this.saveTopics();
    this.checkpoint();
    return n;
  }

  // ---- log-dir moves (AlterReplicaLogDirs) -----------------------------------------------

  /**
   * Add `dir` as one more log dir of this engine, recorded in the first dir
   * (kts-log-dirs.json) so that every later open sees it. Only for the data dir's owner (a
   * local-mode AlterReplicaLogDirs), never for a client over the network. The dir must be
   * missing, empty, or a log dir of this cluster and node (KafkaError: LOG_DIR_NOT_FOUND for
   * a path that cannot be a log dir, INCONSISTENT_CLUSTER_ID for another cluster's,
   * KAFKA_STORAGE_ERROR otherwise, each with a message saying why).
   */
  attachLogDir(dir: string): void {
    this.ensureOpen();
    const target = resolve(dir);
    if (isAbsolute(dir) && this.logDirs.includes(target)) return;
    const problem = attachProblem(dir, this.logDirs);
    if (problem !== undefined) throw new KafkaError(ErrorCode.LOG_DIR_NOT_FOUND, `Cannot add log dir ${dir} to ${this.logDirs[0]}: ${problem}`);
    // Attaching writes the data dir (kts-log-dirs.json): the write that takes its lock.
    this.takeDeferredLocks();
    mkdirSync(target, { recursive: true });
    let lock: LogDirLock;
    try {
      lock = LogDirLock.acquire(target, this.command, (m) => this.notices.push(m));
    } catch (err) {
      throw new KafkaError(ErrorCode.KAFKA_STORAGE_ERROR, `Cannot add log dir ${target}: ${err instanceof Error ? err.message : String(err)}`);
    }
    try {
      const meta = this.checkAttachable(target);
      this.locks.push(lock);
      this.logDirs.push(target);
      this.directoryIds.push(meta.directoryId);
      this.cleanShutdownMarked.push(existsSync(join(target, CLEAN_SHUTDOWN_FILE)));
      this.attachedLogDirs.push(target);
      markAttachedTo(target, this.logDirs[0]!);
      writeAttachedLogDirs(this.logDirs[0]!, this.attachedLogDirs);
      this.loadDir(target);
      this.recoverFutureLogs([target]);
      this.notices.push(`Added log dir ${target} to ${this.logDirs[0]} (recorded in kts-log-dirs.json)`);
    } catch (err) {
      if (!this.logDirs.includes(target)) lock.release();
      throw err;
    }
  }

  /** meta.properties of a dir being attached (created when missing): same cluster and node, no partition this engine holds already. */
  private checkAttachable(dir: string): ReturnType<typeof ensureMetaProperties> {
    let meta;
    try {
      meta = ensureMetaProperties(dir, this.nodeId, this.clusterId);
    } catch (err) {
      const code = err instanceof KtsError && err.code === 'KTS_CLUSTER_ID_MISMATCH' ? ErrorCode.INCONSISTENT_CLUSTER_ID : ErrorCode.KAFKA_STORAGE_ERROR;
      throw new KafkaError(code, `Cannot add log dir ${dir}: ${err instanceof Error ? err.message : String(err)}`);
    }
    for (const name of readdirSync(dir)) {
      const tp = parseTopicPartitionDir(name);
      if (!tp) continue;
      const held = this.logDirOf.get(topicPartitionKey(tp[0], tp[1]));
      if (held !== undefined) throw new KafkaError(ErrorCode.KAFKA_STORAGE_ERROR, `Cannot add log dir ${dir}: it holds ${name}, which ${held} holds too`);
    }
    return meta;
  }

  /**
   * Move a partition to `logDir`, one of this broker's log dirs. Nothing to do when it is
   * there already; a move to another dir in progress is replaced. For a partition this
   * broker does not host yet the dir is remembered for when it is created, and
   * REPLICA_NOT_AVAILABLE returned, as Kafka does.
   */
  alterLogDir(topic: string, partition: number, logDir: string): void {
    this.ensureOpen();
    // Kafka compares absolute paths: a relative one names no log dir.
    const target = isAbsolute(logDir) ? this.logDirs.find((d) => d === resolve(logDir)) : undefined;
    if (target === undefined) throw new KafkaError(ErrorCode.LOG_DIR_NOT_FOUND, `Log dir ${logDir} is not one of this broker's log dirs (${this.logDirs.join(', ')})`);
    const key = topicPartitionKey(topic, partition);
    const log = this.logs.get(key);
    if (log === undefined) {
      this.preferredLogDirs.set(key, target);
      throw new KafkaError(ErrorCode.REPLICA_NOT_AVAILABLE, `This broker has no replica of ${key}; it will be created in ${target}`);
    }
    const existing = this.moves.get(key);
    if (existing?.targetLogDir === target) return;
    this.cancelMove(key);
    if (this.logDirOf.get(key) === target) return;
    this.beforeFirstWrite();
    this.moves.set(key, new FutureLogCopy(topic, partition, target, log));
    this.onLogDirMoveStarted();
  }

  /** Stop moving a partition and remove its future log. */
  cancelMove(key: string): void {
    const move = this.moves.get(key);
    if (move === undefined) return;
    this.moves.delete(key);
    move.discard();
  }

  /** The partitions being moved between this broker's log dirs. */
  futureLogs(): FutureLogInfo[] {
    const out: FutureLogInfo[] = [];
    for (const [key, move] of this.moves) {
      const log = this.logs.get(key);
      if (log === undefined) continue;
      out.push({ topic: move.topic, partition: move.partition, logDir: move.targetLogDir, size: move.size, offsetLag: Math.max(0, log.logEndOffset - move.logEndOffset) });
    }
    return out;
  }

  /**
   * Copy up to `budgetBytes` into the future logs (shared between the moves), and swap in
   * those that caught up. Returns the bytes copied on this thread. With `offThread` (an
   * unthrottled move in a running broker), closed segments are copied whole on libuv's
   * threads instead, a move swaps once those copies are done, and `onOffThreadCopyDone` is
   * called after each such copy (to run the next step at once).
   */
  runLogDirMoves(budgetBytes: number = Number.MAX_SAFE_INTEGER, options: { offThread?: boolean; onOffThreadCopyDone?: () => void } = {}): number {
    this.ensureOpen();
    if (this.moves.size === 0) return 0;
    const share = Math.max(1, Math.floor(budgetBytes / this.moves.size));
    const offThread = options.offThread ?? false;
    let copied = 0;
    for (const [key, move] of [...this.moves]) {
      const log = this.logs.get(key);
      if (log === undefined) {
        this.cancelMove(key);
        continue;
      }
      moveCrashPoint('copying');
      if (offThread) move.startOffThreadCopies(log, options.onOffThreadCopyDone ?? (() => {}));
      copied += move.copyStep(log, share, offThread);
      if (move.copyingOffThread) continue;
      if (move.isCaughtUp(log) || log.size - move.size <= Math.min(MOVE_FINISH_BYTES, share)) this.completeMove(key, move, log);
    }
    return copied;
  }

  /**
   * Swap a caught-up future log in, with no append in between (all synchronous): finish the
   * copy and fsync it, close the current log and copy its indexes and snapshots (so the copy
   * opens as the closed original does, without a recovery pass), rename the current dir to
   * `-delete`, give the future dir the partition's name, load it, delete the old copy.
   */
  private completeMove(key: string, move: FutureLogCopy, current: PartitionLog): void {
    move.finish(current);
    moveCrashPoint('copied');
    const sourceDir = this.logDirOf.get(key)!;
    const saved = { logStartOffset: current.logStartOffset, highWatermark: current.highWatermark, leaderEpoch: current.leaderEpoch, configOverrides: current.configOverrides };
    current.close();
    move.copySideFiles(current.dir);
    const closed = { recoveryPoint: current.recoveryPoint, cleanerOffset: current.cleanerOffset };
    moveCrashPoint('current-closed');
    const deletePath = `${current.dir}.${randomUUID().replaceAll('-', '')}-delete`;
    renameSync(current.dir, deletePath);
    fsyncDir(sourceDir);
    moveCrashPoint('current-renamed');
    const target = join(move.targetLogDir, `${move.topic}-${move.partition}`);
    renameSync(move.path, target);
    fsyncDir(move.targetLogDir);
    rmSync(join(target, MOVE_PROGRESS_FILE), { force: true });
    moveCrashPoint('future-renamed');
    this.moves.delete(key);
    const log = this.addLoadedLog(move.targetLogDir, target, move.topic, move.partition, this.configFor(move.topic), { recoveryPoint: closed.recoveryPoint, logStartOffset: saved.logStartOffset, highWatermark: saved.highWatermark, hadCleanShutdown: true, cleanerOffset: closed.cleanerOffset });
    log.leaderEpoch = saved.leaderEpoch;
    log.configOverrides = saved.configOverrides;
    this.checkpointDir(sourceDir);
    this.checkpointDir(move.targetLogDir);
    moveCrashPoint('swapped');
    this.scheduleDelete([deletePath], current.config.fileDeleteDelayMs);
    this.notices.push(`${key}: moved from ${sourceDir} to ${move.targetLogDir}`);
    for (const listener of this.logReplacedListeners) listener(log);
  }

  /** Delete one partition's log (StopReplica with delete); the topic's metadata goes with its last partition. */
  deletePartition(topic: string, partition: number): boolean {
    this.ensureOpen();
    const key = topicPartitionKey(topic, partition);
    const log = this.logs.get(key);
    if (!log) return false;
    this.removeLog(key, log);
    if (![...this.logs.values()].some((l) => l.topic === topic) && this.topics.delete(topic)) this.saveTopics();
    this.checkpoint();
    return true;
  }

  private removeLog(key: string, log: PartitionLog): void {
    this.beforeFirstWrite();
    this.cancelMove(key);
    log.closeForDelete();
    const target = `${log.dir}.${randomUUID().replaceAll('-', '')}-delete`;
    renameSync(log.dir, target);
    log.dir = target;
    this.scheduleDelete([target], log.config.fileDeleteDelayMs);
    this.dropLog(key, log);
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

  /**
   * close(), with the fsyncs of every log (segments, indexes, producer snapshots) done as
   * one group instead of one after another: a broker with 10,000 partitions stops in
   * seconds. The clean-shutdown marker is written only after the group has completed.
   */
  async closeAsync(): Promise<void> {
    if (this.closed) return;
    this.abandonMoves();
    try {
      const { paths } = collectSyncs(() => {
        for (const log of this.logs.values()) log.close();
      });
      await syncAll(paths);
    } catch (err) {
      this.closed = true;
      this.releaseLocks();
      throw err;
    }
    this.close();
  }

  /** Flush and close every log, write checkpoints and the clean-shutdown marker, unlock. */
  close(): void {
    if (this.closed) return;
    try {
      this.abandonMoves();
      for (const log of this.logs.values()) log.close();
      // file.delete.delay.ms protects this process's readers of deleted files: none are left.
      this.deleteDueFiles(Number.POSITIVE_INFINITY);
      if (this.cleanShutdownMarked.some((marked) => !marked)) this.writePendingMetaProperties();
      if (this.topicsUnsaved && this.cleanShutdownMarked.some((marked) => !marked)) this.saveTopics();
      this.checkpoint();
      // Only a shutdown that flushed everything may vouch for the files; a marker still in
      // place (nothing was written) is left as it is.
      this.logDirs.forEach((dir, i) => {
        if (this.cleanShutdownMarked[i]) return;
        writeFileSync(join(dir, CLEAN_SHUTDOWN_FILE), JSON.stringify({ version: 0, brokerEpoch: -1 }));
        this.cleanShutdownMarked[i] = true;
      });
    } finally {
      this.closed = true;
      this.releaseLocks();
    }
  }

  /**
   * Moves in progress are not finished (a stop never waits for a large copy): what was
   * copied is made durable and recorded, and the next open goes on from there.
   */
  private abandonMoves(): void {
    for (const [key, move] of this.moves) {
      try {
        move.suspend();
      } catch (err) {
        // Not recorded: the next open copies this one again from the start.
        this.warnings.push(`${key}: could not record the progress of its log-dir move (${err instanceof Error ? err.message : String(err)}); it starts again at the next open`);
      }
    }
    this.moves.clear();
  }

  private releaseLocks(): void {
    for (const lock of this.locks.splice(0)) lock.release();
  }
}
