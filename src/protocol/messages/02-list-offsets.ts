/** ListOffsets (key 2): versions 0-10, flexible from 6. Timestamp -1 = latest, -2 = earliest, -3 = max timestamp. */
import { message, f, arr } from '../schema.js';

export interface ListOffsetsPartition {
  partitionIndex: number;
  currentLeaderEpoch?: number;
  timestamp: number;
  maxNumOffsets?: number;
}
export interface ListOffsetsTopic {
  name: string;
  partitions: ListOffsetsPartition[];
}
export interface ListOffsetsRequest {
  replicaId: number;
  isolationLevel?: number;
  topics: ListOffsetsTopic[];
  timeoutMs?: number;
}

export interface ListOffsetsPartitionResponse {
  partitionIndex: number;
  errorCode: number;
  oldStyleOffsets?: number[];
  timestamp?: number;
  offset?: number;
  leaderEpoch?: number;
}
export interface ListOffsetsTopicResponse {
  name: string;
  partitions: ListOffsetsPartitionResponse[];
}
export interface ListOffsetsResponse {
  throttleTimeMs?: number;
  topics: ListOffsetsTopicResponse[];
}

export const listOffsetsRequest = message<ListOffsetsRequest>({
  name: 'ListOffsetsRequest', type: 'request', apiKey: 2, validVersions: '0-10', flexibleVersions: '6+',
  fields: [
    f('replicaId', 'int32', '0+'),
    f('isolationLevel', 'int8', '2+'),
    arr('topics', '0+', [
      f('name', 'string', '0+'),
      arr('partitions', '0+', [
        f('partitionIndex', 'int32', '0+'),
        f('currentLeaderEpoch', 'int32', '4+', { default: -1 }),
        f('timestamp', 'int64', '0+'),
        f('maxNumOffsets', 'int32', '0', { default: 1 }),
      ]),
    ]),
    f('timeoutMs', 'int32', '10+'),
  ],
});

export const listOffsetsResponse = message<ListOffsetsResponse>({
  name: 'ListOffsetsResponse', type: 'response', apiKey: 2, validVersions: '0-10', flexibleVersions: '6+',
  fields: [
    f('throttleTimeMs', 'int32', '2+'),
    arr('topics', '0+', [
      f('name', 'string', '0+'),
      arr('partitions', '0+', [
        f('partitionIndex', 'int32', '0+'),
        f('errorCode', 'int16', '0+'),
        f('oldStyleOffsets', '[]int64', '0'),
        f('timestamp', 'int64', '1+', { default: -1 }),
        f('offset', 'int64', '1+', { default: -1 }),
        f('leaderEpoch', 'int32', '4+', { default: -1 }),
      ]),
    ]),
  ],
});
