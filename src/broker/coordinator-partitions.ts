/**
 * What the group and the transaction coordinator share about their internal topic
 * (`__consumer_offsets`, `__transaction_state`), after Kafka's GroupMetadataManager and
 * TransactionStateManager:
 *
 * - Ownership: in cluster mode a coordinator serves only the keys whose partition this
 *   broker leads. It loads a partition's state when it becomes the leader (Kafka's
 *   onElection; COORDINATOR_LOAD_IN_PROGRESS meanwhile) and drops it when it becomes a
 *   follower (onResignation; NOT_COORDINATOR from then on). Single-node mode leads every
 *   partition: the coordinator loads them all on first use, as before.
 * - Creation: the topic is created with its replication factor, refused with
 *   COORDINATOR_NOT_AVAILABLE while fewer brokers are alive than that factor.
 * - Writes: appended as the partition's leader, answered only once the high watermark
 *   passed them (acks=all), errors mapped as Kafka's coordinators map them.
 */
import { ErrorCode, KafkaError } from '../protocol/errors.js';
import { errorMessage } from '../util/errors.js';
import type { AppendOrigin } from '../storage/partition-log.js';
import { errorCodeOf } from './error-code.js';
import type { BrokerContext } from './handler.js';
import type { CreateTopicSpec } from './metadata.js';
import { topicPartitionKey } from '../storage/checkpoint.js';

/** How long a new leader waits for its ISR to confirm its log before giving up the load. */
const LOAD_WAIT_MS = 30_000;
const LOAD_RETRY_MS = 1_000;

export interface PartitionLoader {
  /** Replays one partition into the coordinator's state. */
  load(partition: number): Promise<void>;
  /** Drops the state of one partition (answering parked requests with NOT_COORDINATOR). */
  unload(partition: number): void;
}

export class CoordinatorPartitions {
  private readonly loading = new Map<number, Promise<void>>();
  private readonly loaded = new Set<number>();
  /** Which elect() owns the `loading` entry (a resign and a new elect may overlap an old load). */
  private readonly loadTokens = new Map<number, object>();
  /** Bumped on each resignation, so a load that finishes after it is discarded. */
  private readonly generation = new Map<number, number>();

  constructor(
    private readonly broker: BrokerContext,
    readonly topic: string,
    private readonly loader: PartitionLoader,
  ) {
    if (!broker.replicaManager.clusterMode) return;
    broker.replicaManager.onLeadershipChange((leader, follower) => {
      for (const p of follower) if (p.topic === topic) this.resign(p.partition);
      for (const p of leader) if (p.topic === topic) this.elect(p.partition);
    });
    // Leaderships granted before this coordinator existed.
    for (const p of broker.replicaManager.allPartitions()) if (p.topic === topic && p.isLeader) this.elect(p.partition);
  }

  get clusterMode(): boolean {
    return this.broker.replicaManager.clusterMode;
  }

  /** NONE when this broker coordinates keys of `partition`, else NOT_COORDINATOR or COORDINATOR_LOAD_IN_PROGRESS. */
  errorFor(partition: number): number {
    if (!this.clusterMode) return ErrorCode.NONE;
    if (this.loading.has(partition)) return ErrorCode.COORDINATOR_LOAD_IN_PROGRESS;
    if (!this.loaded.has(partition)) return ErrorCode.NOT_COORDINATOR;
    return this.broker.replicaManager.leaderPartition(this.topic, partition).partition ? ErrorCode.NONE : ErrorCode.NOT_COORDINATOR;
  }

  /** Throws the KafkaError of `errorFor` (handlers answer it for the whole request). */
  check(partition: number, what: string): void {
    const code = this.errorFor(partition);
    if (code === ErrorCode.NONE) return;
    const reason = code === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS ? 'is still loading' : 'is not led by this broker';
    throw new KafkaError(code, `${this.topic} partition ${partition} (${what}) ${reason}`);
  }

  /** Resolves once the partition's load (if one is running) is done. */
  afterLoad(partition: number): Promise<void> {
    return this.loading.get(partition) ?? Promise.resolve();
  }

  private elect(partition: number): void {
    if (this.loaded.has(partition) || this.loading.has(partition)) return;
    const generation = this.generation.get(partition) ?? 0;
    const started = this.broker.nowMs();
    const token = {};
    const run = (async () => {
      try {
        await this.awaitCommitted(partition);
        if ((this.generation.get(partition) ?? 0) !== generation) return;
        await this.loader.load(partition);
        // Resigned meanwhile: drop what the load adopted.
        if ((this.generation.get(partition) ?? 0) !== generation) return this.loader.unload(partition);
        this.loaded.add(partition);
        this.broker.log.info(`Loaded ${this.topic}-${partition} as its leader in ${this.broker.nowMs() - started} ms`);
      } catch (err) {
        this.broker.log.error(`Could not load ${this.topic}-${partition}: ${errorMessage(err)}; retrying in ${LOAD_RETRY_MS} ms`);
        this.loader.unload(partition);
        setTimeout(() => {
          const stillLeader = this.broker.replicaManager.leaderPartition(this.topic, partition).partition !== undefined;
          if (stillLeader && (this.generation.get(partition) ?? 0) === generation) this.elect(partition);
        }, LOAD_RETRY_MS).unref();
      } finally {
        if (this.loadTokens.get(partition) === token) {
          this.loading.delete(partition);
          this.loadTokens.delete(partition);
        }
      }
    })();
    this.loading.set(partition, run);
    this.loadTokens.set(partition, token);
  }

  /**
   * A new leader's high watermark may lag its log end offset (it learnt the HW from the old
   * leader one fetch late); everything in its log is committed once the ISR has it, and the
   * replay reads up to the HW, so wait for the HW to reach the log end offset first.
   */
  private async awaitCommitted(partition: number): Promise<void> {
    const p = this.broker.replicaManager.leaderPartition(this.topic, partition).partition;
    if (!p) return;
    const target = p.log.logEndOffset;
    const done = (): boolean => !p.isLeader || p.log.highWatermark >= target;
    if (!done()) await this.broker.purgatory.wait({ keys: [topicPartitionKey(this.topic, partition)], tryComplete: done }, LOAD_WAIT_MS);
    if (!done()) throw new Error(`its high watermark ${p.log.highWatermark} did not reach its log end offset ${target} within ${LOAD_WAIT_MS} ms`);
  }

  private resign(partition: number): void {
    this.generation.set(partition, (this.generation.get(partition) ?? 0) + 1);
    const was = this.loaded.delete(partition) || this.loading.delete(partition);
    this.loadTokens.delete(partition);
    this.loader.unload(partition);
    if (was) this.broker.log.info(`Unloaded ${this.topic}-${partition}: this broker is no longer its leader`);
  }
}

/** Kafka's mapping of an internal-topic append error to what the coordinator's client sees. */
export function coordinatorErrorOf(code: number): number {
  switch (code) {
    case ErrorCode.UNKNOWN_TOPIC_OR_PARTITION:
    case ErrorCode.NOT_ENOUGH_REPLICAS:
    case ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND:
    case ErrorCode.REQUEST_TIMED_OUT:
      return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    case ErrorCode.NOT_LEADER_OR_FOLLOWER:
    case ErrorCode.KAFKA_STORAGE_ERROR:
    case ErrorCode.FENCED_LEADER_EPOCH:
      return ErrorCode.NOT_COORDINATOR;
    case ErrorCode.MESSAGE_TOO_LARGE:
    case ErrorCode.RECORD_LIST_TOO_LARGE:
      return ErrorCode.UNKNOWN_SERVER_ERROR;
    default:
      return code;
  }
}

/**
 * Appends `batch` to a partition this broker leads, then resolves once the ISR has it
 * (high watermark past it): NONE, or the Kafka error (NOT_LEADER_OR_FOLLOWER,
 * NOT_ENOUGH_REPLICAS before appending, NOT_ENOUGH_REPLICAS_AFTER_APPEND, REQUEST_TIMED_OUT).
 * The append itself is synchronous, so callers keep their order by calling in order.
 */
export function appendReplicated(broker: BrokerContext, topic: string, partition: number, batch: Buffer, origin: AppendOrigin, timeoutMs: number): Promise<number> {
  const leader = broker.replicaManager.leaderPartition(topic, partition);
  if (!leader.partition) return Promise.resolve(leader.errorCode);
  const p = leader.partition;
  const minIsr = p.log.config.minInsyncReplicas;
  if (p.isr.length < minIsr) return Promise.resolve(ErrorCode.NOT_ENOUGH_REPLICAS);
  let requiredOffset: number;
  try {
    requiredOffset = p.log.appendAsLeader(batch, p.leaderEpoch, origin).lastOffset + 1;
  } catch (err) {
    return Promise.resolve(errorCodeOf(err, broker.log, `Appending to ${topic}-${partition}`));
  }
  broker.replicaManager.afterLeaderAppend(p);
  const state = (): { done: boolean; errorCode: number } => p.checkEnoughReplicasReachOffset(requiredOffset, minIsr);
  if (state().done) return Promise.resolve(state().errorCode);
  return broker.purgatory.wait({ operation: 'Produce', keys: [topicPartitionKey(topic, partition)], tryComplete: () => state().done }, timeoutMs).then(() => {
    const s = state();
    return s.done ? s.errorCode : ErrorCode.REQUEST_TIMED_OUT;
  });
}

const creations = new WeakMap<BrokerContext, Map<string, Promise<void>>>();

/**
 * Creates an internal topic when missing (one creation at a time per topic). In cluster
 * mode with `replicationFactor` replicas, refused with COORDINATOR_NOT_AVAILABLE while
 * fewer brokers are alive, as Kafka refuses; single-node mode uses one replica.
 */
export function ensureInternalTopic(broker: BrokerContext, spec: CreateTopicSpec): Promise<void> {
  if (broker.metadata.topic(spec.name)) return Promise.resolve();
  let running = creations.get(broker);
  if (!running) creations.set(broker, (running = new Map()));
  const inFlight = running.get(spec.name);
  if (inFlight) return inFlight;
  const cluster = broker.replicaManager.clusterMode;
  const alive = broker.metadataCache.aliveBrokers().length;
  if (cluster && alive < spec.replicationFactor) {
    return Promise.reject(
      new KafkaError(
        ErrorCode.COORDINATOR_NOT_AVAILABLE,
        `${spec.name} needs ${spec.replicationFactor} live brokers (its replication factor) but ${alive} are alive`,
      ),
    );
  }
  const create = (async () => {
    try {
      await broker.metadata.createTopic(cluster ? spec : { ...spec, replicationFactor: 1 });
    } catch (err) {
      if (err instanceof KafkaError && err.errorCode === ErrorCode.TOPIC_ALREADY_EXISTS) return;
      throw err;
    } finally {
      running!.delete(spec.name);
    }
  })();
  running.set(spec.name, create);
  return create;
}
