/** DescribeTopicPartitions (key 75): version 0, flexible. Paginated topic descriptions with a cursor. */
import { message, f, arr, struct, type FieldSpec } from '../schema.js';

export interface DescribeTopicPartitionsCursor {
  topicName: string;
  partitionIndex: number;
}
export interface DescribeTopicPartitionsTopicRequest {
  name: string;
}
export interface DescribeTopicPartitionsRequest {
  topics: DescribeTopicPartitionsTopicRequest[];
  responsePartitionLimit: number;
  cursor: DescribeTopicPartitionsCursor | null;
}

export interface DescribeTopicPartitionsResponsePartition {
  errorCode: number;
  partitionIndex: number;
  leaderId: number;
  leaderEpoch: number;
  replicaNodes: number[];
  isrNodes: number[];
  eligibleLeaderReplicas: number[] | null;
  lastKnownElr: number[] | null;
  offlineReplicas: number[];
}
export interface DescribeTopicPartitionsResponseTopic {
  errorCode: number;
  name: string | null;
  topicId: string;
  isInternal: boolean;
  partitions: DescribeTopicPartitionsResponsePartition[];
  topicAuthorizedOperations: number;
}
export interface DescribeTopicPartitionsResponse {
  throttleTimeMs: number;
  topics: DescribeTopicPartitionsResponseTopic[];
  nextCursor: DescribeTopicPartitionsCursor | null;
}

const cursorFields: readonly FieldSpec[] = [
  f('topicName', 'string', '0+'),
  f('partitionIndex', 'int32', '0+'),
];

export const describeTopicPartitionsRequest = message<DescribeTopicPartitionsRequest>({
  name: 'DescribeTopicPartitionsRequest', type: 'request', apiKey: 75, validVersions: '0', flexibleVersions: '0+',
  fields: [
    arr('topics', '0+', [f('name', 'string', '0+')]),
    f('responsePartitionLimit', 'int32', '0+', { default: 2000 }),
    struct('cursor', '0+', cursorFields, { nullable: true, default: null }),
  ],
});

export const describeTopicPartitionsResponse = message<DescribeTopicPartitionsResponse>({
  name: 'DescribeTopicPartitionsResponse', type: 'response', apiKey: 75, validVersions: '0', flexibleVersions: '0+',
  fields: [
    f('throttleTimeMs', 'int32', '0+'),
    arr('topics', '0+', [
      f('errorCode', 'int16', '0+'),
      f('name', 'string', '0+', { nullable: true }),
      f('topicId', 'uuid', '0+'),
      f('isInternal', 'bool', '0+', { default: false }),
      arr('partitions', '0+', [
        f('errorCode', 'int16', '0+'),
        f('partitionIndex', 'int32', '0+'),
        f('leaderId', 'int32', '0+'),
        f('leaderEpoch', 'int32', '0+', { default: -1 }),
        f('replicaNodes', '[]int32', '0+'),
        f('isrNodes', '[]int32', '0+'),
        f('eligibleLeaderReplicas', '[]int32', '0+', { nullable: true, default: null }),
        f('lastKnownElr', '[]int32', '0+', { nullable: true, default: null }),
        f('offlineReplicas', '[]int32', '0+'),
      ]),
      f('topicAuthorizedOperations', 'int32', '0+', { default: -2147483648 }),
    ]),
    struct('nextCursor', '0+', cursorFields, { nullable: true, default: null }),
  ],
});
