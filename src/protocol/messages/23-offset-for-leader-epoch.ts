/** OffsetForLeaderEpoch (key 23): versions 0-4, flexible from 4. Answers the end offset of a leader epoch. */
import { message, f, arr } from '../schema.js';

export interface OffsetForLeaderPartition {
  partition: number;
  currentLeaderEpoch?: number;
  leaderEpoch: number;
}
export interface OffsetForLeaderTopic {
  topic: string;
  partitions: OffsetForLeaderPartition[];
}
export interface OffsetForLeaderEpochRequest {
  replicaId?: number;
  topics: OffsetForLeaderTopic[];
}

export interface OffsetForLeaderEpochEndOffset {
  errorCode: number;
  partition: number;
  leaderEpoch?: number;
  endOffset: number;
}
export interface OffsetForLeaderTopicResult {
  topic: string;
  partitions: OffsetForLeaderEpochEndOffset[];
}
export interface OffsetForLeaderEpochResponse {
  throttleTimeMs?: number;
  topics: OffsetForLeaderTopicResult[];
}

export const offsetForLeaderEpochRequest = message<OffsetForLeaderEpochRequest>({
  name: 'OffsetForLeaderEpochRequest', type: 'request', apiKey: 23, validVersions: '0-4', flexibleVersions: '4+',
  fields: [
    f('replicaId', 'int32', '3+', { default: -2 }),
    arr('topics', '0+', [
      f('topic', 'string', '0+'),
      arr('partitions', '0+', [
        f('partition', 'int32', '0+'),
        f('currentLeaderEpoch', 'int32', '2+', { default: -1 }),
        f('leaderEpoch', 'int32', '0+'),
      ]),
    ]),
  ],
});

export const offsetForLeaderEpochResponse = message<OffsetForLeaderEpochResponse>({
  name: 'OffsetForLeaderEpochResponse', type: 'response', apiKey: 23, validVersions: '0-4', flexibleVersions: '4+',
  fields: [
    f('throttleTimeMs', 'int32', '2+'),
    arr('topics', '0+', [
      f('topic', 'string', '0+'),
      arr('partitions', '0+', [
        f('errorCode', 'int16', '0+'),
        f('partition', 'int32', '0+'),
        f('leaderEpoch', 'int32', '1+', { default: -1 }),
        f('endOffset', 'int64', '0+', { default: -1 }),
      ]),
    ]),
  ],
});
