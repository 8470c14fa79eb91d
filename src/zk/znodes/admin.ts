/**
 * The admin znodes tools write and the controller consumes:
 * `/admin/reassign_partitions` `{"version":1,"partitions":[{"topic":"t1","partition":0,"replicas":[2,3]}]}`
 * (the tool's `log_dirs` is accepted and ignored, as Kafka's znode decoder does),
 * `/admin/preferred_replica_election` `{"version":1,"partitions":[{"topic":"t1","partition":0}]}`,
 * and `/admin/delete_topics/T` (no data).
 */
import { PreferredReplicaElectionPath, ReassignPartitionsPath } from './paths.js';
import { ZnodeDataError, intArray, intField, parseJsonObject, stringField, toJsonBytes, type JsonObject } from './json.js';
import { topicPartitionKey, type TopicPartition } from './topic-partition.js';

/** Reassignments keyed by topicPartitionKey. */
export type PartitionReassignment = Map<string, { topic: string; partition: number; replicas: number[] }>;

export function encodeReassignment(m: PartitionReassignment): Buffer {
  return toJsonBytes({ version: 1, partitions: [...m.values()].map((r) => ({ topic: r.topic, partition: r.partition, replicas: r.replicas })) });
}

export function decodeReassignment(data: Buffer | null): PartitionReassignment {
  const out: PartitionReassignment = new Map();
  for (const o of partitionsList(ReassignPartitionsPath, data)) {
    const tp = topicPartitionOf(ReassignPartitionsPath, o);
    out.set(topicPartitionKey(tp.topic, tp.partition), { ...tp, replicas: intArray(ReassignPartitionsPath, o.replicas, '"replicas"') });
  }
  return out;
}

export function encodePartitionList(tps: TopicPartition[]): Buffer {
  return toJsonBytes({ version: 1, partitions: tps.map((tp) => ({ topic: tp.topic, partition: tp.partition })) });
}

/** The partition list of `/admin/preferred_replica_election` and of ISR change notifications. */
export function decodePartitionList(path: string, data: Buffer | null): TopicPartition[] {
  return partitionsList(path, data).map((o) => topicPartitionOf(path, o));
}

export const decodePreferredReplicaElection = (data: Buffer | null): TopicPartition[] => decodePartitionList(PreferredReplicaElectionPath, data);

function partitionsList(path: string, data: Buffer | null): JsonObject[] {
  const o = parseJsonObject(path, data);
  const list = o.partitions;
  if (!Array.isArray(list) || !list.every((x) => typeof x === 'object' && x !== null && !Array.isArray(x))) {
    throw new ZnodeDataError(path, '"partitions" is not a list of objects');
  }
  return list as JsonObject[];
}

function topicPartitionOf(path: string, o: JsonObject): TopicPartition {
  return { topic: stringField(path, o, 'topic'), partition: intField(path, o, 'partition') };
}
