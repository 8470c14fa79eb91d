/** OffsetDelete (key 47): version 0 only, not flexible. Deletes committed offsets of a group. */
import { message, f, arr } from '../schema.js';

export interface OffsetDeleteRequestPartition {
  partitionIndex: number;
}
export interface OffsetDeleteRequestTopic {
  name: string;
  partitions: OffsetDeleteRequestPartition[];
}
export interface OffsetDeleteRequest {
  groupId: string;
  topics: OffsetDeleteRequestTopic[];
}

export interface OffsetDeleteResponsePartition {
  partitionIndex: number;
  errorCode: number;
}
export interface OffsetDeleteResponseTopic {
  name: string;
  partitions: OffsetDeleteResponsePartition[];
}
export interface OffsetDeleteResponse {
  errorCode: number;
  throttleTimeMs: number;
  topics: OffsetDeleteResponseTopic[];
}

export const offsetDeleteRequest = message<OffsetDeleteRequest>({
  name: 'OffsetDeleteRequest', type: 'request', apiKey: 47, validVersions: '0', flexibleVersions: 'none',
  fields: [
    f('groupId', 'string', '0+'),
    arr('topics', '0+', [
      f('name', 'string', '0+'),
      arr('partitions', '0+', [f('partitionIndex', 'int32', '0+')]),
    ]),
  ],
});

export const offsetDeleteResponse = message<OffsetDeleteResponse>({
  name: 'OffsetDeleteResponse', type: 'response', apiKey: 47, validVersions: '0', flexibleVersions: 'none',
  fields: [
    f('errorCode', 'int16', '0+'),
    f('throttleTimeMs', 'int32', '0+'),
    arr('topics', '0+', [
      f('name', 'string', '0+'),
      arr('partitions', '0+', [
        f('partitionIndex', 'int32', '0+'),
        f('errorCode', 'int16', '0+'),
      ]),
    ]),
  ],
});
