/**
 * Fetch (key 1): versions 0-17, flexible from 12; topics by name up to v12, by topic id
 * from v13. Response records are opaque bytes and are written by reference, so
 * `encodeResponseChunks` can hand log bytes to writev without a copy.
 */
import { message, f, arr, struct } from '../schema.js';
import type { LeaderIdAndEpoch, NodeEndpoint } from './00-produce.js';

export interface FetchReplicaState {
  replicaId: number;
  replicaEpoch: number;
}
export interface FetchPartition {
  partition: number;
  currentLeaderEpoch?: number;
  fetchOffset: number;
  lastFetchedEpoch?: number;
  logStartOffset?: number;
  partitionMaxBytes: number;
  replicaDirectoryId?: string;
}
export interface FetchTopic {
  topic?: string;
  topicId?: string;
  partitions: FetchPartition[];
}
export interface ForgottenTopic {
  topic?: string;
  topicId?: string;
  partitions: number[];
}
export interface FetchRequest {
  clusterId?: string | null;
  replicaId?: number;
  replicaState?: FetchReplicaState;
  maxWaitMs: number;
  minBytes: number;
  maxBytes?: number;
  isolationLevel?: number;
  sessionId?: number;
  sessionEpoch?: number;
  topics: FetchTopic[];
  forgottenTopicsData?: ForgottenTopic[];
  rackId?: string;
}

export interface EpochEndOffset {
  epoch: number;
  endOffset: number;
}
export interface SnapshotId {
  endOffset: number;
  epoch: number;
}
export interface AbortedTransaction {
  producerId: number;
  firstOffset: number;
}
export interface FetchPartitionData {
  partitionIndex: number;
  errorCode: number;
  highWatermark: number;
  lastStableOffset?: number;
  logStartOffset?: number;
  divergingEpoch?: EpochEndOffset;
  currentLeader?: LeaderIdAndEpoch;
  snapshotId?: SnapshotId;
  abortedTransactions?: AbortedTransaction[] | null;
  preferredReadReplica?: number;
  records: Buffer | null;
}
export interface FetchableTopicResponse {
  topic?: string;
  topicId?: string;
  partitions: FetchPartitionData[];
}
export interface FetchResponse {
  throttleTimeMs?: number;
  errorCode?: number;
  sessionId?: number;
  responses: FetchableTopicResponse[];
  nodeEndpoints?: NodeEndpoint[];
}

export const fetchRequest = message<FetchRequest>({
  name: 'FetchRequest', type: 'request', apiKey: 1, validVersions: '0-17', flexibleVersions: '12+',
  fields: [
    f('clusterId', 'string', '12+', { nullable: '12+', tag: 0, default: null }),
    f('replicaId', 'int32', '0-14', { default: -1 }),
    struct('replicaState', '15+', [
      f('replicaId', 'int32', '15+', { default: -1 }),
      f('replicaEpoch', 'int64', '15+', { default: -1 }),
    ], { tag: 1 }),
    f('maxWaitMs', 'int32', '0+'),
    f('minBytes', 'int32', '0+'),
    f('maxBytes', 'int32', '3+', { default: 0x7fffffff }),
    f('isolationLevel', 'int8', '4+', { default: 0 }),
    f('sessionId', 'int32', '7+', { default: 0 }),
    f('sessionEpoch', 'int32', '7+', { default: -1 }),
    arr('topics', '0+', [
      f('topic', 'string', '0-12'),
      f('topicId', 'uuid', '13+'),
      arr('partitions', '0+', [
        f('partition', 'int32', '0+'),
        f('currentLeaderEpoch', 'int32', '9+', { default: -1 }),
        f('fetchOffset', 'int64', '0+'),
        f('lastFetchedEpoch', 'int32', '12+', { default: -1 }),
        f('logStartOffset', 'int64', '5+', { default: -1 }),
        f('partitionMaxBytes', 'int32', '0+'),
        f('replicaDirectoryId', 'uuid', '17+', { tag: 0 }),
      ]),
    ]),
    arr('forgottenTopicsData', '7+', [
      f('topic', 'string', '7-12'),
      f('topicId', 'uuid', '13+'),
      f('partitions', '[]int32', '7+'),
    ]),
    f('rackId', 'string', '11+', { default: '' }),
  ],
});

export const fetchResponse = message<FetchResponse>({
  name: 'FetchResponse', type: 'response', apiKey: 1, validVersions: '0-17', flexibleVersions: '12+',
  fields: [
    f('throttleTimeMs', 'int32', '1+'),
    f('errorCode', 'int16', '7+'),
    f('sessionId', 'int32', '7+', { default: 0 }),
    arr('responses', '0+', [
      f('topic', 'string', '0-12'),
      f('topicId', 'uuid', '13+'),
      arr('partitions', '0+', [
        f('partitionIndex', 'int32', '0+'),
        f('errorCode', 'int16', '0+'),
        f('highWatermark', 'int64', '0+'),
        f('lastStableOffset', 'int64', '4+', { default: -1 }),
        f('logStartOffset', 'int64', '5+', { default: -1 }),
        struct('divergingEpoch', '12+', [
          f('epoch', 'int32', '12+', { default: -1 }),
          f('endOffset', 'int64', '12+', { default: -1 }),
        ], { tag: 0 }),
        struct('currentLeader', '12+', [
          f('leaderId', 'int32', '12+', { default: -1 }),
          f('leaderEpoch', 'int32', '12+', { default: -1 }),
        ], { tag: 1 }),
        struct('snapshotId', '12+', [
          f('endOffset', 'int64', '0+', { default: -1 }),
          f('epoch', 'int32', '0+', { default: -1 }),
        ], { tag: 2 }),
        arr('abortedTransactions', '4+', [
          f('producerId', 'int64', '4+'),
          f('firstOffset', 'int64', '4+'),
        ], { nullable: '4+' }),
        f('preferredReadReplica', 'int32', '11+', { default: -1 }),
        f('records', 'records', '0+', { nullable: '0+' }),
      ]),
    ]),
    arr('nodeEndpoints', '16+', [
      f('nodeId', 'int32', '16+'),
      f('host', 'string', '16+'),
      f('port', 'int32', '16+'),
      f('rack', 'string', '16+', { nullable: '16+', default: null }),
    ], { tag: 0 }),
  ],
});
