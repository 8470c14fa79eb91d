/**
 * The contract every API handler codes against: what a handler receives about the request
 * (RequestContext) and about the broker it runs in (BrokerContext), and the shape of a
 * handler itself. One handler file per API lives in broker/apis/ and is listed in
 * broker/apis/index.ts; the router and the ApiVersions response are built from that list.
 *
 * The storage-facing types here are structural (BrokerLogManager, BrokerPartitionLog): the
 * broker names only the members it uses, so storage's classes satisfy them as they are.
 */
import type { BrokerConfig } from './config.js';
import type { ReplicaManager } from './replica/replica-manager.js';
import type { MetadataCache } from './metadata/metadata-cache.js';
import type { MetadataImage } from './metadata.js';
import type { Purgatory } from './purgatory.js';
import type { Logger } from '../util/logger.js';
import type { RequestMemoryBudget } from '../net/memory-budget.js';
import type { OngoingReassignment, PartitionResult, ReassignmentRequest } from '../controller/kafka-controller.js';
import type { TopicPartition } from '../controller/zk-port.js';
import type { ProducerIdAllocator } from './producer-ids.js';
import type { BrokerMetrics } from './metrics/index.js';
import type { LogConfig } from '../storage/log-config.js';
import type { AppendResult, EpochEndOffset, ReadOptions, ReadResult, TimestampOffset } from '../storage/types.js';

/** Storage's result types, under the names the broker uses. */
export type BrokerAppendResult = AppendResult;
export type BrokerReadResult = ReadResult;

/** The members of storage's PartitionLog the broker uses. */
export interface BrokerPartitionLog {
  readonly topic: string;
  readonly partition: number;
  readonly topicId: string;
  readonly logStartOffset: number;
  readonly logEndOffset: number;
  readonly highWatermark: number;
  readonly lastStableOffset: number;
  readonly leaderEpoch: number;
  readonly config: LogConfig;
  appendAsLeader(records: Buffer, leaderEpoch: number): AppendResult | Promise<AppendResult>;
  read(fetchOffset: number, maxBytes: number, options: ReadOptions): ReadResult | Promise<ReadResult>;
  /** read() with the file bytes read off the event loop (Fetch: a slow reader's megabyte does not hold other clients). */
  readAsync(fetchOffset: number, maxBytes: number, options: ReadOptions): Promise<ReadResult>;
  /** Also -1 (latest), -2 (earliest), -3 (max timestamp); null when no record is that late. */
  offsetForTimestamp(timestampMs: number): TimestampOffset | null | Promise<TimestampOffset | null>;
  endOffsetForLeaderEpoch(leaderEpoch: number): EpochEndOffset | Promise<EpochEndOffset>;
  /** Transactions aborted between the offsets (read_committed fetches), from the txn indexes. */
  collectAbortedTxns(fetchOffset: number, upperBoundOffset: number): readonly { producerId: number; firstOffset: number }[];
}

/** The members of storage's LogManager the broker uses. */
export interface BrokerLogManager {
  getLog(topic: string, partition: number): BrokerPartitionLog | undefined;
  allLogs(): Iterable<BrokerPartitionLog>;
  /** One topic's logs (no walk over every partition). */
  topicLogs(topic: string): Iterable<BrokerPartitionLog>;
  createLog(
    topic: string,
    partition: number,
    topicId: string,
    configOverrides: Readonly<Record<string, string>>,
  ): BrokerPartitionLog | Promise<BrokerPartitionLog>;
  /** Several partitions of one topic at once: all are created, or none (a failure removes what it created). */
  createLogs(
    topic: string,
    partitions: readonly number[],
    topicId: string,
    configOverrides: Readonly<Record<string, string>>,
  ): readonly BrokerPartitionLog[] | Promise<readonly BrokerPartitionLog[]>;
  deleteTopic(topic: string): unknown;
}

export type { ListenerEndpoint } from '../net/server.js';
import type { ConnectionSession } from '../net/server-connection.js';
import type { EntityConfigs } from './auth/scram-credentials.js';
import type { ListenerEndpoint } from '../net/server.js';

/** Everything a handler may know about the broker it runs in. */
export interface BrokerContext {
  config: BrokerConfig;
  logManager: BrokerLogManager;
  nodeId: number;
  clusterId: string;
  advertisedListeners: readonly ListenerEndpoint[];
  /** Topics, partitions, leaders, epochs, replicas and ISR as this broker sees them. */
  metadata: MetadataImage;
  /** Delayed operations (long-poll fetch) woken by appends. */
  purgatory: Purgatory;
  nowMs(): number;
  log: Logger;
  /** Producer ids for idempotent producers (persisted, never repeated). */
  producerIds: ProducerIdAllocator;
  /** Bytes in flight across connections (queued.max.request.bytes); Fetch sizes responses to its room. */
  requestMemory?: RequestMemoryBudget;
  /** The handlers this broker serves (ApiVersions advertises exactly these). */
  apis: readonly AnyApiHandler[];
  /** Request metrics, when `kts.metrics.listener` is set (the router calls it per request). */
  metrics?: BrokerMetrics;
  /** Partitions this broker leads or follows, leader checks, ISR and high watermark. */
  replicaManager: ReplicaManager;
  /** Live brokers and partition states of the cluster (UpdateMetadata; single-node: this broker). */
  metadataCache: MetadataCache;
  /** The controller running in this broker (cluster mode); active only while it holds /controller. */
  controller?: ControllerHandle;
  /** Cluster mode: topic config overrides live in ZooKeeper (/config/topics), shared by every broker. */
  clusterTopicConfigs?: ClusterTopicConfigs;
  /** Cluster mode: dynamic broker configs live in ZooKeeper (/config/brokers/<id> and <default>). */
  clusterBrokerConfigs?: ClusterBrokerConfigs;
  /** ZooKeeper's `/config/users` entity configs in cluster mode (SCRAM credentials live there). */
  zkEntityConfigs?: EntityConfigs;
}

/** Topic config overrides as ZooKeeper holds them (cluster mode), kept current by change notifications. */
export interface ClusterTopicConfigs {
  overrides(topic: string): Record<string, string>;
  set(topic: string, overrides: Record<string, string>): Promise<void>;
  /** A topic created with these overrides (written to ZooKeeper with the topic, no notification). */
  remember(topic: string, overrides: Record<string, string>): void;
}

/** Dynamic broker configs as ZooKeeper holds them; `set` writes and notifies every broker. */
export interface ClusterBrokerConfigs {
  set(scope: 'broker' | 'cluster', values: Record<string, string>): Promise<void>;
}

/** What request handlers may ask of the controller running in this broker. */
export interface ControllerHandle {
  isActive(): boolean;
  controlledShutdown(brokerId: number, brokerEpoch: number): Promise<{ errorCode: number; partitionsRemaining: Array<{ topic: string; partition: number }> }>;
  /** ElectLeaders: type 0 preferred, 1 unclean; null = every partition. */
  electLeaders(electionType: number, partitions: readonly TopicPartition[] | null): Promise<PartitionResult[]>;
  alterPartitionReassignments(requests: readonly ReassignmentRequest[]): Promise<PartitionResult[]>;
  /** null when this broker is no longer the active controller. */
  listPartitionReassignments(partitions: readonly TopicPartition[] | null): Promise<OngoingReassignment[] | null>;
}

/** What a handler knows about one request. */
export interface RequestContext {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
  connectionId: string;
  clientHost: string;
  listenerName: string;
  /** The connection's security state; absent for the in-process transport. */
  session?: ConnectionSession;
  /** `User:alice`, `User:ANONYMOUS`, or `User:kts-local` for the in-process transport. */
  principal: string;
  broker: BrokerContext;
  /** Send this request's response, then close the connection (failed SASL exchanges). */
  closeConnectionAfterResponse(reason: string): void;
}

/**
 * One API. `Req`/`Res` are the protocol module's message types for the API. A handler
 * returning `null` sends no response (only Produce with acks=0 does that).
 */
export interface ApiHandler<Req = unknown, Res = unknown> {
  apiKey: number;
  minVersion: number;
  maxVersion: number;
  /**
   * Versions below minVersion that are still advertised in ApiVersions (Kafka 4 advertises
   * Produce from v0 so that librdkafka keeps compression on) but answered with
   * UNSUPPORTED_VERSION. Omitted: advertise exactly minVersion..maxVersion.
   */
  advertisedMinVersion?: number;
  /**
   * Run this API's requests from one connection one after another, in arrival order, even
   * when the client pipelines them (Produce: appends of an idempotent producer must land
   * in sequence order on every partition, as Kafka guarantees by handling one request per
   * connection at a time). Other APIs run concurrently; responses are ordered regardless.
   */
  serializePerConnection?: boolean;
  handle(request: Req, ctx: RequestContext): Promise<Res | DeferredResponse<Res> | null> | Res | DeferredResponse<Res> | null;
  /**
   * The response to send when the request could not be handled: every partition/topic
   * carries `errorCode`. Used for UNSUPPORTED_VERSION on advertised-but-refused versions and
   * for UNKNOWN_SERVER_ERROR when handle() throws. Omitted: the connection is closed instead.
   */
  errorResponse?(request: Req, errorCode: number, ctx: RequestContext): Res;
}

/**
 * A handler with its request/response types erased, as kept in the handler list. `never`
 * accepts every handler (method parameters are checked bivariantly); the router, which
 * decoded the request with the API's own schema, calls it through `invokeHandler`.
 */
export type AnyApiHandler = ApiHandler<never, unknown>;

type ErasedHandle = (request: unknown, ctx: RequestContext) => Promise<unknown> | unknown;
type ErasedErrorResponse = (request: unknown, errorCode: number, ctx: RequestContext) => unknown;

/** Calls `handler.handle` with a request decoded by the schema of the handler's API. */
export function invokeHandler(handler: AnyApiHandler, request: unknown, ctx: RequestContext): Promise<unknown> | unknown {
  return (handler.handle as ErasedHandle).call(handler, request, ctx);
}

/** The handler's error response for `request`, or undefined when it has none. */
export function invokeErrorResponse(handler: AnyApiHandler, request: unknown, errorCode: number, ctx: RequestContext): unknown {
  const build = handler.errorResponse as ErasedErrorResponse | undefined;
  return build ? build.call(handler, request, errorCode, ctx) : undefined;
}

/**
 * A response that is known later. A handler that must finish its work in arrival order
 * (serializePerConnection) but then wait, like Produce with acks=all waiting for the ISR,
 * returns one: the connection's next request starts as soon as handle() returns, and the
 * response goes out when `response` settles (responses stay in request order).
 */
export class DeferredResponse<Res> {
  constructor(readonly response: Promise<Res>) {}
}

/** Helper so each handler file gets type inference against its message types. */
export function defineHandler<Req, Res>(handler: ApiHandler<Req, Res>): ApiHandler<Req, Res> {
  return handler;
}
