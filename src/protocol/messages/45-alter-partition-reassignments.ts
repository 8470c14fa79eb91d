/** AlterPartitionReassignments (key 45): version 0, flexible. Null replicas cancel a pending reassignment. */
import { message, f, arr } from '../schema.js';

export interface ReassignablePartition {
  partitionIndex: number;
  replicas: number[] | null;
}
export interface ReassignableTopic {
  name: string;
  partitions: ReassignablePartition[];
}
export interface AlterPartitionReassignmentsRequest {
  timeoutMs: number;
  topics: ReassignableTopic[];
}

export interface ReassignablePartitionResponse {
  partitionIndex: number;
  errorCode: number;
  errorMessage: string | null;
}
export interface ReassignableTopicResponse {
  name: string;
  partitions: ReassignablePartitionResponse[];
}
export interface AlterPartitionReassignmentsResponse {
  throttleTimeMs: number;
  errorCode: number;
  errorMessage: string | null;
  responses: ReassignableTopicResponse[];
}

export const alterPartitionReassignmentsRequest = message<AlterPartitionReassignmentsRequest>({
  name: 'AlterPartitionReassignmentsRequest', type: 'request', apiKey: 45, validVersions: '0', flexibleVersions: '0+',
  fields: [
    f('timeoutMs', 'int32', '0+', { default: 60000 }),
    arr('topics', '0+', [
      f('name', 'string', '0+'),
      arr('partitions', '0+', [
        f('partitionIndex', 'int32', '0+'),
        f('replicas', '[]int32', '0+', { nullable: true, default: null }),
      ]),
    ]),
  ],
});

export const alterPartitionReassignmentsResponse = message<AlterPartitionReassignmentsResponse>({
  name: 'AlterPartitionReassignmentsResponse', type: 'response', apiKey: 45, validVersions: '0', flexibleVersions: '0+',
  fields: [
    f('throttleTimeMs', 'int32', '0+'),
    f('errorCode', 'int16', '0+'),
    f('errorMessage', 'string', '0+', { nullable: true }),
    arr('responses', '0+', [
      f('name', 'string', '0+'),
      arr('partitions', '0+', [
        f('partitionIndex', 'int32', '0+'),
        f('errorCode', 'int16', '0+'),
        f('errorMessage', 'string', '0+', { nullable: true }),
      ]),
    ]),
  ],
});
