/**
 * LeaderAndIsr (key 4): versions 0-7, flexible from 4. The controller tells a broker which
 * partitions it leads or follows. v0-1 list partitions flat (`ungroupedPartitionStates`,
 * with the topic in each entry); v2+ group them by topic.
 */
import { message, f, arr, type FieldSpec } from '../schema.js';

export interface LeaderAndIsrPartitionState {
  topicName?: string;
  partitionIndex: number;
  controllerEpoch: number;
  leader: number;
  leaderEpoch: number;
  isr: number[];
  /** The state znode's version (zkVersion) in ZooKeeper mode. */
  partitionEpoch: number;
  replicas: number[];
  addingReplicas?: number[];
  removingReplicas?: number[];
  isNew?: boolean;
  leaderRecoveryState?: number;
}
export interface LeaderAndIsrTopicState {
  topicName: string;
  topicId?: string;
  partitionStates: LeaderAndIsrPartitionState[];
}
export interface LeaderAndIsrLiveLeader {
  brokerId: number;
  hostName: string;
  port: number;
}
export interface LeaderAndIsrRequest {
  controllerId: number;
  isKRaftController?: boolean;
  controllerEpoch: number;
  brokerEpoch?: number;
  type?: number;
  ungroupedPartitionStates?: LeaderAndIsrPartitionState[];
  topicStates?: LeaderAndIsrTopicState[];
  liveLeaders: LeaderAndIsrLiveLeader[];
}

export interface LeaderAndIsrPartitionError {
  topicName?: string;
  partitionIndex: number;
  errorCode: number;
}
export interface LeaderAndIsrTopicError {
  topicId: string;
  partitionErrors: LeaderAndIsrPartitionError[];
}
export interface LeaderAndIsrResponse {
  errorCode: number;
  partitionErrors?: LeaderAndIsrPartitionError[];
  topics?: LeaderAndIsrTopicError[];
}

const partitionState: readonly FieldSpec[] = [
  f('topicName', 'string', '0-1'),
  f('partitionIndex', 'int32', '0+'),
  f('controllerEpoch', 'int32', '0+'),
  f('leader', 'int32', '0+'),
  f('leaderEpoch', 'int32', '0+'),
  f('isr', '[]int32', '0+'),
  f('partitionEpoch', 'int32', '0+'),
  f('replicas', '[]int32', '0+'),
  f('addingReplicas', '[]int32', '3+'),
  f('removingReplicas', '[]int32', '3+'),
  f('isNew', 'bool', '1+'),
  f('leaderRecoveryState', 'int8', '6+'),
];

export const leaderAndIsrRequest = message<LeaderAndIsrRequest>({
  name: 'LeaderAndIsrRequest', type: 'request', apiKey: 4, validVersions: '0-7', flexibleVersions: '4+',
  fields: [
    f('controllerId', 'int32', '0+'),
    f('isKRaftController', 'bool', '7+'),
    f('controllerEpoch', 'int32', '0+'),
    f('brokerEpoch', 'int64', '2+', { default: -1 }),
    f('type', 'int8', '5+'),
    arr('ungroupedPartitionStates', '0-1', partitionState),
    arr('topicStates', '2+', [
      f('topicName', 'string', '2+'),
      f('topicId', 'uuid', '5+'),
      arr('partitionStates', '2+', partitionState),
    ]),
    arr('liveLeaders', '0+', [
      f('brokerId', 'int32', '0+'),
      f('hostName', 'string', '0+'),
      f('port', 'int32', '0+'),
    ]),
  ],
});

const partitionError: readonly FieldSpec[] = [
  f('topicName', 'string', '0-4'),
  f('partitionIndex', 'int32', '0+'),
  f('errorCode', 'int16', '0+'),
];

export const leaderAndIsrResponse = message<LeaderAndIsrResponse>({
  name: 'LeaderAndIsrResponse', type: 'response', apiKey: 4, validVersions: '0-7', flexibleVersions: '4+',
  fields: [
    f('errorCode', 'int16', '0+'),
    arr('partitionErrors', '0-4', partitionError),
    arr('topics', '5+', [
      f('topicId', 'uuid', '5+'),
      arr('partitionErrors', '5+', partitionError),
    ]),
  ],
});
