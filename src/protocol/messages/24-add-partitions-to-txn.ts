/**
 * AddPartitionsToTxn (key 24): versions 0-5, flexible from 3. Clients send one transaction
 * (the v3AndBelow* fields, v0-3); brokers send batches of transactions (v4+).
 */
import { message, f, arr, type FieldSpec } from '../schema.js';

export interface AddPartitionsToTxnTopic {
  name: string;
  partitions: number[];
}
export interface AddPartitionsToTxnTransaction {
  transactionalId: string;
  producerId: number;
  producerEpoch: number;
  verifyOnly: boolean;
  topics: AddPartitionsToTxnTopic[];
}
export interface AddPartitionsToTxnRequest {
  transactions?: AddPartitionsToTxnTransaction[];
  v3AndBelowTransactionalId?: string;
  v3AndBelowProducerId?: number;
  v3AndBelowProducerEpoch?: number;
  v3AndBelowTopics?: AddPartitionsToTxnTopic[];
}

export interface AddPartitionsToTxnPartitionResult {
  partitionIndex: number;
  partitionErrorCode: number;
}
export interface AddPartitionsToTxnTopicResult {
  name: string;
  resultsByPartition: AddPartitionsToTxnPartitionResult[];
}
export interface AddPartitionsToTxnResult {
  transactionalId: string;
  topicResults: AddPartitionsToTxnTopicResult[];
}
export interface AddPartitionsToTxnResponse {
  throttleTimeMs: number;
  errorCode?: number;
  resultsByTransaction?: AddPartitionsToTxnResult[];
  resultsByTopicV3AndBelow?: AddPartitionsToTxnTopicResult[];
}

const topicFields: readonly FieldSpec[] = [
  f('name', 'string', '0+'),
  f('partitions', '[]int32', '0+'),
];
const topicResultFields: readonly FieldSpec[] = [
  f('name', 'string', '0+'),
  arr('resultsByPartition', '0+', [
    f('partitionIndex', 'int32', '0+'),
    f('partitionErrorCode', 'int16', '0+'),
  ]),
];

export const addPartitionsToTxnRequest = message<AddPartitionsToTxnRequest>({
  name: 'AddPartitionsToTxnRequest', type: 'request', apiKey: 24, validVersions: '0-5', flexibleVersions: '3+',
  fields: [
    arr('transactions', '4+', [
      f('transactionalId', 'string', '4+'),
      f('producerId', 'int64', '4+'),
      f('producerEpoch', 'int16', '4+'),
      f('verifyOnly', 'bool', '4+', { default: false }),
      arr('topics', '4+', topicFields),
    ]),
    f('v3AndBelowTransactionalId', 'string', '0-3'),
    f('v3AndBelowProducerId', 'int64', '0-3'),
    f('v3AndBelowProducerEpoch', 'int16', '0-3'),
    arr('v3AndBelowTopics', '0-3', topicFields),
  ],
});

export const addPartitionsToTxnResponse = message<AddPartitionsToTxnResponse>({
  name: 'AddPartitionsToTxnResponse', type: 'response', apiKey: 24, validVersions: '0-5', flexibleVersions: '3+',
  fields: [
    f('throttleTimeMs', 'int32', '0+'),
    f('errorCode', 'int16', '4+'),
    arr('resultsByTransaction', '4+', [
      f('transactionalId', 'string', '4+'),
      arr('topicResults', '4+', topicResultFields),
    ]),
    arr('resultsByTopicV3AndBelow', '0-3', topicResultFields),
  ],
});
