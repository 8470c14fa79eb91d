/** Produce (key 0): versions 0-11, flexible from 9. Records stay opaque bytes (views into the frame when decoded). */
import { message, f, arr, struct } from '../schema.js';

export interface ProducePartitionData {
  index: number;
  records: Buffer | null;
}
export interface ProduceTopicData {
  name: string;
  partitionData: ProducePartitionData[];
}
export interface ProduceRequest {
  transactionalId?: string | null;
  acks: number;
  timeoutMs: number;
  topicData: ProduceTopicData[];
}

export interface BatchIndexAndErrorMessage {
  batchIndex: number;
  batchIndexErrorMessage: string | null;
}
export interface LeaderIdAndEpoch {
  leaderId: number;
  leaderEpoch: number;
}
export interface ProducePartitionResponse {
  index: number;
  errorCode: number;
  baseOffset: number;
  logAppendTimeMs?: number;
  logStartOffset?: number;
  recordErrors?: BatchIndexAndErrorMessage[];
  errorMessage?: string | null;
  currentLeader?: LeaderIdAndEpoch;
}
export interface ProduceTopicResponse {
  name: string;
  partitionResponses: ProducePartitionResponse[];
}
export interface NodeEndpoint {
  nodeId: number;
  host: string;
  port: number;
  rack: string | null;
}
export interface ProduceResponse {
  responses: ProduceTopicResponse[];
  throttleTimeMs?: number;
  nodeEndpoints?: NodeEndpoint[];
}

export const produceRequest = message<ProduceRequest>({
  name: 'ProduceRequest', type: 'request', apiKey: 0, validVersions: '0-11', flexibleVersions: '9+',
  fields: [
    f('transactionalId', 'string', '3+', { nullable: '3+', default: null }),
    f('acks', 'int16', '0+'),
    f('timeoutMs', 'int32', '0+'),
    arr('topicData', '0+', [
      f('name', 'string', '0+'),
      arr('partitionData', '0+', [
        f('index', 'int32', '0+'),
        f('records', 'records', '0+', { nullable: '0+' }),
      ]),
    ]),
  ],
});

export const produceResponse = message<ProduceResponse>({
  name: 'ProduceResponse', type: 'response', apiKey: 0, validVersions: '0-11', flexibleVersions: '9+',
  fields: [
    arr('responses', '0+', [
      f('name', 'string', '0+'),
      arr('partitionResponses', '0+', [
        f('index', 'int32', '0+'),
        f('errorCode', 'int16', '0+'),
        f('baseOffset', 'int64', '0+'),
        f('logAppendTimeMs', 'int64', '2+', { default: -1 }),
        f('logStartOffset', 'int64', '5+', { default: -1 }),
        arr('recordErrors', '8+', [
          f('batchIndex', 'int32', '8+'),
          f('batchIndexErrorMessage', 'string', '8+', { nullable: '8+', default: null }),
        ]),
        f('errorMessage', 'string', '8+', { nullable: '8+', default: null }),
        struct('currentLeader', '10+', [
          f('leaderId', 'int32', '10+', { default: -1 }),
          f('leaderEpoch', 'int32', '10+', { default: -1 }),
        ], { tag: 0 }),
      ]),
    ]),
    f('throttleTimeMs', 'int32', '1+', { default: 0 }),
    arr('nodeEndpoints', '10+', [
      f('nodeId', 'int32', '10+'),
      f('host', 'string', '10+'),
      f('port', 'int32', '10+'),
      f('rack', 'string', '10+', { nullable: '10+', default: null }),
    ], { tag: 0 }),
  ],
});
