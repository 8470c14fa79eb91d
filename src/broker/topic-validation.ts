/**
 * Topic name rules as Kafka enforces them (Kafka's `Topic.validate` and the KRaft
 * controller's collision check), with Kafka's own error messages so clients show the same
 * text against kts as against Kafka. Also the internal-topic list.
 */
import { ErrorCode, KafkaError } from '../protocol/errors.js';

export const TOPIC_NAME_MAX_LENGTH = 249;

export const CONSUMER_OFFSETS_TOPIC = '__consumer_offsets';
export const TRANSACTION_STATE_TOPIC = '__transaction_state';
const INTERNAL_TOPICS: ReadonlySet<string> = new Set([CONSUMER_OFFSETS_TOPIC, TRANSACTION_STATE_TOPIC]);

const LEGAL_CHARS = /^[a-zA-Z0-9._-]+$/;

/** Kafka's message for an illegal topic name, or null when the name is legal. */
export function topicNameError(name: string): string | null {
  if (name.length === 0) return "Topic name is illegal, it can't be empty";
  if (name === '.' || name === '..') return 'Topic name cannot be "." or ".."';
  if (name.length > TOPIC_NAME_MAX_LENGTH) {
    return `Topic name is illegal, it can't be longer than ${TOPIC_NAME_MAX_LENGTH} characters, topic name: ${name}`;
  }
  if (!LEGAL_CHARS.test(name)) {
    return `Topic name "${name}" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'`;
  }
  return null;
}

/** Throws KafkaError(INVALID_TOPIC_EXCEPTION) with Kafka's message for an illegal name. */
export function validateTopicName(name: string): void {
  const message = topicNameError(name);
  if (message !== null) throw new KafkaError(ErrorCode.INVALID_TOPIC_EXCEPTION, message);
}

export function isInternalTopic(name: string): boolean {
  return INTERNAL_TOPICS.has(name);
}

/** '.' and '_' collide in metric names, so Kafka treats names differing only there as one. */
export function hasCollisionChars(name: string): boolean {
  return name.includes('.') || name.includes('_');
}

export function unifyCollisionChars(name: string): string {
  return name.replaceAll('.', '_');
}

/** The first existing topic (in sorted order, so the message is stable) that collides with `name`. */
export function collidingTopic(name: string, existing: Iterable<string>): string | null {
  if (!hasCollisionChars(name)) return null;
  const unified = unifyCollisionChars(name);
  let found: string | null = null;
  for (const other of existing) {
    if (other === name || unifyCollisionChars(other) !== unified) continue;
    if (found === null || other < found) found = other;
  }
  return found;
}

/** Name checks CreateTopics runs before anything else: legality, then collision with existing topics. */
export function validateNewTopicName(name: string, existing: Iterable<string>): void {
  validateTopicName(name);
  const other = collidingTopic(name, existing);
  if (other !== null) {
    throw new KafkaError(ErrorCode.INVALID_TOPIC_EXCEPTION, `Topic '${name}' collides with existing topic: ${other}`);
  }
}

/** One replica-list check for the broker, the controller and the tools (admin/). */
export { validateReplicaAssignment } from '../admin/replica-assignment.js';

/** Kafka's message when a replication factor exceeds the registered brokers. */
export function replicationFactorError(replicationFactor: number, brokerCount: number): KafkaError {
  return new KafkaError(
    ErrorCode.INVALID_REPLICATION_FACTOR,
    `Unable to replicate the partition ${replicationFactor} time(s): The target replication factor of ` +
      `${replicationFactor} cannot be reached because only ${brokerCount} broker(s) are registered.`,
  );
}
