/**
 * OffsetForLeaderEpoch (key 23), versions 0-4 (followers of Kafka 1.1 send v0 to truncate
 * their logs, KIP-101; v1+ also answers the epoch, KIP-279). Only the leader answers
 * (NOT_LEADER_OR_FOLLOWER otherwise). For each partition: the
 * largest leader epoch <= the one asked and the offset where it ends (the start of the next
 * epoch, or the log end offset for the current epoch), from storage's leader epoch cache.
 * Consumers use it to detect log truncation after a leader change. current_leader_epoch is
 * checked like Fetch.
 */
import { ErrorCode } from '../../protocol/errors.js';
import type {
  OffsetForLeaderEpochEndOffset,
  OffsetForLeaderEpochRequest,
  OffsetForLeaderEpochResponse,
  OffsetForLeaderPartition,
} from '../../protocol/messages/23-offset-for-leader-epoch.js';
import { defineHandler, type BrokerContext } from '../handler.js';
import { errorCodeOf } from '../error-code.js';

function failed(p: OffsetForLeaderPartition, errorCode: number): OffsetForLeaderEpochEndOffset {
  return { errorCode, partition: p.partition, leaderEpoch: -1, endOffset: -1 };
}

async function endOffset(topic: string, p: OffsetForLeaderPartition, broker: BrokerContext): Promise<OffsetForLeaderEpochEndOffset> {
  const leader = broker.replicaManager.leaderPartition(topic, p.partition, p.currentLeaderEpoch ?? -1);
  if (!leader.partition) return failed(p, leader.errorCode);
  const log = leader.partition.log;
  try {
    const r = await log.endOffsetForLeaderEpoch(p.leaderEpoch);
    return { errorCode: ErrorCode.NONE, partition: p.partition, leaderEpoch: r.leaderEpoch, endOffset: r.endOffset };
  } catch (err) {
    return failed(p, errorCodeOf(err, broker.log, `OffsetForLeaderEpoch on ${topic}-${p.partition}`));
  }
}

export const offsetForLeaderEpochHandler = defineHandler<OffsetForLeaderEpochRequest, OffsetForLeaderEpochResponse>({
  apiKey: 23,
  minVersion: 0,
  maxVersion: 4,
  async handle(request, ctx) {
    const topics = [];
    for (const t of request.topics) {
      const partitions = [];
      for (const p of t.partitions) partitions.push(await endOffset(t.topic, p, ctx.broker));
      topics.push({ topic: t.topic, partitions });
    }
    return { throttleTimeMs: 0, topics };
  },
  errorResponse(request, errorCode) {
    return {
      throttleTimeMs: 0,
      topics: request.topics.map((t) => ({ topic: t.topic, partitions: t.partitions.map((p) => failed(p, errorCode)) })),
    };
  },
});
