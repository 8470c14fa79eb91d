/**
 * UpdateMetadata (key 6): versions 0-8, flexible from 6. The controller sends every broker
 * the live brokers and partition states its metadata cache serves to clients. A partition
 * state with leader -2 means the partition is being deleted.
 */
import { message, f, arr, type FieldSpec } from '../schema.js';

export interface UpdateMetadataPartitionState {
  topicName?: string;
  partitionIndex: number;
  controllerEpoch: number;
  leader: number;
  leaderEpoch: number;
  isr: number[];
  zkVersion: number;
  replicas: number[];
  offlineReplicas?: number[];
}
export interface UpdateMetadataTopicState {
  topicName: string;
  topicId?: string;
  partitionStates: UpdateMetadataPartitionState[];
}
export interface UpdateMetadataEndpoint {
  port: number;
  host: string;
  listener?: string;
  securityProtocol: number;
}
export interface UpdateMetadataBroker {
  id: number;
  v0Host?: string;
  v0Port?: number;
  endpoints?: UpdateMetadataEndpoint[];
  rack?: string | null;
}
export interface UpdateMetadataRequest {
  controllerId: number;
  isKRaftController?: boolean;
  type?: number;
  controllerEpoch: number;
  brokerEpoch?: number;
  ungroupedPartitionStates?: UpdateMetadataPartitionState[];
  topicStates?: UpdateMetadataTopicState[];
  liveBrokers: UpdateMetadataBroker[];
}
export interface UpdateMetadataResponse {
  errorCode: number;
}

const partitionState: readonly FieldSpec[] = [
  f('topicName', 'string', '0-4'),
  f('partitionIndex', 'int32', '0+'),
  f('controllerEpoch', 'int32', '0+'),
  f('leader', 'int32', '0+'),
  f('leaderEpoch', 'int32', '0+'),
  f('isr', '[]int32', '0+'),
  f('zkVersion', 'int32', '0+'),
  f('replicas', '[]int32', '0+'),
  f('offlineReplicas', '[]int32', '4+'),
];

export const updateMetadataRequest = message<UpdateMetadataRequest>({
  name: 'UpdateMetadataRequest', type: 'request', apiKey: 6, validVersions: '0-8', flexibleVersions: '6+',
  fields: [
    f('controllerId', 'int32', '0+'),
    f('isKRaftController', 'bool', '8+'),
    f('type', 'int8', '8+', { tag: 0, tagged: '8+', default: 0 }),
    f('controllerEpoch', 'int32', '0+'),
    f('brokerEpoch', 'int64', '5+', { default: -1 }),
    arr('ungroupedPartitionStates', '0-4', partitionState),
    arr('topicStates', '5+', [
      f('topicName', 'string', '5+'),
      f('topicId', 'uuid', '7+'),
      arr('partitionStates', '5+', partitionState),
    ]),
    arr('liveBrokers', '0+', [
      f('id', 'int32', '0+'),
      f('v0Host', 'string', '0'),
      f('v0Port', 'int32', '0'),
      arr('endpoints', '1+', [
        f('port', 'int32', '1+'),
        f('host', 'string', '1+'),
        f('listener', 'string', '3+'),
        f('securityProtocol', 'int16', '1+'),
      ]),
      f('rack', 'string', '2+', { nullable: '0+' }),
    ]),
  ],
});

export const updateMetadataResponse = message<UpdateMetadataResponse>({
  name: 'UpdateMetadataResponse', type: 'response', apiKey: 6, validVersions: '0-8', flexibleVersions: '6+',
  fields: [f('errorCode', 'int16', '0+')],
});
