/** ListPartitionReassignments (key 46): version 0, flexible. A null topic list lists all reassignments. */
import { message, f, arr } from '../schema.js';

export interface ListPartitionReassignmentsTopics {
  name: string;
  partitionIndexes: number[];
}
export interface ListPartitionReassignmentsRequest {
  timeoutMs: number;
  topics: ListPartitionReassignmentsTopics[] | null;
}

export interface OngoingPartitionReassignment {
  partitionIndex: number;
  replicas: number[];
  addingReplicas: number[];
  removingReplicas: number[];
}
export interface OngoingTopicReassignment {
  name: string;
  partitions: OngoingPartitionReassignment[];
}
export interface ListPartitionReassignmentsResponse {
  throttleTimeMs: number;
  errorCode: number;
  errorMessage: string | null;
  topics: OngoingTopicReassignment[];
}

export const listPartitionReassignmentsRequest = message<ListPartitionReassignmentsRequest>({
  name: 'ListPartitionReassignmentsRequest', type: 'request', apiKey: 46, validVersions: '0', flexibleVersions: '0+',
  fields: [
    f('timeoutMs', 'int32', '0+', { default: 60000 }),
    arr('topics', '0+', [
      f('name', 'string', '0+'),
      f('partitionIndexes', '[]int32', '0+'),
    ], { nullable: true, default: null }),
  ],
});

export const listPartitionReassignmentsResponse = message<ListPartitionReassignmentsResponse>({
  name: 'ListPartitionReassignmentsResponse', type: 'response', apiKey: 46, validVersions: '0', flexibleVersions: '0+',
  fields: [
    f('throttleTimeMs', 'int32', '0+'),
    f('errorCode', 'int16', '0+'),
    f('errorMessage', 'string', '0+', { nullable: true }),
    arr('topics', '0+', [
      f('name', 'string', '0+'),
      arr('partitions', '0+', [
        f('partitionIndex', 'int32', '0+'),
        f('replicas', '[]int32', '0+'),
        f('addingReplicas', '[]int32', '0+'),
        f('removingReplicas', '[]int32', '0+'),
      ]),
    ]),
  ],
});
