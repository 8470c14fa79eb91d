/** ConsumerGroupHeartbeat (key 68, KIP-848): versions 0-1, flexible in all versions. */
import { message, f, arr, struct } from '../schema.js';

export interface ConsumerGroupTopicPartitions {
  topicId: string;
  partitions: number[];
}
export interface ConsumerGroupHeartbeatRequest {
  groupId: string;
  memberId: string;
  memberEpoch: number;
  instanceId: string | null;
  rackId: string | null;
  rebalanceTimeoutMs: number;
  subscribedTopicNames: string[] | null;
  subscribedTopicRegex?: string | null;
  serverAssignor: string | null;
  topicPartitions: ConsumerGroupTopicPartitions[] | null;
}

export interface ConsumerGroupHeartbeatAssignment {
  topicPartitions: ConsumerGroupTopicPartitions[];
}
export interface ConsumerGroupHeartbeatResponse {
  throttleTimeMs: number;
  errorCode: number;
  errorMessage: string | null;
  memberId: string | null;
  memberEpoch: number;
  heartbeatIntervalMs: number;
  assignment: ConsumerGroupHeartbeatAssignment | null;
}

export const consumerGroupHeartbeatRequest = message<ConsumerGroupHeartbeatRequest>({
  name: 'ConsumerGroupHeartbeatRequest', type: 'request', apiKey: 68, validVersions: '0-1', flexibleVersions: '0+',
  fields: [
    f('groupId', 'string', '0+'),
    f('memberId', 'string', '0+'),
    f('memberEpoch', 'int32', '0+'),
    f('instanceId', 'string', '0+', { nullable: true, default: null }),
    f('rackId', 'string', '0+', { nullable: true, default: null }),
    f('rebalanceTimeoutMs', 'int32', '0+', { default: -1 }),
    f('subscribedTopicNames', '[]string', '0+', { nullable: true, default: null }),
    f('subscribedTopicRegex', 'string', '1+', { nullable: true, default: null }),
    f('serverAssignor', 'string', '0+', { nullable: true, default: null }),
    arr('topicPartitions', '0+', [
      f('topicId', 'uuid', '0+'),
      f('partitions', '[]int32', '0+'),
    ], { nullable: true, default: null }),
  ],
});

export const consumerGroupHeartbeatResponse = message<ConsumerGroupHeartbeatResponse>({
  name: 'ConsumerGroupHeartbeatResponse', type: 'response', apiKey: 68, validVersions: '0-1', flexibleVersions: '0+',
  fields: [
    f('throttleTimeMs', 'int32', '0+'),
    f('errorCode', 'int16', '0+'),
    f('errorMessage', 'string', '0+', { nullable: true, default: null }),
    f('memberId', 'string', '0+', { nullable: true, default: null }),
    f('memberEpoch', 'int32', '0+'),
    f('heartbeatIntervalMs', 'int32', '0+'),
    struct('assignment', '0+', [
      arr('topicPartitions', '0+', [
        f('topicId', 'uuid', '0+'),
        f('partitions', '[]int32', '0+'),
      ]),
    ], { nullable: true, default: null }),
  ],
});
