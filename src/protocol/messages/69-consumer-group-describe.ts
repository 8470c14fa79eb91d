/** ConsumerGroupDescribe (key 69, KIP-848): version 0, flexible. */
import { message, f, arr, struct, type FieldSpec } from '../schema.js';

export interface ConsumerGroupDescribeRequest {
  groupIds: string[];
  includeAuthorizedOperations: boolean;
}

export interface ConsumerGroupDescribeTopicPartitions {
  topicId: string;
  topicName: string;
  partitions: number[];
}
export interface ConsumerGroupDescribeAssignment {
  topicPartitions: ConsumerGroupDescribeTopicPartitions[];
}
export interface ConsumerGroupDescribeMember {
  memberId: string;
  instanceId: string | null;
  rackId: string | null;
  memberEpoch: number;
  clientId: string;
  clientHost: string;
  subscribedTopicNames: string[];
  subscribedTopicRegex: string | null;
  assignment: ConsumerGroupDescribeAssignment;
  targetAssignment: ConsumerGroupDescribeAssignment;
}
export interface ConsumerGroupDescribedGroup {
  errorCode: number;
  errorMessage: string | null;
  groupId: string;
  groupState: string;
  groupEpoch: number;
  assignmentEpoch: number;
  assignorName: string;
  members: ConsumerGroupDescribeMember[];
  authorizedOperations: number;
}
export interface ConsumerGroupDescribeResponse {
  throttleTimeMs: number;
  groups: ConsumerGroupDescribedGroup[];
}

export const consumerGroupDescribeRequest = message<ConsumerGroupDescribeRequest>({
  name: 'ConsumerGroupDescribeRequest', type: 'request', apiKey: 69, validVersions: '0', flexibleVersions: '0+',
  fields: [
    f('groupIds', '[]string', '0+'),
    f('includeAuthorizedOperations', 'bool', '0+'),
  ],
});

const assignmentFields: readonly FieldSpec[] = [
  arr('topicPartitions', '0+', [
    f('topicId', 'uuid', '0+'),
    f('topicName', 'string', '0+'),
    f('partitions', '[]int32', '0+'),
  ]),
];

export const consumerGroupDescribeResponse = message<ConsumerGroupDescribeResponse>({
  name: 'ConsumerGroupDescribeResponse', type: 'response', apiKey: 69, validVersions: '0', flexibleVersions: '0+',
  fields: [
    f('throttleTimeMs', 'int32', '0+'),
    arr('groups', '0+', [
      f('errorCode', 'int16', '0+'),
      f('errorMessage', 'string', '0+', { nullable: true, default: null }),
      f('groupId', 'string', '0+'),
      f('groupState', 'string', '0+'),
      f('groupEpoch', 'int32', '0+'),
      f('assignmentEpoch', 'int32', '0+'),
      f('assignorName', 'string', '0+'),
      arr('members', '0+', [
        f('memberId', 'string', '0+'),
        f('instanceId', 'string', '0+', { nullable: true, default: null }),
        f('rackId', 'string', '0+', { nullable: true, default: null }),
        f('memberEpoch', 'int32', '0+'),
        f('clientId', 'string', '0+'),
        f('clientHost', 'string', '0+'),
        f('subscribedTopicNames', '[]string', '0+'),
        f('subscribedTopicRegex', 'string', '0+', { nullable: true, default: null }),
        struct('assignment', '0+', assignmentFields),
        struct('targetAssignment', '0+', assignmentFields),
      ]),
      f('authorizedOperations', 'int32', '0+', { default: -2147483648 }),
    ]),
  ],
});
