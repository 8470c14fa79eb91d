/** OffsetCommit (key 8): versions 0-9, flexible from 8. v9+ carries a member epoch (KIP-848) in generationIdOrMemberEpoch. */
import { message, f, arr } from '../schema.js';

export interface OffsetCommitRequestPartition {
  partitionIndex: number;
  committedOffset: number;
  committedLeaderEpoch?: number;
  commitTimestamp?: number;
  committedMetadata: string | null;
}
export interface OffsetCommitRequestTopic {
  name: string;
  partitions: OffsetCommitRequestPartition[];
}
export interface OffsetCommitRequest {
  groupId: string;
  generationIdOrMemberEpoch?: number;
  memberId?: string;
  groupInstanceId?: string | null;
  retentionTimeMs?: number;
  topics: OffsetCommitRequestTopic[];
}

export interface OffsetCommitResponsePartition {
  partitionIndex: number;
  errorCode: number;
}
export interface OffsetCommitResponseTopic {
  name: string;
  partitions: OffsetCommitResponsePartition[];
}
export interface OffsetCommitResponse {
  throttleTimeMs?: number;
  topics: OffsetCommitResponseTopic[];
}

export const offsetCommitRequest = message<OffsetCommitRequest>({
  name: 'OffsetCommitRequest', type: 'request', apiKey: 8, validVersions: '0-9', flexibleVersions: '8+',
  fields: [
    f('groupId', 'string', '0+'),
    f('generationIdOrMemberEpoch', 'int32', '1+', { default: -1 }),
    f('memberId', 'string', '1+'),
    f('groupInstanceId', 'string', '7+', { nullable: true, default: null }),
    f('retentionTimeMs', 'int64', '2-4', { default: -1 }),
    arr('topics', '0+', [
      f('name', 'string', '0+'),
      arr('partitions', '0+', [
        f('partitionIndex', 'int32', '0+'),
        f('committedOffset', 'int64', '0+'),
        f('committedLeaderEpoch', 'int32', '6+', { default: -1 }),
        f('commitTimestamp', 'int64', '1', { default: -1 }),
        f('committedMetadata', 'string', '0+', { nullable: true }),
      ]),
    ]),
  ],
});

export const offsetCommitResponse = message<OffsetCommitResponse>({
  name: 'OffsetCommitResponse', type: 'response', apiKey: 8, validVersions: '0-9', flexibleVersions: '8+',
  fields: [
    f('throttleTimeMs', 'int32', '3+'),
    arr('topics', '0+', [
      f('name', 'string', '0+'),
      arr('partitions', '0+', [
        f('partitionIndex', 'int32', '0+'),
        f('errorCode', 'int16', '0+'),
      ]),
    ]),
  ],
});
