/** WriteTxnMarkers (key 27): versions 0-1, flexible from 1. Broker-internal: coordinator → partition leaders. */
import { message, f, arr } from '../schema.js';

export interface WritableTxnMarkerTopic {
  name: string;
  partitionIndexes: number[];
}
export interface WritableTxnMarker {
  producerId: number;
  producerEpoch: number;
  transactionResult: boolean;
  topics: WritableTxnMarkerTopic[];
  coordinatorEpoch: number;
}
export interface WriteTxnMarkersRequest {
  markers: WritableTxnMarker[];
}

export interface WritableTxnMarkerPartitionResult {
  partitionIndex: number;
  errorCode: number;
}
export interface WritableTxnMarkerTopicResult {
  name: string;
  partitions: WritableTxnMarkerPartitionResult[];
}
export interface WritableTxnMarkerResult {
  producerId: number;
  topics: WritableTxnMarkerTopicResult[];
}
export interface WriteTxnMarkersResponse {
  markers: WritableTxnMarkerResult[];
}

export const writeTxnMarkersRequest = message<WriteTxnMarkersRequest>({
  name: 'WriteTxnMarkersRequest', type: 'request', apiKey: 27, validVersions: '0-1', flexibleVersions: '1+',
  fields: [
    arr('markers', '0+', [
      f('producerId', 'int64', '0+'),
      f('producerEpoch', 'int16', '0+'),
      f('transactionResult', 'bool', '0+'),
      arr('topics', '0+', [
        f('name', 'string', '0+'),
        f('partitionIndexes', '[]int32', '0+'),
      ]),
      f('coordinatorEpoch', 'int32', '0+'),
    ]),
  ],
});

export const writeTxnMarkersResponse = message<WriteTxnMarkersResponse>({
  name: 'WriteTxnMarkersResponse', type: 'response', apiKey: 27, validVersions: '0-1', flexibleVersions: '1+',
  fields: [
    arr('markers', '0+', [
      f('producerId', 'int64', '0+'),
      arr('topics', '0+', [
        f('name', 'string', '0+'),
        arr('partitions', '0+', [
          f('partitionIndex', 'int32', '0+'),
          f('errorCode', 'int16', '0+'),
        ]),
      ]),
    ]),
  ],
});
