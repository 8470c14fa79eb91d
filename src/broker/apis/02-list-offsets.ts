/**
 * ListOffsets (key 2), versions 0-10. Per partition: timestamp -2
 * earliest (log start offset), -4 earliest local (the same: kts has no tiered storage),
 * -1 latest (high watermark, or the last stable offset for read_committed), -3 the offset
 * of the record with the largest timestamp (v7+), otherwise the first offset whose
 * timestamp is >= the one asked (offset -1 / timestamp -1 when there is none).
 * Only the leader answers (NOT_LEADER_OR_FOLLOWER otherwise); current_leader_epoch (v4+) is
 * checked like Fetch. A follower asking (replica_id >= 0: its fetcher after an offset out
 * of range) gets the log end offset for -1, not the high watermark, as Kafka answers. The leader epoch answered is that of
 * the batch holding the offset where storage knows it, else the current leader epoch.
 * Deviation: -5 (earliest pending upload, tiered storage) answers offset -1.
 * v0 (Kafka 0.8's OffsetRequest, still sent by Kafka 1.1's GetOffsetShell) answers the
 * same offset as a one-element `old_style_offsets` list (none when max_num_offsets is 0).
 * Deviation: for a real timestamp v0 answers the first offset at or after it, not
 * Kafka's "base offsets of segments last modified before it".
 */
import { ErrorCode } from '../../protocol/errors.js';
import type {
  ListOffsetsPartition,
  ListOffsetsPartitionResponse,
  ListOffsetsRequest,
  ListOffsetsResponse,
} from '../../protocol/messages/02-list-offsets.js';
import { defineHandler, type BrokerContext, type BrokerPartitionLog } from '../handler.js';
import { errorCodeOf } from '../error-code.js';

const LATEST = -1;
const EARLIEST = -2;
const MAX_TIMESTAMP = -3;
const EARLIEST_LOCAL = -4;
const EARLIEST_PENDING_UPLOAD = -5;
const READ_COMMITTED = 1;

function failed(p: ListOffsetsPartition, errorCode: number): ListOffsetsPartitionResponse {
  return { partitionIndex: p.partitionIndex, errorCode, timestamp: -1, offset: -1, leaderEpoch: -1, oldStyleOffsets: [] };
}

function found(p: ListOffsetsPartition, offset: number, timestamp: number, leaderEpoch: number): ListOffsetsPartitionResponse {
  return { partitionIndex: p.partitionIndex, errorCode: ErrorCode.NONE, timestamp, offset, leaderEpoch, oldStyleOffsets: [] };
}

async function lookup(log: BrokerPartitionLog, p: ListOffsetsPartition, readCommitted: boolean, fromReplica: boolean): Promise<ListOffsetsPartitionResponse> {
  const ts = p.timestamp;
  if (ts === LATEST) {
    const end = fromReplica ? log.logEndOffset : readCommitted ? log.lastStableOffset : log.highWatermark;
    return found(p, end, -1, log.leaderEpoch);
  }
  if (ts === EARLIEST || ts === EARLIEST_LOCAL) {
    const hit = await log.offsetForTimestamp(EARLIEST);
    return found(p, log.logStartOffset, -1, hit && hit.leaderEpoch >= 0 ? hit.leaderEpoch : log.leaderEpoch);
  }
  if (ts === EARLIEST_PENDING_UPLOAD) return found(p, -1, -1, -1);
  if (ts < MAX_TIMESTAMP) return failed(p, ErrorCode.INVALID_REQUEST);
  const hit = await log.offsetForTimestamp(ts);
  const visibleEnd = readCommitted ? log.lastStableOffset : log.highWatermark;
  if (!hit || hit.offset >= visibleEnd) return found(p, -1, -1, -1);
  return found(p, hit.offset, hit.timestampMs, hit.leaderEpoch);
}

/** The v0 shape: the offset found as a list of at most maxNumOffsets offsets. */
function oldStyle(r: ListOffsetsPartitionResponse, maxNumOffsets: number): ListOffsetsPartitionResponse {
  const offset = r.offset ?? -1;
  return { ...r, oldStyleOffsets: r.errorCode === ErrorCode.NONE && offset >= 0 && maxNumOffsets > 0 ? [offset] : [] };
}

async function partitionResult(
  topic: string,
  p: ListOffsetsPartition,
  readCommitted: boolean,
  apiVersion: number,
  replicaId: number,
  broker: BrokerContext,
): Promise<ListOffsetsPartitionResponse> {
  const leader = broker.replicaManager.leaderPartition(topic, p.partitionIndex, p.currentLeaderEpoch ?? -1);
  if (!leader.partition) return failed(p, leader.errorCode);
  const log = leader.partition.log;
  if (p.timestamp === MAX_TIMESTAMP && apiVersion < 7) return failed(p, ErrorCode.UNSUPPORTED_VERSION);
  try {
    return await lookup(log, p, readCommitted, replicaId >= 0);
  } catch (err) {
    return failed(p, errorCodeOf(err, broker.log, `ListOffsets on ${topic}-${p.partitionIndex}`));
  }
}

export const listOffsetsHandler = defineHandler<ListOffsetsRequest, ListOffsetsResponse>({
  apiKey: 2,
  minVersion: 0,
  maxVersion: 10,
  async handle(request, ctx) {
    const readCommitted = (request.isolationLevel ?? 0) === READ_COMMITTED;
    const topics = [];
    for (const t of request.topics) {
      const partitions = [];
      for (const p of t.partitions) {
        const result = await partitionResult(t.name, p, readCommitted, ctx.apiVersion, request.replicaId, ctx.broker);
        partitions.push(ctx.apiVersion === 0 ? oldStyle(result, p.maxNumOffsets ?? 1) : result);
      }
      topics.push({ name: t.name, partitions });
    }
    return { throttleTimeMs: 0, topics };
  },
  errorResponse(request, errorCode) {
    return {
      throttleTimeMs: 0,
      topics: request.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => failed(p, errorCode)) })),
    };
  },
});
