/** ElectLeaders (key 43): versions 0-2, flexible from 2. Election type 0 = preferred, 1 = unclean (v1+). */
import { message, f, arr } from '../schema.js';

export interface ElectLeadersTopicPartitions {
  topic: string;
  partitions: number[];
}
export interface ElectLeadersRequest {
  electionType?: number;
  topicPartitions: ElectLeadersTopicPartitions[] | null;
  timeoutMs: number;
}

export interface ElectLeadersPartitionResult {
  partitionId: number;
  errorCode: number;
  errorMessage: string | null;
}
export interface ReplicaElectionResult {
  topic: string;
  partitionResult: ElectLeadersPartitionResult[];
}
export interface ElectLeadersResponse {
  throttleTimeMs: number;
  errorCode?: number;
  replicaElectionResults: ReplicaElectionResult[];
}

export const electLeadersRequest = message<ElectLeadersRequest>({
  name: 'ElectLeadersRequest', type: 'request', apiKey: 43, validVersions: '0-2', flexibleVersions: '2+',
  fields: [
    f('electionType', 'int8', '1+'),
    arr('topicPartitions', '0+', [
      f('topic', 'string', '0+'),
      f('partitions', '[]int32', '0+'),
    ], { nullable: true }),
    f('timeoutMs', 'int32', '0+', { default: 60000 }),
  ],
});

export const electLeadersResponse = message<ElectLeadersResponse>({
  name: 'ElectLeadersResponse', type: 'response', apiKey: 43, validVersions: '0-2', flexibleVersions: '2+',
  fields: [
    f('throttleTimeMs', 'int32', '0+'),
    f('errorCode', 'int16', '1+'),
    arr('replicaElectionResults', '0+', [
      f('topic', 'string', '0+'),
      arr('partitionResult', '0+', [
        f('partitionId', 'int32', '0+'),
        f('errorCode', 'int16', '0+'),
        f('errorMessage', 'string', '0+', { nullable: true }),
      ]),
    ]),
  ],
});
