/** DescribeProducers (key 61): version 0, flexible. Active idempotent/transactional producers per partition. */
import { message, f, arr } from '../schema.js';

export interface DescribeProducersTopicRequest {
  name: string;
  partitionIndexes: number[];
}
export interface DescribeProducersRequest {
  topics: DescribeProducersTopicRequest[];
}

export interface DescribeProducersProducerState {
  producerId: number;
  producerEpoch: number;
  lastSequence: number;
  lastTimestamp: number;
  coordinatorEpoch: number;
  currentTxnStartOffset: number;
}
export interface DescribeProducersPartitionResponse {
  partitionIndex: number;
  errorCode: number;
  errorMessage: string | null;
  activeProducers: DescribeProducersProducerState[];
}
export interface DescribeProducersTopicResponse {
  name: string;
  partitions: DescribeProducersPartitionResponse[];
}
export interface DescribeProducersResponse {
  throttleTimeMs: number;
  topics: DescribeProducersTopicResponse[];
}

export const describeProducersRequest = message<DescribeProducersRequest>({
  name: 'DescribeProducersRequest', type: 'request', apiKey: 61, validVersions: '0', flexibleVersions: '0+',
  fields: [
    arr('topics', '0+', [
      f('name', 'string', '0+'),
      f('partitionIndexes', '[]int32', '0+'),
    ]),
  ],
});

export const describeProducersResponse = message<DescribeProducersResponse>({
  name: 'DescribeProducersResponse', type: 'response', apiKey: 61, validVersions: '0', flexibleVersions: '0+',
  fields: [
    f('throttleTimeMs', 'int32', '0+'),
    arr('topics', '0+', [
      f('name', 'string', '0+'),
      arr('partitions', '0+', [
        f('partitionIndex', 'int32', '0+'),
        f('errorCode', 'int16', '0+'),
        f('errorMessage', 'string', '0+', { nullable: true, default: null }),
        arr('activeProducers', '0+', [
          f('producerId', 'int64', '0+'),
          f('producerEpoch', 'int32', '0+'),
          f('lastSequence', 'int32', '0+', { default: -1 }),
          f('lastTimestamp', 'int64', '0+', { default: -1 }),
          f('coordinatorEpoch', 'int32', '0+'),
          f('currentTxnStartOffset', 'int64', '0+', { default: -1 }),
        ]),
      ]),
    ]),
  ],
});
