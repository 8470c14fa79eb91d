/**
 * The group coordinator's persistence: committed offsets and group metadata are records of
 * the compacted internal topic `__consumer_offsets` (Kafka's schemas, so Kafka's tools and
 * `kts dump-log --offsets-decoder` read them). The topic is created on first use with
 * `offsets.topic.num.partitions` partitions (and `offsets.topic.replication.factor`
 * replicas in cluster mode); a group lives on partition abs(hashCode(groupId)) % N. The
 * coordinator replays a partition from its log start offset to the high watermark when it
 * starts leading it; the last record per key wins, a null value deletes. Appends go
 * through one queue so the log order is the order the coordinator decided, and count once
 * the ISR has them.
 * Offsets of a transaction (TxnOffsetCommit) are written as a transactional batch of the
 * producer and count only once the COMMIT marker for that producer follows them on the
 * partition (dropped on ABORT); replay leaves offsets with no marker yet pending.
 */
import { encodeRecordBatch, type RecordInput } from '../../records/record-batch.js';
import {
  decodeConsumerOffsetsKey,
  decodeGroupMetadataValue,
  decodeOffsetCommitValue,
  encodeGroupMetadataKey,
  encodeGroupMetadataValue,
  encodeOffsetCommitKey,
  encodeOffsetCommitValue,
  consumerOffsetsValueVersions,
  offsetsPartitionFor,
  type ConsumerOffsetsValueVersions,
  type GroupMetadataValue,
  type OffsetCommitValue,
} from '../../protocol/internal/consumer-offsets.js';
import { parseIbp } from '../../protocol/inter-broker-protocol.js';
import { ErrorCode, KafkaError, errorName } from '../../protocol/errors.js';
import { errorMessage } from '../../util/errors.js';
import { appendReplicated, coordinatorErrorOf, ensureInternalTopic } from '../coordinator-partitions.js';
import type { BrokerContext } from '../handler.js';
import { replayPartition } from '../internal-log-replay.js';

export const OFFSETS_TOPIC = '__consumer_offsets';

/** One committed offset as the coordinator keeps it. */
export interface CommittedOffset {
  offset: number;
  leaderEpoch: number;
  metadata: string;
  commitTimestampMs: number;
}

/** A change to write: an offset commit (value null = delete) or group metadata (null = group removed). */
export type StoreRecord =
  | { kind: 'offset'; group: string; topic: string; partition: number; value: CommittedOffset | null }
  | { kind: 'group'; group: string; value: GroupMetadataValue | null };

/** What replaying the topic found, per group. */
export interface LoadedGroup {
  metadata: GroupMetadataValue | null;
  offsets: Map<string, Map<number, CommittedOffset>>;
}

/** An offset of a transaction not yet committed or aborted. */
export interface PendingTxnOffset {
  group: string;
  topic: string;
  partition: number;
  value: CommittedOffset;
}

/** The producer a transactional write belongs to. */
export interface TxnProducer {
  producerId: number;
  producerEpoch: number;
}

/** Replay result: groups, and per producer id the offsets still waiting for a marker. */
export interface LoadedOffsets {
  groups: Map<string, LoadedGroup>;
  pending: Map<number, PendingTxnOffset[]>;
}

export class OffsetsStore {
  private queue: Promise<unknown> = Promise.resolve();
  /** Partition count of the existing topic (it never changes once created); undefined until seen. */
  private knownPartitionCount: number | undefined;

  /** What brokers of `inter.broker.protocol.version` can load (Kafka 1.1: v1 values). */
  private readonly valueVersions: ConsumerOffsetsValueVersions;

  constructor(private readonly broker: BrokerContext) {
    const ibp = broker.config.raw['inter.broker.protocol.version']?.trim();
    this.valueVersions = consumerOffsetsValueVersions(ibp ? parseIbp(ibp) : undefined);
  }

  get partitionCount(): number {
    if (this.knownPartitionCount !== undefined) return this.knownPartitionCount;
    const topic = this.broker.metadata.topic(OFFSETS_TOPIC);
    if (topic) this.knownPartitionCount = topic.partitions.length;
    return topic ? topic.partitions.length : this.broker.config.offsetsTopicNumPartitions;
  }

  partitionFor(groupId: string): number {
    return offsetsPartitionFor(groupId, this.partitionCount);
  }

  /** Creates `__consumer_offsets` (compacted) when it does not exist yet. */
  ensureTopic(): Promise<void> {
    const config = this.broker.config;
    return ensureInternalTopic(this.broker, {
      name: OFFSETS_TOPIC,
      numPartitions: config.offsetsTopicNumPartitions,
      replicationFactor: config.offsetsTopicReplicationFactor,
      configs: { 'cleanup.policy': 'compact', 'compression.type': 'producer', 'segment.bytes': '104857600' },
    });
  }

  /**
   * Appends the records of one group to its partition as its leader, in the order of the
   * calls; resolves once the ISR has them (acks=all), or rejects with a KafkaError the
   * client understands (NOT_COORDINATOR when leadership moved, COORDINATOR_NOT_AVAILABLE
   * when the ISR is too small or too slow). With `txn` they form a transactional batch of
   * that producer (a coordinator-origin append: no sequence number, as Kafka writes
   * TxnOffsetCommit records).
   */
  write(groupId: string, records: readonly StoreRecord[], nowMs: number, txn?: TxnProducer): Promise<void> {
    const run = async (): Promise<Promise<number>> => {
      await this.ensureTopic();
      const inputs = records.map((r) => toRecordInput(r, nowMs, this.valueVersions, this.broker.config.offsetsRetentionMinutes * 60_000));
      const batch = txn
        ? encodeRecordBatch({ records: inputs, transactional: true, producerId: txn.producerId, producerEpoch: txn.producerEpoch, baseSequence: -1 })
        : encodeRecordBatch({ records: inputs });
      return appendReplicated(this.broker, OFFSETS_TOPIC, this.partitionFor(groupId), batch, txn ? 'coordinator' : 'client', this.broker.config.offsetsCommitTimeoutMs);
    };
    // Only the append is queued: waiting for the ISR happens outside, so commits pipeline.
    const appended = this.queue.then(run, run);
    this.queue = appended.catch(() => undefined);
    return appended.then(async (replicated) => {
      const code = await replicated;
      if (code === ErrorCode.NONE) return;
      const mapped = coordinatorErrorOf(code);
      throw new KafkaError(mapped, `Storing ${records.length} record(s) of group '${groupId}' in ${OFFSETS_TOPIC}-${this.partitionFor(groupId)} failed with ${errorName(code)}`);
    });
  }

  /** Replays every partition of the topic (if it exists) into per-group state. */
  async load(): Promise<LoadedOffsets> {
    const out: LoadedOffsets = { groups: new Map(), pending: new Map() };
    const topic = this.broker.metadata.topic(OFFSETS_TOPIC);
    for (const p of topic?.partitions ?? []) {
      const part = await this.loadPartition(p.partitionIndex);
      for (const [id, g] of part.groups) out.groups.set(id, g);
      for (const [producerId, offsets] of part.pending) listOf(out.pending, producerId).push(...offsets);
    }
    return out;
  }

  /** Replays one partition (from its log start offset to its high watermark) into per-group state. */
  async loadPartition(partition: number): Promise<LoadedOffsets> {
    const groups = new Map<string, LoadedGroup>();
    const pending = new Map<number, PendingTxnOffset[]>();
    const log = this.broker.logManager.getLog(OFFSETS_TOPIC, partition);
    if (!log) return { groups, pending };
    // Markers are per partition: a producer's records here wait for a marker here.
    const waiting = new Map<number, PendingTxnOffset[]>();
    await replayPartition(
      log,
      (key, value, txnProducerId) => this.applyRecord(key, value, groups, txnProducerId < 0 ? undefined : listOf(waiting, txnProducerId)),
      (producerId, commit) => {
        const offsets = waiting.get(producerId);
        waiting.delete(producerId);
        if (commit) for (const o of offsets ?? []) setLoaded(groupEntry(groups, o.group), o.topic, o.partition, o.value);
      },
    );
    for (const [producerId, offsets] of waiting) listOf(pending, producerId).push(...offsets);
    for (const [id, g] of groups) {
      for (const [topic, partitions] of g.offsets) if (partitions.size === 0) g.offsets.delete(topic);
      if (!g.metadata && g.offsets.size === 0) groups.delete(id);
    }
    return { groups, pending };
  }

  /** `txnWaiting`: the list a transactional record's offset waits in until its marker. */
  private applyRecord(key: Buffer | null, value: Buffer | null, groups: Map<string, LoadedGroup>, txnWaiting?: PendingTxnOffset[]): void {
    if (!key) return;
    try {
      const k = decodeConsumerOffsetsKey(key);
      if (txnWaiting) {
        if (k.kind === 'offset' && value) txnWaiting.push({ group: k.key.group, topic: k.key.topic, partition: k.key.partition, value: toCommitted(decodeOffsetCommitValue(value).value) });
        return;
      }
      const group = groupEntry(groups, k.key.group);
      if (k.kind === 'group') {
        group.metadata = value ? decodeGroupMetadataValue(value).value : null;
        return;
      }
      const { topic, partition } = k.key;
      if (!value) {
        group.offsets.get(topic)?.delete(partition);
        return;
      }
      setLoaded(group, topic, partition, toCommitted(decodeOffsetCommitValue(value).value));
    } catch (err) {
      this.broker.log.warn(`Skipped an unreadable ${OFFSETS_TOPIC} record: ${errorMessage(err)}`);
    }
  }
}

function toCommitted(v: OffsetCommitValue): CommittedOffset {
  return { offset: v.offset, leaderEpoch: v.leaderEpoch ?? -1, metadata: v.metadata, commitTimestampMs: v.commitTimestamp };
}

function setLoaded(group: LoadedGroup, topic: string, partition: number, value: CommittedOffset): void {
  let partitions = group.offsets.get(topic);
  if (!partitions) group.offsets.set(topic, (partitions = new Map()));
  partitions.set(partition, value);
}

function listOf<T>(map: Map<number, T[]>, key: number): T[] {
  let list = map.get(key);
  if (!list) map.set(key, (list = []));
  return list;
}

function groupEntry(groups: Map<string, LoadedGroup>, id: string): LoadedGroup {
  let g = groups.get(id);
  if (!g) groups.set(id, (g = { metadata: null, offsets: new Map() }));
  return g;
}

function toRecordInput(r: StoreRecord, nowMs: number, versions: ConsumerOffsetsValueVersions, retentionMs: number): RecordInput {
  if (r.kind === 'group') {
    return { timestampMs: nowMs, key: encodeGroupMetadataKey({ group: r.group }), value: r.value ? encodeGroupMetadataValue(r.value, versions.groupMetadata) : null };
  }
  const key = encodeOffsetCommitKey({ group: r.group, topic: r.topic, partition: r.partition });
  if (!r.value) return { timestampMs: nowMs, key, value: null };
  const value: OffsetCommitValue = {
    offset: r.value.offset,
    leaderEpoch: r.value.leaderEpoch,
    metadata: r.value.metadata,
    commitTimestamp: r.value.commitTimestampMs,
    // v1 carries an expiry: Kafka before 2.1 set it from offsets.retention.minutes at commit.
    expireTimestamp: r.value.commitTimestampMs + retentionMs,
  };
  return { timestampMs: nowMs, key, value: encodeOffsetCommitValue(value, versions.offsetCommit) };
}
