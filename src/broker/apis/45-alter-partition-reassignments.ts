/**
 * AlterPartitionReassignments (key 45), version 0. Starts (replicas set) or cancels
 * (replicas null) partition reassignments. In cluster mode the active controller carries
 * them out with /admin/reassign_partitions semantics (controller/reassignment.ts); another
 * broker answers NOT_CONTROLLER. In single-node mode the only valid target is this broker
 * itself (nothing moves: success); any other broker is refused with
 * INVALID_REPLICA_ASSIGNMENT naming the one broker there is, and a cancel answers
 * NO_REASSIGNMENT_IN_PROGRESS.
 */
import { ErrorCode, KafkaError } from '../../protocol/errors.js';
import { defineHandler, type BrokerContext } from '../handler.js';
import { apiErrorOf } from '../configs/api-error.js';
import { validateReplicaAssignment } from '../../admin/replica-assignment.js';
import type { AlterPartitionReassignmentsRequest, AlterPartitionReassignmentsResponse, ReassignableTopicResponse } from '../../protocol/messages/45-alter-partition-reassignments.js';
import type { PartitionResult, ReassignmentRequest } from '../../controller/kafka-controller.js';

function flatten(request: AlterPartitionReassignmentsRequest): ReassignmentRequest[] {
  return request.topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partitionIndex, replicas: p.replicas })));
}

function group(results: readonly PartitionResult[]): ReassignableTopicResponse[] {
  const byTopic = new Map<string, ReassignableTopicResponse>();
  for (const r of results) {
    let entry = byTopic.get(r.topic);
    if (!entry) byTopic.set(r.topic, (entry = { name: r.topic, partitions: [] }));
    entry.partitions.push({ partitionIndex: r.partition, errorCode: r.errorCode, errorMessage: r.message });
  }
  return [...byTopic.values()];
}

function singleNode(r: ReassignmentRequest, broker: BrokerContext): PartitionResult {
  const base = { topic: r.topic, partition: r.partition };
  const exists = broker.metadata.topic(r.topic)?.partitions.some((p) => p.partitionIndex === r.partition) ?? false;
  if (!exists) return { ...base, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, message: 'The partition does not exist.' };
  if (r.replicas === null) return { ...base, errorCode: ErrorCode.NO_REASSIGNMENT_IN_PROGRESS, message: `No reassignment is in progress for ${r.topic}-${r.partition}.` };
  try {
    validateReplicaAssignment(r.replicas, new Set([broker.nodeId]), null);
    return { ...base, errorCode: ErrorCode.NONE, message: null };
  } catch (err) {
    const e = apiErrorOf(err instanceof KafkaError ? err : new KafkaError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, String(err)));
    const hint = ` This kts broker runs in single-node mode (no zookeeper.connect): broker ${broker.nodeId} is the only one.`;
    return { ...base, errorCode: e.errorCode, message: `${e.errorMessage ?? ''}${hint}` };
  }
}

export const alterPartitionReassignmentsHandler = defineHandler<AlterPartitionReassignmentsRequest, AlterPartitionReassignmentsResponse>({
  apiKey: 45,
  minVersion: 0,
  maxVersion: 0,
  async handle(request, ctx) {
    const requests = flatten(request);
    const controller = ctx.broker.controller;
    if (!controller) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, responses: group(requests.map((r) => singleNode(r, ctx.broker))) };
    }
    if (!controller.isActive()) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.NOT_CONTROLLER, errorMessage: `Broker ${ctx.broker.nodeId} is not the controller.`, responses: [] };
    }
    const results = await controller.alterPartitionReassignments(requests);
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, responses: group(results) };
  },
  errorResponse(_request, errorCode) {
    return { throttleTimeMs: 0, errorCode, errorMessage: null, responses: [] };
  },
});
