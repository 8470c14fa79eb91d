/**
 * StopReplica (key 5): versions 0-4, flexible from 2. The controller tells a broker to stop
 * fetching (and with delete, to remove) replicas. v0 lists partitions flat, v1-2 by topic,
 * v3+ by topic with a per-partition leader epoch and delete flag.
 */
import { message, f, arr } from '../schema.js';

export interface StopReplicaPartitionV0 {
  topicName: string;
  partitionIndex: number;
}
export interface StopReplicaTopicV1 {
  name: string;
  partitionIndexes: number[];
}
export interface StopReplicaPartitionState {
  partitionIndex: number;
  leaderEpoch: number;
  deletePartition: boolean;
}
export interface StopReplicaTopicState {
  topicName: string;
  partitionStates: StopReplicaPartitionState[];
}
export interface StopReplicaRequest {
  controllerId: number;
  isKRaftController?: boolean;
  controllerEpoch: number;
  brokerEpoch?: number;
  deletePartitions?: boolean;
  ungroupedPartitions?: StopReplicaPartitionV0[];
  topics?: StopReplicaTopicV1[];
  topicStates?: StopReplicaTopicState[];
}
export interface StopReplicaPartitionError {
  topicName: string;
  partitionIndex: number;
  errorCode: number;
}
export interface StopReplicaResponse {
  errorCode: number;
  partitionErrors: StopReplicaPartitionError[];
}

export const stopReplicaRequest = message<StopReplicaRequest>({
  name: 'StopReplicaRequest', type: 'request', apiKey: 5, validVersions: '0-4', flexibleVersions: '2+',
  fields: [
    f('controllerId', 'int32', '0+'),
    f('isKRaftController', 'bool', '4+'),
    f('controllerEpoch', 'int32', '0+'),
    f('brokerEpoch', 'int64', '1+', { default: -1 }),
    f('deletePartitions', 'bool', '0-2'),
    arr('ungroupedPartitions', '0', [
      f('topicName', 'string', '0'),
      f('partitionIndex', 'int32', '0'),
    ]),
    arr('topics', '1-2', [
      f('name', 'string', '1-2'),
      f('partitionIndexes', '[]int32', '1-2'),
    ]),
    arr('topicStates', '3+', [
      f('topicName', 'string', '3+'),
      arr('partitionStates', '3+', [
        f('partitionIndex', 'int32', '3+'),
        f('leaderEpoch', 'int32', '3+', { default: -1 }),
        f('deletePartition', 'bool', '3+'),
      ]),
    ]),
  ],
});

export const stopReplicaResponse = message<StopReplicaResponse>({
  name: 'StopReplicaResponse', type: 'response', apiKey: 5, validVersions: '0-4', flexibleVersions: '2+',
  fields: [
    f('errorCode', 'int16', '0+'),
    arr('partitionErrors', '0+', [
      f('topicName', 'string', '0+'),
      f('partitionIndex', 'int32', '0+'),
      f('errorCode', 'int16', '0+'),
    ]),
  ],
});
