/** DescribeLogDirs (key 35): versions 0-4, flexible from 2. A null topic list means all partitions. */
import { message, f, arr } from '../schema.js';

export interface DescribableLogDirTopic {
  topic: string;
  partitions: number[];
}
export interface DescribeLogDirsRequest {
  topics: DescribableLogDirTopic[] | null;
}

export interface DescribeLogDirsPartition {
  partitionIndex: number;
  partitionSize: number;
  offsetLag: number;
  isFutureKey: boolean;
}
export interface DescribeLogDirsTopic {
  name: string;
  partitions: DescribeLogDirsPartition[];
}
export interface DescribeLogDirsResult {
  errorCode: number;
  logDir: string;
  topics: DescribeLogDirsTopic[];
  totalBytes?: number;
  usableBytes?: number;
}
export interface DescribeLogDirsResponse {
  throttleTimeMs: number;
  errorCode?: number;
  results: DescribeLogDirsResult[];
}

export const describeLogDirsRequest = message<DescribeLogDirsRequest>({
  name: 'DescribeLogDirsRequest', type: 'request', apiKey: 35, validVersions: '0-4', flexibleVersions: '2+',
  fields: [
    arr('topics', '0+', [
      f('topic', 'string', '0+'),
      f('partitions', '[]int32', '0+'),
    ], { nullable: true }),
  ],
});

export const describeLogDirsResponse = message<DescribeLogDirsResponse>({
  name: 'DescribeLogDirsResponse', type: 'response', apiKey: 35, validVersions: '0-4', flexibleVersions: '2+',
  fields: [
    f('throttleTimeMs', 'int32', '0+'),
    f('errorCode', 'int16', '3+'),
    arr('results', '0+', [
      f('errorCode', 'int16', '0+'),
      f('logDir', 'string', '0+'),
      arr('topics', '0+', [
        f('name', 'string', '0+'),
        arr('partitions', '0+', [
          f('partitionIndex', 'int32', '0+'),
          f('partitionSize', 'int64', '0+'),
          f('offsetLag', 'int64', '0+'),
          f('isFutureKey', 'bool', '0+'),
        ]),
      ]),
      f('totalBytes', 'int64', '4+', { default: -1 }),
      f('usableBytes', 'int64', '4+', { default: -1 }),
    ]),
  ],
});
