/**
 * LeaderAndIsr (key 4), versions 0-7: the controller makes this broker leader or follower
 * of partitions (Kafka 1.1's controller sends v1). A controller epoch older than the one
 * this broker knows is refused with STALE_CONTROLLER_EPOCH; per partition, a leader epoch
 * not newer than ours is ignored with STALE_CONTROLLER_EPOCH and a partition whose replicas
 * do not include this broker gets UNKNOWN_TOPIC_OR_PARTITION, as Kafka answers.
 * A single-node broker (no ZooKeeper) has no controller: every request is refused with
 * STALE_CONTROLLER_EPOCH.
 */
import { ErrorCode } from '../../protocol/errors.js';
import type { LeaderAndIsrRequest, LeaderAndIsrResponse } from '../../protocol/messages/04-leader-and-isr.js';
import { defineHandler } from '../handler.js';

function allFailed(request: LeaderAndIsrRequest, errorCode: number, version: number): LeaderAndIsrResponse {
  if (version >= 5) {
    return { errorCode, topics: (request.topicStates ?? []).map((t) => ({ topicId: t.topicId ?? 'AAAAAAAAAAAAAAAAAAAAAA', partitionErrors: t.partitionStates.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })) })) };
  }
  const flat = [
    ...(request.ungroupedPartitionStates ?? []).map((p) => ({ topicName: p.topicName ?? '', partitionIndex: p.partitionIndex, errorCode })),
    ...(request.topicStates ?? []).flatMap((t) => t.partitionStates.map((p) => ({ topicName: t.topicName, partitionIndex: p.partitionIndex, errorCode }))),
  ];
  return { errorCode, partitionErrors: flat };
}

export const leaderAndIsrHandler = defineHandler<LeaderAndIsrRequest, LeaderAndIsrResponse>({
  apiKey: 4,
  minVersion: 0,
  maxVersion: 7,
  async handle(request, ctx) {
    const rm = ctx.broker.replicaManager;
    if (!rm.clusterMode) return allFailed(request, ErrorCode.STALE_CONTROLLER_EPOCH, ctx.apiVersion);
    return rm.becomeLeaderOrFollower(request, ctx.apiVersion);
  },
  errorResponse(request, errorCode, ctx) {
    return allFailed(request, errorCode, ctx.apiVersion);
  },
});
