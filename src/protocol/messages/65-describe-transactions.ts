/** DescribeTransactions (key 65): version 0, flexible. */
import { message, f, arr } from '../schema.js';

export interface DescribeTransactionsRequest {
  transactionalIds: string[];
}

export interface DescribeTransactionsTopicData {
  topic: string;
  partitions: number[];
}
export interface DescribeTransactionsState {
  errorCode: number;
  transactionalId: string;
  transactionState: string;
  transactionTimeoutMs: number;
  transactionStartTimeMs: number;
  producerId: number;
  producerEpoch: number;
  topics: DescribeTransactionsTopicData[];
}
export interface DescribeTransactionsResponse {
  throttleTimeMs: number;
  transactionStates: DescribeTransactionsState[];
}

export const describeTransactionsRequest = message<DescribeTransactionsRequest>({
  name: 'DescribeTransactionsRequest', type: 'request', apiKey: 65, validVersions: '0', flexibleVersions: '0+',
  fields: [f('transactionalIds', '[]string', '0+')],
});

export const describeTransactionsResponse = message<DescribeTransactionsResponse>({
  name: 'DescribeTransactionsResponse', type: 'response', apiKey: 65, validVersions: '0', flexibleVersions: '0+',
  fields: [
    f('throttleTimeMs', 'int32', '0+'),
    arr('transactionStates', '0+', [
      f('errorCode', 'int16', '0+'),
      f('transactionalId', 'string', '0+'),
      f('transactionState', 'string', '0+'),
      f('transactionTimeoutMs', 'int32', '0+'),
      f('transactionStartTimeMs', 'int64', '0+'),
      f('producerId', 'int64', '0+'),
      f('producerEpoch', 'int16', '0+'),
      arr('topics', '0+', [
        f('topic', 'string', '0+'),
        f('partitions', '[]int32', '0+'),
      ]),
    ]),
  ],
});
