/**
 * Record schemas of the `__consumer_offsets` internal topic, as Kafka's group coordinator
 * writes them: every key and value is an int16 version followed by the versioned body.
 * Keys of version 0/1 are OffsetCommitKey (group, topic, partition); version 2 is
 * GroupMetadataKey (group). A null value is a tombstone (offset deleted / group removed).
 * Readers decode newer value versions with the newest version they know, since newer
 * versions only add fields.
 */
import { message, f, arr, type MessageSchema } from '../schema.js';
import { Reader } from '../reader.js';
import { Writer } from '../writer.js';
import { compareIbp, type IbpKey } from '../inter-broker-protocol.js';

export interface OffsetCommitKey {
  group: string;
  topic: string;
  partition: number;
}
export interface OffsetCommitValue {
  offset: number;
  leaderEpoch?: number;
  metadata: string;
  commitTimestamp: number;
  expireTimestamp?: number;
}
export interface GroupMetadataKey {
  group: string;
}
export interface GroupMemberMetadata {
  memberId: string;
  groupInstanceId?: string | null;
  clientId: string;
  clientHost: string;
  rebalanceTimeout?: number;
  sessionTimeout: number;
  subscription: Buffer;
  assignment: Buffer;
}
export interface GroupMetadataValue {
  protocolType: string;
  generation: number;
  protocol: string | null;
  leader: string | null;
  currentStateTimestamp?: number;
  members: GroupMemberMetadata[];
}

export const offsetCommitKey = message<OffsetCommitKey>({
  name: 'OffsetCommitKey', type: 'data', validVersions: '0-1', flexibleVersions: 'none',
  fields: [f('group', 'string', '0-1'), f('topic', 'string', '0-1'), f('partition', 'int32', '0-1')],
});

export const offsetCommitValue = message<OffsetCommitValue>({
  name: 'OffsetCommitValue', type: 'data', validVersions: '0-4', flexibleVersions: '4+',
  fields: [
    f('offset', 'int64', '0+'),
    f('leaderEpoch', 'int32', '3+', { default: -1 }),
    f('metadata', 'string', '0+'),
    f('commitTimestamp', 'int64', '0+'),
    f('expireTimestamp', 'int64', '1-1', { default: -1 }),
  ],
});

export const groupMetadataKey = message<GroupMetadataKey>({
  name: 'GroupMetadataKey', type: 'data', validVersions: '2-2', flexibleVersions: 'none',
  fields: [f('group', 'string', '2-2')],
});

export const groupMetadataValue = message<GroupMetadataValue>({
  name: 'GroupMetadataValue', type: 'data', validVersions: '0-4', flexibleVersions: '4+',
  fields: [
    f('protocolType', 'string', '0+'),
    f('generation', 'int32', '0+'),
    f('protocol', 'string', '0+', { nullable: true }),
    f('leader', 'string', '0+', { nullable: true }),
    f('currentStateTimestamp', 'int64', '2+', { default: -1 }),
    arr('members', '0+', [
      f('memberId', 'string', '0+'),
      f('groupInstanceId', 'string', '3+', { nullable: true, default: null }),
      f('clientId', 'string', '0+'),
      f('clientHost', 'string', '0+'),
      f('rebalanceTimeout', 'int32', '1+', { default: -1 }),
      f('sessionTimeout', 'int32', '0+'),
      f('subscription', 'bytes', '0+'),
      f('assignment', 'bytes', '0+'),
    ]),
  ],
});

function encodeVersioned<T>(schema: MessageSchema<T>, version: number, value: T): Buffer {
  const w = new Writer(64);
  w.int16(version);
  schema.encode(w, version, value);
  return w.toBuffer();
}

/** Versions the coordinator writes: what Kafka 3.x/4.x writes for classic groups. */
export const OFFSET_COMMIT_KEY_VERSION = 1;
export const OFFSET_COMMIT_VALUE_VERSION = 3;
export const GROUP_METADATA_KEY_VERSION = 2;
export const GROUP_METADATA_VALUE_VERSION = 3;

export function encodeOffsetCommitKey(key: OffsetCommitKey): Buffer {
  return encodeVersioned(offsetCommitKey, OFFSET_COMMIT_KEY_VERSION, key);
}
export function encodeOffsetCommitValue(value: OffsetCommitValue, version = OFFSET_COMMIT_VALUE_VERSION): Buffer {
  return encodeVersioned(offsetCommitValue, version, value);
}
export function encodeGroupMetadataKey(key: GroupMetadataKey): Buffer {
  return encodeVersioned(groupMetadataKey, GROUP_METADATA_KEY_VERSION, key);
}
export function encodeGroupMetadataValue(value: GroupMetadataValue, version = GROUP_METADATA_VALUE_VERSION): Buffer {
  return encodeVersioned(groupMetadataValue, version, value);
}

export interface ConsumerOffsetsValueVersions {
  offsetCommit: number;
  groupMetadata: number;
}

/**
 * The value versions Kafka's GroupMetadataManager writes under an inter-broker protocol
 * version, so that brokers of that version can load what this one wrote (Kafka 1.1 knows
 * offset commit values v0-v1 and group metadata values v0-v1 only). No IBP: the newest.
 */
export function consumerOffsetsValueVersions(ibp: IbpKey | undefined): ConsumerOffsetsValueVersions {
  if (!ibp) return { offsetCommit: OFFSET_COMMIT_VALUE_VERSION, groupMetadata: GROUP_METADATA_VALUE_VERSION };
  const below = (v: IbpKey): boolean => compareIbp(ibp, v) < 0;
  const offsetCommit = below([2, 1, 0]) ? 1 : below([2, 1, 1]) ? 2 : 3;
  const groupMetadata = below([0, 10, 1]) ? 0 : below([2, 1, 0]) ? 1 : below([2, 3, 0]) ? 2 : 3;
  return { offsetCommit, groupMetadata };
}

export type ConsumerOffsetsKey =
  | { kind: 'offset'; version: number; key: OffsetCommitKey }
  | { kind: 'group'; version: number; key: GroupMetadataKey };

/** Decodes a `__consumer_offsets` record key; throws ProtocolError (with position) on bad bytes or unknown versions. */
export function decodeConsumerOffsetsKey(buf: Buffer): ConsumerOffsetsKey {
  const r = new Reader(buf);
  const version = r.int16();
  if (version === 0 || version === 1) return { kind: 'offset', version, key: offsetCommitKey.decode(r, version) };
  if (version === 2) return { kind: 'group', version, key: groupMetadataKey.decode(r, version) };
  return r.fail(`unknown __consumer_offsets key version ${version}`, 0);
}

function decodeValue<T>(schema: MessageSchema<T>, buf: Buffer): { version: number; value: T } {
  const r = new Reader(buf);
  const version = r.int16();
  if (version < 0) r.fail(`${schema.spec.name} version ${version} is invalid`, 0);
  return { version, value: schema.decode(r, Math.min(version, schema.maxVersion)) };
}

export function decodeOffsetCommitValue(buf: Buffer): { version: number; value: OffsetCommitValue } {
  return decodeValue(offsetCommitValue, buf);
}
export function decodeGroupMetadataValue(buf: Buffer): { version: number; value: GroupMetadataValue } {
  return decodeValue(groupMetadataValue, buf);
}

/** Java's String.hashCode over UTF-16 code units, as Kafka uses to place a group. */
export function javaStringHashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

/** The `__consumer_offsets` partition of a group (Utils.abs(hashCode) % n; abs(MIN_VALUE) is 0 in Kafka's Utils.abs). */
export function offsetsPartitionFor(groupId: string, partitionCount: number): number {
  const h = javaStringHashCode(groupId);
  const abs = h === -2147483648 ? 0 : Math.abs(h);
  return abs % partitionCount;
}
