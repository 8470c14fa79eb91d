/**
 * The public types of the kts client: what the CLI and tests see. Implementation
 * lives in the sibling files; this file has no runtime code besides constants.
 */
import type { GroupAdmin, GroupConsumer } from './group/index.js';
import type { AclBinding, AclBindingFilter } from '../protocol/acl.js';
import type { KafkaError } from '../protocol/errors.js';
import type { TransactionAdmin } from './transaction-admin.js';

export interface TopicPartition {
  topic: string;
  partition: number;
}

export interface RecordHeader {
  key: string;
  value: Buffer | null;
}

/**
 * A group consumer's membership (Java's ConsumerGroupMetadata), from
 * `GroupConsumer.groupMetadata()`. Given to `sendOffsetsToTransaction`, it makes the group
 * coordinator refuse the offsets of a member that is no longer current (KIP-447).
 * generationId -1 and memberId '' before the consumer has joined.
 */
export interface ConsumerGroupMetadata {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
}

/** One record to produce. `partition` omitted: murmur2 of the key, or sticky for null keys. */
export interface ProducerRecord {
  topic: string;
  partition?: number;
  key?: Buffer | string | null;
  value: Buffer | string | null;
  headers?: readonly RecordHeader[];
  /** CreateTime; defaults to now. */
  timestampMs?: number;
}

/** Where a produced record landed. offset is -1 with acks=0 (the broker does not answer). */
export interface RecordMetadata {
  topic: string;
  partition: number;
  offset: number;
  /** The broker's LogAppendTime when the topic uses it, else the record's CreateTime. */
  timestampMs: number;
}

/** NoTimestampType: legacy v0 messages, which carry no timestamp (timestampMs is -1). */
export type TimestampTypeName = 'CreateTime' | 'LogAppendTime' | 'NoTimestampType';

export interface ConsumerRecord {
  topic: string;
  partition: number;
  offset: number;
  timestampMs: number;
  timestampType: TimestampTypeName;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
  /** Leader epoch of the batch; null for legacy (v0/v1) message sets. */
  leaderEpoch: number | null;
}

/** Called once per record: an error, or where the record landed. */
export type DeliveryCallback = (err: Error | null, meta: RecordMetadata | null) => void;

/**
 * A run of values for Producer.sendValues: value i is `source[bounds[2i], bounds[2i+1])`
 * for i < count (any ranges: ascending lines of a chunk, or one payload repeated). They
 * become records with a null key, no headers and one CreateTime.
 */
export interface ValueRun {
  topic: string;
  /** Omitted: the sticky partitioner (as for null-key records). */
  partition?: number;
  source: Buffer;
  bounds: Int32Array;
  count: number;
  /** Sum of the values' lengths. */
  valueBytes: number;
  /** The longest value's length. */
  maxValueBytes: number;
  /** CreateTime of every record; defaults to now. */
  timestampMs?: number;
}

/** Called once per batch part of a run went into: records first..first+count-1 of the run. */
export type ValuesCallback = (err: Error | null, first: number, count: number) => void;

export interface Producer {
  /** Resolves once the broker acknowledged the record (per `acks`). Awaits when the buffer is full. */
  send(record: ProducerRecord): Promise<RecordMetadata>;
  /**
   * send() without a promise per record (Kafka's send(record, callback)): the record is
   * queued now when metadata is cached and the buffer has room (else after, in send order),
   * and `onDelivery` runs once with the outcome. Records keep their call order. Key, value
   * and header bytes are copied before this returns: the caller may reuse its buffers.
   */
  sendWithCallback(record: ProducerRecord, onDelivery?: DeliveryCallback): void;
  /**
   * Many null-key values in one call: the bulk path for plain input lines (no object per
   * record). Ordered with sendWithCallback() calls. The values are copied before this
   * returns (into batches, or into a copy while the producer waits for metadata), so the
   * caller may reuse `source` and `bounds` at once.
   */
  sendValues(run: ValueRun, onDelivery: ValuesCallback): void;
  /** Sends everything buffered now (ignores linger.ms) and waits for the acknowledgements. */
  flush(): Promise<void>;
  /** flush(), then stop. Further send() calls fail. */
  close(): Promise<void>;
  /** Buffered record bytes now and the peak so far; never above buffer.memory. */
  metrics(): { bufferedBytes: number; bufferedBytesPeak: number; bufferMemory: number };
  /**
   * Transactions (needs config transactional.id): initTransactions() once (fences older
   * producers with the same id), then per transaction beginTransaction(), sends,
   * optionally sendOffsetsToTransaction(), and commitTransaction() or abortTransaction().
   * A fenced producer fails with KtsError code KTS_PRODUCER_FENCED.
   * sendOffsetsToTransaction() takes the group id (no membership check) or the consumer's
   * groupMetadata() (KIP-447: fails with KafkaError ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID or
   * FENCED_INSTANCE_ID once the member is no longer current); after it fails the transaction
   * can only be aborted.
   */
  initTransactions(): Promise<void>;
  beginTransaction(): void;
  sendOffsetsToTransaction(offsets: readonly { topic: string; partition: number; offset: number }[], group: string | ConsumerGroupMetadata): Promise<void>;
  commitTransaction(): Promise<void>;
  abortTransaction(): Promise<void>;
}

export interface Consumer {
  /** Replaces the assignment. New partitions start at `auto.offset.reset` unless seek()ed. */
  assign(partitions: readonly TopicPartition[]): void;
  assignment(): TopicPartition[];
  seek(tp: TopicPartition, offset: number): void;
  seekToBeginning(partitions?: readonly TopicPartition[]): Promise<void>;
  seekToEnd(partitions?: readonly TopicPartition[]): Promise<void>;
  /** First offset whose timestamp is >= timestampMs (ListOffsets); end offset if none. */
  seekToTimestamp(tp: TopicPartition, timestampMs: number): Promise<void>;
  /** The next offset poll() will return for tp (resolving auto.offset.reset if needed). */
  position(tp: TopicPartition): Promise<number>;
  /** Records available within timeoutMs (long poll); [] on timeout. */
  poll(timeoutMs: number): Promise<ConsumerRecord[]>;
  beginningOffsets(partitions: readonly TopicPartition[]): Promise<Map<string, number>>;
  /** Key of the maps: `${topic}:${partition}` (see tpKey). */
  endOffsets(partitions: readonly TopicPartition[]): Promise<Map<string, number>>;
  close(): Promise<void>;
}

// ---- admin ----

export interface NewTopic {
  topic: string;
  /** -1 or omitted: the broker's num.partitions. */
  numPartitions?: number;
  /** -1 or omitted: the broker's default.replication.factor. */
  replicationFactor?: number;
  /** partition -> broker ids; excludes numPartitions/replicationFactor. */
  replicaAssignment?: ReadonlyMap<number, readonly number[]>;
  configs?: Readonly<Record<string, string>>;
}

export interface CreateTopicResult {
  topic: string;
  topicId: string;
  numPartitions: number;
  replicationFactor: number;
  configs: { name: string; value: string | null; readOnly: boolean; source: ConfigSourceName; isSensitive: boolean }[];
}

export interface PartitionInfo {
  partition: number;
  /** -1 when there is no leader. */
  leader: number;
  leaderEpoch: number;
  replicas: number[];
  isr: number[];
  offlineReplicas: number[];
}

export interface TopicDescription {
  name: string;
  /** base64url Kafka uuid (22 chars); AAAAAAAAAAAAAAAAAAAAAA when the broker has none. */
  topicId: string;
  isInternal: boolean;
  partitions: PartitionInfo[];
}

export interface BrokerNode {
  nodeId: number;
  host: string;
  port: number;
  rack: string | null;
}

export interface ClusterDescription {
  clusterId: string | null;
  controllerId: number;
  brokers: BrokerNode[];
}

export type ConfigResourceType = 'topic' | 'broker' | 'broker-logger';

export interface ConfigResource {
  type: ConfigResourceType;
  /** Topic name, broker id as a string, or '' for the cluster-wide broker default. */
  name: string;
}

/** Kafka's DescribeConfigs ConfigSource values, by their Java enum names. */
export type ConfigSourceName =
  | 'UNKNOWN'
  | 'DYNAMIC_TOPIC_CONFIG'
  | 'DYNAMIC_BROKER_CONFIG'
  | 'DYNAMIC_DEFAULT_BROKER_CONFIG'
  | 'STATIC_BROKER_CONFIG'
  | 'DEFAULT_CONFIG'
  | 'DYNAMIC_BROKER_LOGGER_CONFIG'
  | 'CLIENT_METRICS_CONFIG'
  | 'GROUP_CONFIG';

export interface ConfigSynonym {
  name: string;
  value: string | null;
  source: ConfigSourceName;
}

export interface ConfigEntry {
  name: string;
  value: string | null;
  source: ConfigSourceName;
  readOnly: boolean;
  isDefault: boolean;
  isSensitive: boolean;
  synonyms: ConfigSynonym[];
  /** Kafka's ConfigType names (BOOLEAN, STRING, INT, ...); 'UNKNOWN' from old brokers. */
  type: string;
  documentation: string | null;
}

export interface DescribeConfigsOptions {
  /** Only these keys; all when omitted. */
  keys?: readonly string[];
  includeSynonyms?: boolean;
  includeDocumentation?: boolean;
}

export type AlterConfigOp = 'set' | 'delete' | 'append' | 'subtract';

export interface ConfigAlteration {
  name: string;
  op: AlterConfigOp;
  /** Required for set/append/subtract. */
  value?: string;
}

/** ListOffsets query: Kafka's special timestamps by name, or a timestamp. */
export type OffsetSpec = 'earliest' | 'latest' | 'max-timestamp' | 'earliest-local' | 'latest-tiered' | { timestampMs: number };

export type IsolationLevel = 'read_uncommitted' | 'read_committed';

export interface ListOffsetsResult extends TopicPartition {
  /** -1 when no offset matches (e.g. a timestamp past the last record). */
  offset: number;
  timestampMs: number;
  leaderEpoch: number;
}

export interface DeleteRecordsResult extends TopicPartition {
  lowWatermark: number;
}

export interface LogDirPartition {
  partition: number;
  sizeBytes: number;
  offsetLag: number;
  isFutureKey: boolean;
}

export interface LogDirDescription {
  brokerId: number;
  logDir: string;
  /** null when the dir is healthy, else the Kafka error name (e.g. KAFKA_STORAGE_ERROR). */
  error: string | null;
  /** -1 when the broker does not report it. */
  totalBytes: number;
  usableBytes: number;
  topics: { topic: string; partitions: LogDirPartition[] }[];
}

/** A replica to move to a log dir of its broker (AlterReplicaLogDirs). */
export interface ReplicaLogDir extends TopicPartition {
  brokerId: number;
  /** Absolute path of one of the broker's log dirs. */
  logDir: string;
}

/** Outcome for one partition of a partition-level admin call: null error when it worked. */
export interface PartitionOutcome extends TopicPartition {
  /** Kafka error name (`REPLICA_NOT_AVAILABLE`), null on success. */
  error: string | null;
  errorCode: number;
  message: string | null;
}

export type ElectionType = 'preferred' | 'unclean';

/** A reassignment in progress (ListPartitionReassignments). */
export interface OngoingReassignment extends TopicPartition {
  replicas: number[];
  addingReplicas: number[];
  removingReplicas: number[];
}

/** One partition of a Fetch sent to a chosen replica (kts replica-verification). */
export interface ReplicaFetchResult extends TopicPartition {
  errorCode: number;
  highWatermark: number;
  /** Whole batches as the broker returned them (empty when none). */
  records: Buffer;
}

/** What one broker answered to ApiVersions (kts broker-api-versions). */
export interface BrokerApiVersions {
  node: BrokerNode;
  /** apiKey → the broker's range; null with `error` when the broker could not be asked. */
  ranges: ReadonlyMap<number, { minVersion: number; maxVersion: number }> | null;
  error: string | null;
}

export type ScramAlteration =
  | { op: 'upsert'; user: string; mechanism: string; iterations: number; password: string }
  | { op: 'delete'; user: string; mechanism: string };

export interface Admin {
  /** CreateAcls: one error (or null) per binding, in order. */
  createAcls(bindings: readonly AclBinding[]): Promise<(KafkaError | null)[]>;
  /** DescribeAcls: every binding matching the filter. */
  describeAcls(filter: AclBindingFilter): Promise<AclBinding[]>;
  /** DeleteAcls: the bindings each filter removed. */
  deleteAcls(filters: readonly AclBindingFilter[]): Promise<AclBinding[][]>;
  /** DescribeUserScramCredentials: mechanisms and iterations per user (every user when `users` is omitted). */
  describeUserScramCredentials(users?: readonly string[]): Promise<{ user: string; credentials: { mechanism: string; iterations: number }[] }[]>;
  /** AlterUserScramCredentials: the password is salted and hashed here; only the salted form is sent. */
  alterUserScramCredentials(alterations: readonly ScramAlteration[]): Promise<void>;
  createTopics(topics: readonly NewTopic[], options?: { validateOnly?: boolean; timeoutMs?: number }): Promise<CreateTopicResult[]>;
  deleteTopics(topics: readonly string[], options?: { timeoutMs?: number }): Promise<void>;
  listTopics(options?: { includeInternal?: boolean }): Promise<string[]>;
  /** All topics when `topics` is omitted. Throws UNKNOWN_TOPIC_OR_PARTITION for a missing one. */
  describeTopics(topics?: readonly string[]): Promise<TopicDescription[]>;
  /** Grow topics to `totalCount` partitions. */
  createPartitions(
    requests: readonly { topic: string; totalCount: number; assignments?: readonly (readonly number[])[] }[],
    options?: { validateOnly?: boolean; timeoutMs?: number },
  ): Promise<void>;
  describeConfigs(resource: ConfigResource, options?: DescribeConfigsOptions): Promise<ConfigEntry[]>;
  /** Legacy AlterConfigs: replaces the whole dynamic config of the resource with `configs`. */
  alterConfigs(resource: ConfigResource, configs: Readonly<Record<string, string>>, options?: { validateOnly?: boolean }): Promise<void>;
  incrementalAlterConfigs(resource: ConfigResource, alterations: readonly ConfigAlteration[], options?: { validateOnly?: boolean }): Promise<void>;
  listOffsets(
    queries: readonly (TopicPartition & { spec: OffsetSpec })[],
    options?: { isolationLevel?: IsolationLevel },
  ): Promise<ListOffsetsResult[]>;
  /** Delete records before `offset` (-1: up to the high watermark). */
  deleteRecords(requests: readonly (TopicPartition & { offset: number })[], options?: { timeoutMs?: number }): Promise<DeleteRecordsResult[]>;
  /** All brokers when `brokerIds` is omitted; all topics when `topics` is omitted. */
  describeLogDirs(options?: { brokerIds?: readonly number[]; topics?: readonly string[] }): Promise<LogDirDescription[]>;
  describeCluster(): Promise<ClusterDescription>;
  /** Move replicas between log dirs of their brokers; one outcome per replica, by broker. */
  alterReplicaLogDirs(moves: readonly ReplicaLogDir[]): Promise<(PartitionOutcome & { brokerId: number })[]>;
  /** Start (replicas) or cancel (null) reassignments on the controller; one outcome per partition. */
  alterPartitionReassignments(
    reassignments: readonly (TopicPartition & { replicas: readonly number[] | null })[],
    options?: { timeoutMs?: number },
  ): Promise<PartitionOutcome[]>;
  /** Reassignments in progress; all when `partitions` is omitted. */
  listPartitionReassignments(partitions?: readonly TopicPartition[], options?: { timeoutMs?: number }): Promise<OngoingReassignment[]>;
  /**
   * A consumer Fetch (replica id -1, v11+ so followers answer too, KIP-392) sent to one
   * broker for its replicas of `partitions`, whether it leads them or not.
   */
  fetchFromReplica(
    brokerId: number,
    partitions: readonly (TopicPartition & { fetchOffset: number })[],
    options: { partitionMaxBytes: number; maxWaitMs: number },
  ): Promise<ReplicaFetchResult[]>;
  /** The ApiVersions answer of every broker in the cluster. */
  brokerApiVersions(): Promise<BrokerApiVersions[]>;
  /** Elect leaders; all partitions when `partitions` is null. */
  electLeaders(electionType: ElectionType, partitions: readonly TopicPartition[] | null, options?: { timeoutMs?: number }): Promise<PartitionOutcome[]>;
}

export interface OpenClientOptions {
  /** host:port[,host:port...]; also read from config['bootstrap.servers']. */
  bootstrapServer?: string;
  /** Data dir for the local engine (no bootstrap server). Default: $KTS_DATA_DIR, else XDG. */
  dataDir?: string;
  /** Kafka client config names (`client.id`, `acks`, `linger.ms`, ...). Unknown keys are refused. */
  config?: Readonly<Record<string, string>>;
  /** Environment for data dir resolution (the CLI passes io.env). Default: process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  /**
   * The local engine on a data dir that does not exist yet: 'refuse' (a command that only
   * reads: a mistyped --data-dir must not silently become a new cluster) or 'create'
   * (the default; `onCreate` is told, so the user hears about it).
   */
  missingDataDir?: 'refuse' | 'create';
  onCreate?: (dataDir: string) => void;
}

export interface KafkaClient {
  /**
   * 'tcp' to a broker, or 'local': the engine on a data dir, run by this process or by the
   * process that owns the data dir (reached over its Unix socket).
   */
  readonly transport: 'tcp' | 'local';
  /** "127.0.0.1:9092" or "local engine on /path/to/data". */
  readonly target: string;
  readonly admin: Admin;
  /** Producer with the client's config merged with `config`. */
  producer(config?: Readonly<Record<string, string>>): Producer;
  consumer(config?: Readonly<Record<string, string>>): Consumer;
  /** Group consumer: `group.id` and the other group keys (see client/group/) plus consumer config. */
  groupConsumer(config: Readonly<Record<string, string>>): GroupConsumer;
  /** Consumer group admin (list, describe, offsets, delete) through the group coordinator. */
  readonly groups: GroupAdmin;
  /** Transactions admin (list, describe, producers of a partition, abort) for `kts transactions`. */
  readonly transactions: TransactionAdmin;
  /** Closes producers/consumers, connections, and stops an in-process engine cleanly. */
  close(): Promise<void>;
}

export function tpKey(tp: TopicPartition): string {
  return `${tp.topic}:${tp.partition}`;
}
