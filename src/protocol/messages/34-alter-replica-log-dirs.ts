/** AlterReplicaLogDirs (key 34): versions 0-2, flexible from 2. Moves replicas between one broker's log dirs. */
import { message, f, arr } from '../schema.js';

export interface AlterReplicaLogDirTopic {
  name: string;
  partitions: number[];
}
export interface AlterReplicaLogDir {
  /** Absolute path of the log dir the replicas move to. */
  path: string;
  topics: AlterReplicaLogDirTopic[];
}
export interface AlterReplicaLogDirsRequest {
  dirs: AlterReplicaLogDir[];
}

export interface AlterReplicaLogDirPartitionResult {
  partitionIndex: number;
  errorCode: number;
}
export interface AlterReplicaLogDirTopicResult {
  topicName: string;
  partitions: AlterReplicaLogDirPartitionResult[];
}
export interface AlterReplicaLogDirsResponse {
  throttleTimeMs: number;
  results: AlterReplicaLogDirTopicResult[];
}

export const alterReplicaLogDirsRequest = message<AlterReplicaLogDirsRequest>({
  name: 'AlterReplicaLogDirsRequest', type: 'request', apiKey: 34, validVersions: '0-2', flexibleVersions: '2+',
  fields: [
    arr('dirs', '0+', [
      f('path', 'string', '0+'),
      arr('topics', '0+', [
        f('name', 'string', '0+'),
        f('partitions', '[]int32', '0+'),
      ]),
    ]),
  ],
});

export const alterReplicaLogDirsResponse = message<AlterReplicaLogDirsResponse>({
  name: 'AlterReplicaLogDirsResponse', type: 'response', apiKey: 34, validVersions: '0-2', flexibleVersions: '2+',
  fields: [
    f('throttleTimeMs', 'int32', '0+'),
    arr('results', '0+', [
      f('topicName', 'string', '0+'),
      arr('partitions', '0+', [
        f('partitionIndex', 'int32', '0+'),
        f('errorCode', 'int16', '0+'),
      ]),
    ]),
  ],
});
