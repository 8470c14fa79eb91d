/**
 * ElectLeaders (key 43), versions 0-2 (v0 is preferred election only; v1 adds the election
 * type, 0 = preferred, 1 = unclean, and a top-level error code). In cluster mode the active
 * controller runs the election; another broker answers NOT_CONTROLLER for every partition
 * (top-level too from v1), as Kafka's ZooKeeper-mode brokers do. A null partition list
 * means every partition. In single-node mode the one broker leads every partition, so each
 * known partition answers ELECTION_NOT_NEEDED, unknown ones UNKNOWN_TOPIC_OR_PARTITION.
 */
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler, type BrokerContext } from '../handler.js';
import type { ElectLeadersRequest, ElectLeadersResponse, ReplicaElectionResult } from '../../protocol/messages/43-elect-leaders.js';
import type { PartitionResult } from '../../controller/kafka-controller.js';
import type { TopicPartition } from '../../controller/zk-port.js';

const NOT_NEEDED = 'Leader election not needed for topic partition.';

function requested(request: ElectLeadersRequest): TopicPartition[] | null {
  if (request.topicPartitions === null) return null;
  return request.topicPartitions.flatMap((t) => t.partitions.map((partition) => ({ topic: t.topic, partition })));
}

function group(results: readonly PartitionResult[]): ReplicaElectionResult[] {
  const byTopic = new Map<string, ReplicaElectionResult>();
  for (const r of results) {
    let entry = byTopic.get(r.topic);
    if (!entry) byTopic.set(r.topic, (entry = { topic: r.topic, partitionResult: [] }));
    entry.partitionResult.push({ partitionId: r.partition, errorCode: r.errorCode, errorMessage: r.message });
  }
  return [...byTopic.values()];
}

function singleNode(partitions: TopicPartition[] | null, broker: BrokerContext): PartitionResult[] {
  const all = partitions ?? broker.metadata.topics().flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partitionIndex })));
  return all.map((tp) => {
    const known = broker.metadata.topic(tp.topic)?.partitions.some((p) => p.partitionIndex === tp.partition) ?? false;
    return known
      ? { ...tp, errorCode: ErrorCode.ELECTION_NOT_NEEDED, message: NOT_NEEDED }
      : { ...tp, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, message: 'The partition does not exist.' };
  });
}

export const electLeadersHandler = defineHandler<ElectLeadersRequest, ElectLeadersResponse>({
  apiKey: 43,
  minVersion: 0,
  maxVersion: 2,
  async handle(request, ctx) {
    const electionType = request.electionType ?? 0;
    const partitions = requested(request);
    const controller = ctx.broker.controller;
    if (electionType !== 0 && electionType !== 1) {
      const results = (partitions ?? []).map((tp) => ({ ...tp, errorCode: ErrorCode.INVALID_REQUEST, message: `Unknown election type ${electionType}; 0 is preferred, 1 is unclean.` }));
      return { throttleTimeMs: 0, errorCode: ErrorCode.INVALID_REQUEST, replicaElectionResults: group(results) };
    }
    if (!controller) return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, replicaElectionResults: group(singleNode(partitions, ctx.broker)) };
    if (!controller.isActive()) {
      const results = (partitions ?? []).map((tp) => ({ ...tp, errorCode: ErrorCode.NOT_CONTROLLER, message: null }));
      return { throttleTimeMs: 0, errorCode: ErrorCode.NOT_CONTROLLER, replicaElectionResults: group(results) };
    }
    const results = await controller.electLeaders(electionType, partitions);
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, replicaElectionResults: group(results) };
  },
  errorResponse(request, errorCode) {
    return { throttleTimeMs: 0, errorCode, replicaElectionResults: group((requested(request) ?? []).map((tp) => ({ ...tp, errorCode, message: null }))) };
  },
});
