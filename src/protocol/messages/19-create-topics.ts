/** CreateTopics (key 19): versions 0-7, flexible from 5. numPartitions / replicationFactor -1 = broker default (v4+). */
import { message, f, arr } from '../schema.js';

export interface CreatableReplicaAssignment {
  partitionIndex: number;
  brokerIds: number[];
}
export interface CreatableTopicConfig {
  name: string;
  value: string | null;
}
export interface CreatableTopic {
  name: string;
  numPartitions: number;
  replicationFactor: number;
  assignments: CreatableReplicaAssignment[];
  configs: CreatableTopicConfig[];
}
export interface CreateTopicsRequest {
  topics: CreatableTopic[];
  timeoutMs: number;
  validateOnly?: boolean;
}

export interface CreatableTopicConfigs {
  name: string;
  value: string | null;
  readOnly: boolean;
  configSource: number;
  isSensitive: boolean;
}
export interface CreatableTopicResult {
  name: string;
  topicId?: string;
  errorCode: number;
  errorMessage?: string | null;
  topicConfigErrorCode?: number;
  numPartitions?: number;
  replicationFactor?: number;
  configs?: CreatableTopicConfigs[] | null;
}
export interface CreateTopicsResponse {
  throttleTimeMs?: number;
  topics: CreatableTopicResult[];
}

export const createTopicsRequest = message<CreateTopicsRequest>({
  name: 'CreateTopicsRequest', type: 'request', apiKey: 19, validVersions: '0-7', flexibleVersions: '5+',
  fields: [
    arr('topics', '0+', [
      f('name', 'string', '0+'),
      f('numPartitions', 'int32', '0+'),
      f('replicationFactor', 'int16', '0+'),
      arr('assignments', '0+', [
        f('partitionIndex', 'int32', '0+'),
        f('brokerIds', '[]int32', '0+'),
      ]),
      arr('configs', '0+', [
        f('name', 'string', '0+'),
        f('value', 'string', '0+', { nullable: true }),
      ]),
    ]),
    f('timeoutMs', 'int32', '0+', { default: 60000 }),
    f('validateOnly', 'bool', '1+', { default: false }),
  ],
});

export const createTopicsResponse = message<CreateTopicsResponse>({
  name: 'CreateTopicsResponse', type: 'response', apiKey: 19, validVersions: '0-7', flexibleVersions: '5+',
  fields: [
    f('throttleTimeMs', 'int32', '2+'),
    arr('topics', '0+', [
      f('name', 'string', '0+'),
      f('topicId', 'uuid', '7+'),
      f('errorCode', 'int16', '0+'),
      f('errorMessage', 'string', '1+', { nullable: '0+' }),
      f('topicConfigErrorCode', 'int16', '5+', { tag: 0 }),
      f('numPartitions', 'int32', '5+', { default: -1 }),
      f('replicationFactor', 'int16', '5+', { default: -1 }),
      arr('configs', '5+', [
        f('name', 'string', '5+'),
        f('value', 'string', '5+', { nullable: true }),
        f('readOnly', 'bool', '5+'),
        f('configSource', 'int8', '5+', { default: -1 }),
        f('isSensitive', 'bool', '5+'),
      ], { nullable: true }),
    ]),
  ],
});
