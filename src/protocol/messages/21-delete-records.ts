/** DeleteRecords (key 21): versions 0-2, flexible from 2. Offset -1 = up to the high watermark. */
import { message, f, arr } from '../schema.js';

export interface DeleteRecordsPartition {
  partitionIndex: number;
  offset: number;
}
export interface DeleteRecordsTopic {
  name: string;
  partitions: DeleteRecordsPartition[];
}
export interface DeleteRecordsRequest {
  topics: DeleteRecordsTopic[];
  timeoutMs: number;
}

export interface DeleteRecordsPartitionResult {
  partitionIndex: number;
  lowWatermark: number;
  errorCode: number;
}
export interface DeleteRecordsTopicResult {
  name: string;
  partitions: DeleteRecordsPartitionResult[];
}
export interface DeleteRecordsResponse {
  throttleTimeMs: number;
  topics: DeleteRecordsTopicResult[];
}

export const deleteRecordsRequest = message<DeleteRecordsRequest>({
  name: 'DeleteRecordsRequest', type: 'request', apiKey: 21, validVersions: '0-2', flexibleVersions: '2+',
  fields: [
    arr('topics', '0+', [
      f('name', 'string', '0+'),
      arr('partitions', '0+', [
        f('partitionIndex', 'int32', '0+'),
        f('offset', 'int64', '0+'),
      ]),
    ]),
    f('timeoutMs', 'int32', '0+'),
  ],
});

export const deleteRecordsResponse = message<DeleteRecordsResponse>({
  name: 'DeleteRecordsResponse', type: 'response', apiKey: 21, validVersions: '0-2', flexibleVersions: '2+',
  fields: [
    f('throttleTimeMs', 'int32', '0+'),
    arr('topics', '0+', [
      f('name', 'string', '0+'),
      arr('partitions', '0+', [
        f('partitionIndex', 'int32', '0+'),
        f('lowWatermark', 'int64', '0+'),
        f('errorCode', 'int16', '0+'),
      ]),
    ]),
  ],
});
