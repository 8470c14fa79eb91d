/**
 * Data schemas that are not API messages but are versioned the same way: the classic
 * consumer protocol's subscription (JoinGroup protocol metadata) and assignment (SyncGroup
 * assignment). On the wire each is an int16 version followed by the body; a reader that
 * meets a newer version decodes it with the newest version it knows, since newer versions
 * only append fields (Kafka's ConsumerProtocol does the same).
 */
import { message, f, arr, type MessageSchema } from './schema.js';
import { Reader } from './reader.js';
import { Writer } from './writer.js';

export interface ConsumerProtocolTopicPartition {
  topic: string;
  partitions: number[];
}
export interface ConsumerProtocolSubscription {
  topics: string[];
  userData: Buffer | null;
  ownedPartitions?: ConsumerProtocolTopicPartition[];
  generationId?: number;
  rackId?: string | null;
}
export interface ConsumerProtocolAssignment {
  assignedPartitions: ConsumerProtocolTopicPartition[];
  userData: Buffer | null;
}

export const consumerProtocolSubscription = message<ConsumerProtocolSubscription>({
  name: 'ConsumerProtocolSubscription', type: 'data', validVersions: '0-3', flexibleVersions: 'none',
  fields: [
    f('topics', '[]string', '0+'),
    f('userData', 'bytes', '0+', { nullable: true, default: null }),
    arr('ownedPartitions', '1+', [
      f('topic', 'string', '1+'),
      f('partitions', '[]int32', '1+'),
    ]),
    f('generationId', 'int32', '2+', { default: -1 }),
    f('rackId', 'string', '3+', { nullable: true, default: null }),
  ],
});

export const consumerProtocolAssignment = message<ConsumerProtocolAssignment>({
  name: 'ConsumerProtocolAssignment', type: 'data', validVersions: '0-3', flexibleVersions: 'none',
  fields: [
    arr('assignedPartitions', '0+', [
      f('topic', 'string', '0+'),
      f('partitions', '[]int32', '0+'),
    ]),
    f('userData', 'bytes', '0+', { nullable: true, default: null }),
  ],
});

export const dataSchemas: readonly MessageSchema<unknown>[] = [consumerProtocolSubscription, consumerProtocolAssignment];

function encodeVersioned<T>(schema: MessageSchema<T>, version: number, value: T): Buffer {
  const w = new Writer(128);
  w.int16(version);
  schema.encode(w, version, value);
  return w.toBuffer();
}

function decodeVersioned<T>(schema: MessageSchema<T>, buf: Buffer): { version: number; value: T } {
  const r = new Reader(buf);
  const version = r.int16();
  if (version < schema.minVersion) r.fail(`${schema.spec.name} version ${version} is invalid`, 0);
  return { version, value: schema.decode(r, Math.min(version, schema.maxVersion)) };
}

/** JoinGroup protocol metadata of the "consumer" protocol type. */
export function encodeSubscription(version: number, value: ConsumerProtocolSubscription): Buffer {
  return encodeVersioned(consumerProtocolSubscription, version, value);
}
export function decodeSubscription(buf: Buffer): { version: number; value: ConsumerProtocolSubscription } {
  return decodeVersioned(consumerProtocolSubscription, buf);
}

/** SyncGroup assignment bytes of the "consumer" protocol type. An empty buffer means no assignment. */
export function encodeAssignment(version: number, value: ConsumerProtocolAssignment): Buffer {
  return encodeVersioned(consumerProtocolAssignment, version, value);
}
export function decodeAssignment(buf: Buffer): { version: number; value: ConsumerProtocolAssignment } {
  if (buf.length === 0) return { version: 0, value: { assignedPartitions: [], userData: null } };
  return decodeVersioned(consumerProtocolAssignment, buf);
}
