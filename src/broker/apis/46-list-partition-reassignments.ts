/**
 * ListPartitionReassignments (key 46), version 0: the reassignments in flight (replicas =
 * original ∪ target, adding = target − original, removing = original − target), for the
 * given partitions or all (null topics). Cluster mode: the active controller answers,
 * another broker NOT_CONTROLLER. Single-node mode: nothing ever moves, so the list is empty.
 */
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler } from '../handler.js';
import type { ListPartitionReassignmentsRequest, ListPartitionReassignmentsResponse, OngoingTopicReassignment } from '../../protocol/messages/46-list-partition-reassignments.js';

export const listPartitionReassignmentsHandler = defineHandler<ListPartitionReassignmentsRequest, ListPartitionReassignmentsResponse>({
  apiKey: 46,
  minVersion: 0,
  maxVersion: 0,
  async handle(request, ctx) {
    const controller = ctx.broker.controller;
    if (!controller) return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, topics: [] };
    const partitions = request.topics === null ? null : request.topics.flatMap((t) => t.partitionIndexes.map((partition) => ({ topic: t.name, partition })));
    const ongoing = controller.isActive() ? await controller.listPartitionReassignments(partitions) : null;
    if (ongoing === null) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.NOT_CONTROLLER, errorMessage: `Broker ${ctx.broker.nodeId} is not the controller.`, topics: [] };
    }
    const byTopic = new Map<string, OngoingTopicReassignment>();
    for (const r of ongoing) {
      let entry = byTopic.get(r.topic);
      if (!entry) byTopic.set(r.topic, (entry = { name: r.topic, partitions: [] }));
      entry.partitions.push({ partitionIndex: r.partition, replicas: r.replicas, addingReplicas: r.addingReplicas, removingReplicas: r.removingReplicas });
    }
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, topics: [...byTopic.values()] };
  },
  errorResponse(_request, errorCode) {
    return { throttleTimeMs: 0, errorCode, errorMessage: null, topics: [] };
  },
});
