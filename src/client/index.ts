/**
 * kts's Kafka client: the one door from the CLI to a broker (TCP) or to the local engine
 * (in-process, same encode/decode path).
 *
 * Usage (CLI engineer):
 *
 *   const client = await openClient({ bootstrapServer: args['bootstrap-server'], dataDir, config, env: io.env });
 *   try {
 *     await client.admin.createTopics([{ topic: 't', numPartitions: 3 }]);
 *     const producer = client.producer({ acks: 'all', 'linger.ms': '5' });
 *     const meta = await producer.send({ topic: 't', key: 'k', value: 'v' });
 *     await producer.close();
 *     const consumer = client.consumer({ 'auto.offset.reset': 'earliest' });
 *     consumer.assign([{ topic: 't', partition: 0 }]);
 *     const records = await consumer.poll(1000);
 *   } finally {
 *     await client.close();   // always: stops an in-process engine cleanly
 *   }
 *
 * Transport: `bootstrapServer` (or config `bootstrap.servers`) → TCP. Otherwise the data
 * dir (`dataDir`, else $KTS_DATA_DIR, else XDG): a live `kts server-start` on it (its
 * kts-server.json) → TCP to its listener; else the local engine: in this process, or in
 * the process that already owns the data dir, over its Unix socket (client/local-engine.ts;
 * when that process exits the next request takes over). `client.transport` and
 * `client.target` say which.
 *
 * Behaviour worth knowing:
 * - Producer: idempotent by default (acks=all); falls back to plain sends on brokers
 *   without InitProducerId. One batch per partition in flight (order holds across
 *   retries); max.in.flight.requests.per.connection bounds requests per broker. send()
 *   waits (up to max.block.ms) when buffer.memory is full, and keeps call order.
 * - Each producer and consumer has its own connections (a long-poll fetch never delays a
 *   produce); `client.admin` uses the client's own.
 * - Consumer: assign mode only (no groups). Decodes record batch v2 and legacy v0/v1,
 *   every codec; skips control records, and aborted transactions under read_committed.
 * - Transactions: with transactional.id the producer writes only inside transactions
 *   (initTransactions, beginTransaction, send, sendOffsetsToTransaction,
 *   commitTransaction / abortTransaction); a fenced producer fails with KTS_PRODUCER_FENCED.
 * - Refused with a UsageError naming the reason: unknown config keys (with the closest
 *   name), and Kafka settings kts does not implement (group.*, ssl.*, sasl.*, *.serializer).
 *
 * Errors: Kafka error codes come out as `KafkaError` (src/protocol/errors.ts; `.errorCode`),
 * bad config as `UsageError`, connection problems as `KtsError` with code KTS_CONNECTION
 * and a hint. Offsets/timestamps are JS numbers. Offset maps from the consumer are keyed
 * by `tpKey(tp)` = `${topic}:${partition}`.
 */
export type {
  ScramAlteration,
  Admin,
  AlterConfigOp,
  BrokerNode,
  ClusterDescription,
  BrokerApiVersions,
  ConfigAlteration,
  ConfigEntry,
  ConfigResource,
  ConfigResourceType,
  ConfigSourceName,
  ConfigSynonym,
  Consumer,
  ConsumerRecord,
  CreateTopicResult,
  DeleteRecordsResult,
  DescribeConfigsOptions,
  ElectionType,
  IsolationLevel,
  KafkaClient,
  ListOffsetsResult,
  LogDirDescription,
  LogDirPartition,
  NewTopic,
  OffsetSpec,
  OngoingReassignment,
  OpenClientOptions,
  PartitionOutcome,
  ReplicaFetchResult,
  ReplicaLogDir,
  PartitionInfo,
  DeliveryCallback,
  ValueRun,
  ValuesCallback,
  ConsumerGroupMetadata,
  Producer,
  ProducerRecord,
  RecordHeader,
  RecordMetadata,
  TimestampTypeName,
  TopicDescription,
  TopicPartition,
} from './types.js';
export { tpKey } from './types.js';
export type { GroupAdmin, GroupConsumer, GroupDescription, GroupListing, CommittedOffset, RebalanceListener } from './group/index.js';
export { openClient, defaultDataDir, detachLocalLogDir } from './client.js';
export { CLIENT_CONFIG_KEYS } from './config.js';
