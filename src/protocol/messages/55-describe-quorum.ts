/** DescribeQuorum (key 55): versions 0-2, flexible. The KRaft metadata quorum (kafka-metadata-quorum.sh). */
import { message, f, arr, type FieldSpec } from '../schema.js';

export interface DescribeQuorumPartitionRequest {
  partitionIndex: number;
}
export interface DescribeQuorumTopicRequest {
  topicName: string;
  partitions: DescribeQuorumPartitionRequest[];
}
export interface DescribeQuorumRequest {
  topics: DescribeQuorumTopicRequest[];
}

export interface QuorumReplicaState {
  replicaId: number;
  replicaDirectoryId?: string;
  logEndOffset: number;
  lastFetchTimestamp?: number;
  lastCaughtUpTimestamp?: number;
}
export interface DescribeQuorumPartitionData {
  partitionIndex: number;
  errorCode: number;
  errorMessage?: string | null;
  leaderId: number;
  leaderEpoch: number;
  highWatermark: number;
  currentVoters: QuorumReplicaState[];
  observers: QuorumReplicaState[];
}
export interface DescribeQuorumTopicData {
  topicName: string;
  partitions: DescribeQuorumPartitionData[];
}
export interface QuorumListener {
  name: string;
  host: string;
  port: number;
}
export interface QuorumNode {
  nodeId: number;
  listeners: QuorumListener[];
}
export interface DescribeQuorumResponse {
  errorCode: number;
  errorMessage?: string | null;
  topics: DescribeQuorumTopicData[];
  nodes?: QuorumNode[];
}

export const describeQuorumRequest = message<DescribeQuorumRequest>({
  name: 'DescribeQuorumRequest', type: 'request', apiKey: 55, validVersions: '0-2', flexibleVersions: '0+',
  fields: [
    arr('topics', '0+', [
      f('topicName', 'string', '0+'),
      arr('partitions', '0+', [f('partitionIndex', 'int32', '0+')]),
    ]),
  ],
});

const replicaStateFields: readonly FieldSpec[] = [
  f('replicaId', 'int32', '0+'),
  f('replicaDirectoryId', 'uuid', '2+'),
  f('logEndOffset', 'int64', '0+'),
  f('lastFetchTimestamp', 'int64', '1+', { default: -1 }),
  f('lastCaughtUpTimestamp', 'int64', '1+', { default: -1 }),
];

export const describeQuorumResponse = message<DescribeQuorumResponse>({
  name: 'DescribeQuorumResponse', type: 'response', apiKey: 55, validVersions: '0-2', flexibleVersions: '0+',
  fields: [
    f('errorCode', 'int16', '0+'),
    f('errorMessage', 'string', '2+', { nullable: true }),
    arr('topics', '0+', [
      f('topicName', 'string', '0+'),
      arr('partitions', '0+', [
        f('partitionIndex', 'int32', '0+'),
        f('errorCode', 'int16', '0+'),
        f('errorMessage', 'string', '2+', { nullable: true }),
        f('leaderId', 'int32', '0+'),
        f('leaderEpoch', 'int32', '0+'),
        f('highWatermark', 'int64', '0+'),
        arr('currentVoters', '0+', replicaStateFields),
        arr('observers', '0+', replicaStateFields),
      ]),
    ]),
    arr('nodes', '2+', [
      f('nodeId', 'int32', '2+'),
      arr('listeners', '2+', [
        f('name', 'string', '2+'),
        f('host', 'string', '2+'),
        f('port', 'uint16', '2+'),
      ]),
    ]),
  ],
});
