/**
 * The group coordinator's persistence: committed offsets and group metadata are records of
 * the compacted internal topic `__consumer_offsets` (Kafka's schemas, so Kafka's tools and
 * `kts dump-log --offsets-decoder` read them). The topic is created on first use with
 * `offsets.topic.num.partitions` partitions; a group lives on partition
 * abs(hashCode(groupId)) % N. On start the coordinator replays every partition from its log
 * start offset to the high watermark; the last record per key wins, a null value deletes.
 * Appends go through one queue so the log order is the order the coordinator decided.
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
  offsetsPartitionFor,
  type GroupMetadataValue,
  type OffsetCommitValue,
} from '../../protocol/internal/consumer-offsets.js';
import { errorMessage } from '../../util/errors.js';
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

export class OffsetsStore {
  private queue: Promise<unknown> = Promise.resolve();
  /** Partition count of the existing topic (it never changes once created); undefined until seen. */
  private knownPartitionCount: number | undefined;

  constructor(private readonly broker: BrokerContext) {}

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
  async ensureTopic(): Promise<void> {
    if (this.broker.logManager.getLog(OFFSETS_TOPIC, 0)) return;
    await this.broker.metadata.createTopic({
      name: OFFSETS_TOPIC,
      numPartitions: this.broker.config.offsetsTopicNumPartitions,
      replicationFactor: 1,
      configs: { 'cleanup.policy': 'compact', 'compression.type': 'producer', 'segment.bytes': '104857600' },
    });
  }

  /** Appends the records of one group to its partition, in order; resolves when written. */
  write(groupId: string, records: readonly StoreRecord[], nowMs: number): Promise<void> {
    const run = async (): Promise<void> => {
      await this.ensureTopic();
      const log = this.broker.logManager.getLog(OFFSETS_TOPIC, this.partitionFor(groupId));
      if (!log) throw new Error(`${OFFSETS_TOPIC} partition for group '${groupId}' is missing`);
      const batch = encodeRecordBatch({ records: records.map((r) => toRecordInput(r, nowMs)) });
      await log.appendAsLeader(batch, log.leaderEpoch);
    };
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Replays every partition of the topic (if it exists) into per-group state. */
  async load(): Promise<Map<string, LoadedGroup>> {
    const groups = new Map<string, LoadedGroup>();
    const topic = this.broker.metadata.topic(OFFSETS_TOPIC);
    if (!topic) return groups;
    for (const p of topic.partitions) {
      const log = this.broker.logManager.getLog(OFFSETS_TOPIC, p.partitionIndex);
      if (log) await replayPartition(log, (key, value) => this.applyRecord(key, value, groups));
    }
    for (const [id, g] of groups) {
      for (const [topic, partitions] of g.offsets) if (partitions.size === 0) g.offsets.delete(topic);
      if (!g.metadata && g.offsets.size === 0) groups.delete(id);
    }
    return groups;
  }

  private applyRecord(key: Buffer | null, value: Buffer | null, groups: Map<string, LoadedGroup>): void {
    if (!key) return;
    try {
      const k = decodeConsumerOffsetsKey(key);
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
      const v = decodeOffsetCommitValue(value).value;
      let partitions = group.offsets.get(topic);
      if (!partitions) group.offsets.set(topic, (partitions = new Map()));
      partitions.set(partition, {
        offset: v.offset,
        leaderEpoch: v.leaderEpoch ?? -1,
        metadata: v.metadata,
        commitTimestampMs: v.commitTimestamp,
      });
    } catch (err) {
      this.broker.log.warn(`Skipped an unreadable ${OFFSETS_TOPIC} record: ${errorMessage(err)}`);
    }
  }
}

function groupEntry(groups: Map<string, LoadedGroup>, id: string): LoadedGroup {
  let g = groups.get(id);
  if (!g) groups.set(id, (g = { metadata: null, offsets: new Map() }));
  return g;
}

function toRecordInput(r: StoreRecord, nowMs: number): RecordInput {
  if (r.kind === 'group') {
    return { timestampMs: nowMs, key: encodeGroupMetadataKey({ group: r.group }), value: r.value ? encodeGroupMetadataValue(r.value) : null };
  }
  const key = encodeOffsetCommitKey({ group: r.group, topic: r.topic, partition: r.partition });
  if (!r.value) return { timestampMs: nowMs, key, value: null };
  const value: OffsetCommitValue = {
    offset: r.value.offset,
    leaderEpoch: r.value.leaderEpoch,
    metadata: r.value.metadata,
    commitTimestamp: r.value.commitTimestampMs,
  };
  return { timestampMs: nowMs, key, value: encodeOffsetCommitValue(value) };
}
