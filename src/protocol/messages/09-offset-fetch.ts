/**
 * OffsetFetch (key 9): versions 0-9, flexible from 6. One group (groupId/topics) up to v7,
 * a batch of groups from v8. A null topic list (v2+) asks for all committed offsets.
 */
import { message, f, arr } from '../schema.js';

export interface OffsetFetchRequestTopic {
  name: string;
  partitionIndexes: number[];
}
export interface OffsetFetchRequestGroup {
  groupId: string;
  memberId?: string | null;
  memberEpoch?: number;
  topics: OffsetFetchRequestTopic[] | null;
}
export interface OffsetFetchRequest {
  groupId?: string;
  topics?: OffsetFetchRequestTopic[] | null;
  groups?: OffsetFetchRequestGroup[];
  requireStable?: boolean;
}

export interface OffsetFetchResponsePartition {
  partitionIndex: number;
  committedOffset: number;
  committedLeaderEpoch?: number;
  metadata: string | null;
  errorCode: number;
}
export interface OffsetFetchResponseTopic {
  name: string;
  partitions: OffsetFetchResponsePartition[];
}
export interface OffsetFetchResponseGroup {
  groupId: string;
  topics: OffsetFetchResponseTopic[];
  errorCode: number;
}
export interface OffsetFetchResponse {
  throttleTimeMs?: number;
  topics?: OffsetFetchResponseTopic[];
  errorCode?: number;
  groups?: OffsetFetchResponseGroup[];
}

export const offsetFetchRequest = message<OffsetFetchRequest>({
  name: 'OffsetFetchRequest', type: 'request', apiKey: 9, validVersions: '0-9', flexibleVersions: '6+',
  fields: [
    f('groupId', 'string', '0-7'),
    arr('topics', '0-7', [
      f('name', 'string', '0-7'),
      f('partitionIndexes', '[]int32', '0-7'),
    ], { nullable: '2-7' }),
    arr('groups', '8+', [
      f('groupId', 'string', '8+'),
      f('memberId', 'string', '9+', { nullable: true, default: null }),
      f('memberEpoch', 'int32', '9+', { default: -1 }),
      arr('topics', '8+', [
        f('name', 'string', '8+'),
        f('partitionIndexes', '[]int32', '8+'),
      ], { nullable: true }),
    ]),
    f('requireStable', 'bool', '7+', { default: false }),
  ],
});

export const offsetFetchResponse = message<OffsetFetchResponse>({
  name: 'OffsetFetchResponse', type: 'response', apiKey: 9, validVersions: '0-9', flexibleVersions: '6+',
  fields: [
    f('throttleTimeMs', 'int32', '3+'),
    arr('topics', '0-7', [
      f('name', 'string', '0-7'),
      arr('partitions', '0-7', [
        f('partitionIndex', 'int32', '0-7'),
        f('committedOffset', 'int64', '0-7'),
        f('committedLeaderEpoch', 'int32', '5-7', { default: -1 }),
        f('metadata', 'string', '0-7', { nullable: true }),
        f('errorCode', 'int16', '0-7'),
      ]),
    ]),
    f('errorCode', 'int16', '2-7', { default: 0 }),
    arr('groups', '8+', [
      f('groupId', 'string', '8+'),
      arr('topics', '8+', [
        f('name', 'string', '8+'),
        arr('partitions', '8+', [
          f('partitionIndex', 'int32', '8+'),
          f('committedOffset', 'int64', '8+'),
          f('committedLeaderEpoch', 'int32', '8+', { default: -1 }),
          f('metadata', 'string', '8+', { nullable: true }),
          f('errorCode', 'int16', '8+'),
        ]),
      ]),
      f('errorCode', 'int16', '8+', { default: 0 }),
    ]),
  ],
});
