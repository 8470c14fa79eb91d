/**
 * `/brokers/topics/T`: the replica assignment, `{"version":1,"partitions":{"0":[1,3],"1":[2,1]}}`
 * (list order = preference; the head is the preferred leader). Kafka 2.4+ writes version 2 with
 * `adding_replicas`/`removing_replicas`, Kafka 2.8+ version 3 with `topic_id`: read them and keep
 * them when rewriting, so a newer Kafka sharing the ZooKeeper does not lose them.
 */
import { topicPath } from './paths.js';
import { ZnodeDataError, intField, parseJsonObject, partitionMap, partitionMapJson, toJsonBytes, type JsonObject } from './json.js';

export interface TopicZnode {
  assignment: Map<number, number[]>;
  topicId?: string;
  addingReplicas?: Map<number, number[]>;
  removingReplicas?: Map<number, number[]>;
  /** The version read; rewriting keeps it (at least what the kept fields need). */
  version?: number;
}

export function encodeTopic(t: TopicZnode): Buffer {
  const json: JsonObject = { version: topicVersion(t), partitions: partitionMapJson(t.assignment) };
  if (t.topicId !== undefined) json.topic_id = t.topicId;
  if (t.addingReplicas !== undefined) json.adding_replicas = partitionMapJson(t.addingReplicas);
  if (t.removingReplicas !== undefined) json.removing_replicas = partitionMapJson(t.removingReplicas);
  return toJsonBytes(json);
}

function topicVersion(t: TopicZnode): number {
  const needed = t.topicId !== undefined ? 3 : t.addingReplicas !== undefined || t.removingReplicas !== undefined ? 2 : 1;
  return Math.max(needed, t.version ?? 1);
}

export function decodeTopic(topic: string, data: Buffer | null): TopicZnode {
  const path = topicPath(topic);
  const o = parseJsonObject(path, data);
  const version = intField(path, o, 'version');
  const assignment = partitionMap(path, o.partitions, '"partitions"');
  checkDense(path, assignment);
  const t: TopicZnode = { assignment, version };
  if (typeof o.topic_id === 'string') t.topicId = o.topic_id;
  if (o.adding_replicas !== undefined) t.addingReplicas = partitionMap(path, o.adding_replicas, '"adding_replicas"');
  if (o.removing_replicas !== undefined) t.removingReplicas = partitionMap(path, o.removing_replicas, '"removing_replicas"');
  return t;
}

/** Kafka requires partitions 0..N-1, each with at least one replica. */
export function checkDense(path: string, assignment: Map<number, number[]>): void {
  let expected = 0;
  for (const [p, replicas] of assignment) {
    if (p !== expected) throw new ZnodeDataError(path, `partitions are not 0..${assignment.size - 1} (missing ${expected})`);
    if (replicas.length === 0) throw new ZnodeDataError(path, `partition ${p} has no replicas`);
    expected++;
  }
}
