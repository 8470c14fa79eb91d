/**
 * StopReplica (key 5), versions 0-4 (Kafka 1.1's controller sends v0): stop fetching the
 * partitions and, with delete, remove their logs. A stale controller epoch is refused with
 * STALE_CONTROLLER_EPOCH. A single-node broker (no controller) refuses every request so.
 */
import { ErrorCode } from '../../protocol/errors.js';
import type { StopReplicaRequest, StopReplicaResponse } from '../../protocol/messages/05-stop-replica.js';
import { defineHandler } from '../handler.js';

function allFailed(request: StopReplicaRequest, errorCode: number): StopReplicaResponse {
  const partitionErrors = [
    ...(request.ungroupedPartitions ?? []).map((p) => ({ topicName: p.topicName, partitionIndex: p.partitionIndex, errorCode })),
    ...(request.topics ?? []).flatMap((t) => t.partitionIndexes.map((p) => ({ topicName: t.name, partitionIndex: p, errorCode }))),
    ...(request.topicStates ?? []).flatMap((t) => t.partitionStates.map((p) => ({ topicName: t.topicName, partitionIndex: p.partitionIndex, errorCode }))),
  ];
  return { errorCode, partitionErrors };
}

export const stopReplicaHandler = defineHandler<StopReplicaRequest, StopReplicaResponse>({
  apiKey: 5,
  minVersion: 0,
  maxVersion: 4,
  handle(request, ctx) {
    const rm = ctx.broker.replicaManager;
    if (!rm.clusterMode) return allFailed(request, ErrorCode.STALE_CONTROLLER_EPOCH);
    return rm.stopReplicas(request);
  },
  errorResponse(request, errorCode) {
    return allFailed(request, errorCode);
  },
});
