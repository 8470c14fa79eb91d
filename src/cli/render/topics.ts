/**
 * Pure renderers for `kts topics`: the data objects its actions produce and the exact text
 * Kafka's kafka-topics.sh prints for them (TAB-separated describe lines, `Created topic X.`,
 * its warnings). `--json` prints the same objects.
 */

export const COLLISION_WARNING =
  "WARNING: Due to limitations in metric names, topics with a period ('.') or underscore ('_') could collide. To avoid issues it is best to use either, but not both.";

export const PARTITIONS_WARNING =
  'WARNING: If partitions are increased for a topic that has a key, the partition logic or ordering of the messages will be affected';

const ZERO_TOPIC_ID = 'AAAAAAAAAAAAAAAAAAAAAA';

/** Brokers without topic ids (Kafka < 2.8) answer the all-zero id: show it as absent. */
export function knownTopicId(topicId: string): string | null {
  return topicId === ZERO_TOPIC_ID || topicId === '' ? null : topicId;
}

export function hasCollisionChars(topic: string): boolean {
  return topic.includes('.') || topic.includes('_');
}

export interface CreatedTopic {
  topic: string;
  /** null when the broker has no topic ids. */
  topicId: string | null;
  partitions: number;
  replicationFactor: number;
  /** False when --if-not-exists found it already there. */
  created: boolean;
}

export function renderCreated(r: CreatedTopic): string {
  if (!r.created) return '';
  return (hasCollisionChars(r.topic) ? COLLISION_WARNING + '\n' : '') + `Created topic ${r.topic}.\n`;
}

export function renderList(topics: readonly string[]): string {
  return topics.map((t) => t + '\n').join('');
}

export interface PartitionView {
  partition: number;
  leader: number | null;
  replicas: number[];
  isr: number[];
  /** null: the broker does not report eligible leader replicas (shown as N/A). */
  elr: number[] | null;
  lastKnownElr: number[] | null;
  /** Set while a reassignment of the partition is in progress (Kafka prints them after Isr). */
  addingReplicas?: number[];
  removingReplicas?: number[];
}

export interface TopicView {
  topic: string;
  /** null when the broker has no topic ids. */
  topicId: string | null;
  partitionCount: number;
  replicationFactor: number;
  /** Non-default configs, in the order the broker listed them. */
  configs: Record<string, string>;
  /** False when a partition filter hides the topic line. */
  showTopicLine: boolean;
  partitions: PartitionView[];
}

function ids(list: readonly number[] | null): string {
  return list === null ? 'N/A' : list.join(',');
}

export function renderTopicLine(v: TopicView): string {
  const fields = [`Topic: ${v.topic}`];
  if (v.topicId !== null && knownTopicId(v.topicId) !== null) fields.push(`TopicId: ${v.topicId}`);
  fields.push(`PartitionCount: ${v.partitionCount}`, `ReplicationFactor: ${v.replicationFactor}`);
  const configs = Object.entries(v.configs)
    .map(([k, val]) => `${k}=${val}`)
    .join(',');
  fields.push(`Configs: ${configs}`);
  return fields.join('\t');
}

export function renderPartitionLine(topic: string, p: PartitionView): string {
  const fields = [
    '',
    `Topic: ${topic}`,
    `Partition: ${p.partition}`,
    `Leader: ${p.leader === null || p.leader < 0 ? 'none' : p.leader}`,
    `Replicas: ${p.replicas.join(',')}`,
    `Isr: ${p.isr.join(',')}`,
    ...(p.addingReplicas !== undefined ? [`Adding Replicas: ${p.addingReplicas.join(',')}`, `Removing Replicas: ${(p.removingReplicas ?? []).join(',')}`] : []),
    `Elr: ${ids(p.elr)}`,
    `LastKnownElr: ${ids(p.lastKnownElr)}`,
  ];
  return fields.join('\t');
}

export function renderDescribe(views: readonly TopicView[]): string {
  const lines: string[] = [];
  for (const v of views) {
    if (v.showTopicLine) lines.push(renderTopicLine(v));
    for (const p of v.partitions) lines.push(renderPartitionLine(v.topic, p));
  }
  return lines.map((l) => l + '\n').join('');
}

export interface AlteredTopic {
  topic: string;
  partitions: number;
}

export function renderAltered(r: readonly AlteredTopic[]): string {
  return r.length === 0 ? '' : `${PARTITIONS_WARNING}\nAdding partitions succeeded!\n`;
}
