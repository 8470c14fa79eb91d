/**
 * The transaction coordinator, after Kafka's classic (pre-KIP-890) TransactionCoordinator:
 * one state per transactional id — Empty → Ongoing → PrepareCommit/PrepareAbort →
 * CompleteCommit/CompleteAbort, PrepareEpochFence when a new producer fences an open
 * transaction — kept in `__transaction_state` and replayed on start. EndTxn writes a
 * COMMIT/ABORT control batch (with the coordinator epoch) to every partition of the
 * transaction — the one on `__consumer_offsets` makes the group coordinator apply or drop
 * the TxnOffsetCommit offsets already written there — then records the Complete state; requests for the id meanwhile get CONCURRENT_TRANSACTIONS.
 * One timer tick aborts transactions open longer than their timeout, bumping the epoch so
 * the late producer is fenced, and removes ids idle past transactional.id.expiration.ms.
 *
 * Cluster mode: the coordinator serves only the ids whose `__transaction_state` partition
 * this broker leads (loaded on becoming leader, dropped on becoming follower: Kafka's
 * COORDINATOR_LOAD_IN_PROGRESS / NOT_COORDINATOR); state writes wait for the ISR; markers
 * for partitions led elsewhere go to their leaders as WriteTxnMarkers (marker-sender.ts),
 * and EndTxn is answered once PrepareCommit/PrepareAbort is stored, as Kafka does, the
 * markers and the Complete state following (requests meanwhile: CONCURRENT_TRANSACTIONS).
 * Produce and TxnOffsetCommit reach partition leaders and group coordinators that may not
 * coordinate the id: there the producer's epoch is checked by the partition's producer
 * state (storage), as in Kafka, not by this coordinator.
 */
import { ErrorCode, KafkaError } from '../../protocol/errors.js';
import { encodeEndTransactionMarkerBatch } from '../../records/control.js';
import type { TransactionLogValue } from '../../protocol/internal/transaction-log.js';
import { offsetsPartitionFor } from '../../protocol/internal/consumer-offsets.js';
import { errorMessage } from '../../util/errors.js';
import { appendReplicated, CoordinatorPartitions } from '../coordinator-partitions.js';
import { TxnMarkerSender, type MarkerSpec } from './marker-sender.js';
import { groupCoordinatorOf, type TxnCommitMember } from '../group/coordinator.js';
import { OFFSETS_TOPIC } from '../group/store.js';
import type { BrokerContext } from '../handler.js';
import { TransactionStateStore, TRANSACTION_STATE_TOPIC } from './store.js';

export type { MarkerSpec } from './marker-sender.js';

export type TxnState = 'Empty' | 'Ongoing' | 'PrepareCommit' | 'PrepareAbort' | 'CompleteCommit' | 'CompleteAbort' | 'Dead' | 'PrepareEpochFence';
export const TXN_STATES: readonly TxnState[] = ['Empty', 'Ongoing', 'PrepareCommit', 'PrepareAbort', 'CompleteCommit', 'CompleteAbort', 'Dead', 'PrepareEpochFence'];
const MAX_EPOCH = 32767;
/** Kafka's defaults of transaction.abort.timed.out.transaction.cleanup.interval.ms / transaction.remove.expired.transaction.cleanup.interval.ms. */
const ABORT_CHECK_INTERVAL_MS = 10_000;
const EXPIRY_CHECK_INTERVAL_MS = 3_600_000;

/** One TxnOffsetCommit offset, written by the group coordinator as a transactional record. */
export interface PendingOffset {
  topic: string;
  partition: number;
  offset: number;
  leaderEpoch: number;
  metadata: string;
}

/** What the coordinator knows about one transactional id. */
export interface TxnMetadata {
  readonly transactionalId: string;
  producerId: number;
  previousProducerId: number;
  producerEpoch: number;
  /** The epoch before the last bump (a producer retrying InitProducerId with it is not fenced). */
  lastProducerEpoch: number;
  timeoutMs: number;
  state: TxnState;
  /** topic → partitions in the open transaction. */
  partitions: Map<string, Set<number>>;
  startTimestampMs: number;
  lastUpdateTimestampMs: number;
  /** A state write or marker round is in progress: other requests get CONCURRENT_TRANSACTIONS. */
  busy: boolean;
}

export interface InitProducerIdResult {
  errorCode: number;
  producerId: number;
  producerEpoch: number;
}

export interface TopicPartitions {
  name: string;
  partitions: number[];
}

export class TransactionCoordinator {
  readonly store: TransactionStateStore;
  private readonly txns = new Map<string, TxnMetadata>();
  private readonly timer: NodeJS.Timeout;
  private loaded: Promise<void> | undefined;
  private stopped = false;
  private readonly expiryCheckIntervalMs: number;
  private lastExpiryCheckMs: number;
  readonly partitions: CoordinatorPartitions;
  private readonly markers: TxnMarkerSender;

  constructor(private readonly broker: BrokerContext) {
    this.store = new TransactionStateStore(broker);
    this.markers = new TxnMarkerSender(broker, (topic, partition, marker) => appendMarker(broker, topic, partition, marker));
    this.partitions = new CoordinatorPartitions(broker, TRANSACTION_STATE_TOPIC, {
      load: async (p) => this.adopt(await this.store.loadPartition(p)),
      unload: (p) => {
        for (const id of [...this.txns.keys()]) if (this.store.partitionFor(id) === p) this.txns.delete(id);
      },
    });
    // Cluster mode loads partitions as this broker becomes their leader, not all at once.
    if (this.partitions.clusterMode) this.loaded = Promise.resolve();
    const interval = (key: string, dflt: number): number => {
      const n = Number(broker.config.raw[key] ?? dflt);
      return Number.isSafeInteger(n) && n > 0 ? n : dflt;
    };
    this.expiryCheckIntervalMs = interval('transaction.remove.expired.transaction.cleanup.interval.ms', EXPIRY_CHECK_INTERVAL_MS);
    this.lastExpiryCheckMs = broker.nowMs();
    this.timer = setInterval(() => void this.runTimers(), interval('transaction.abort.timed.out.transaction.cleanup.interval.ms', ABORT_CHECK_INTERVAL_MS));
    this.timer.unref();
  }

  private get now(): number {
    return this.broker.nowMs();
  }

  /** Replays `__transaction_state` once and finishes transactions caught mid-commit/abort. */
  ready(): Promise<void> {
    return (this.loaded ??= this.load());
  }

  private async load(): Promise<void> {
    const states = await this.store.load();
    this.adopt(states);
    if (states.size > 0) this.broker.log.info(`Loaded ${states.size} transactional id(s) from ${TRANSACTION_STATE_TOPIC}`);
  }

  /** Takes over replayed ids and finishes the transactions caught mid-commit/abort. */
  private adopt(states: Map<string, TransactionLogValue>): void {
    for (const [id, v] of states) {
      const meta = fromLogValue(id, v);
      this.txns.set(id, meta);
      if (meta.state === 'PrepareCommit' || meta.state === 'PrepareAbort' || meta.state === 'PrepareEpochFence') {
        meta.busy = true;
        this.writeMarkersAndComplete(meta, meta.state === 'PrepareCommit').catch((err: unknown) => {
          this.broker.log.error(`Could not complete the transaction of '${meta.transactionalId}': ${errorMessage(err)}`);
        });
      }
    }
  }

  /** Throws NOT_COORDINATOR / COORDINATOR_LOAD_IN_PROGRESS unless this broker coordinates the id. */
  private checkCoordinator(transactionalId: string): void {
    this.partitions.check(this.store.partitionFor(transactionalId), `transactional id '${transactionalId}'`);
  }

  /** True when this broker coordinates the id (single-node mode: always). */
  coordinates(transactionalId: string): boolean {
    return this.partitions.errorFor(this.store.partitionFor(transactionalId)) === ErrorCode.NONE;
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
    this.markers.stop();
  }

  async ensureTopic(): Promise<void> {
    await this.store.ensureTopic();
  }

  get(transactionalId: string): TxnMetadata | undefined {
    return this.txns.get(transactionalId);
  }

  all(): Iterable<TxnMetadata> {
    return this.txns.values();
  }

  // ---- InitProducerId -------------------------------------------------------------------

  async initProducerId(transactionalId: string, timeoutMs: number, expectedProducerId: number, expectedEpoch: number): Promise<InitProducerIdResult> {
    const fail = (errorCode: number): InitProducerIdResult => ({ errorCode, producerId: -1, producerEpoch: -1 });
    if (transactionalId === '') return fail(ErrorCode.INVALID_REQUEST);
    if (timeoutMs <= 0 || timeoutMs > this.broker.config.transactionMaxTimeoutMs) return fail(ErrorCode.INVALID_TRANSACTION_TIMEOUT);
    await this.ready();
    if (this.stopped) return fail(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    this.checkCoordinator(transactionalId);
    let meta = this.txns.get(transactionalId);
    if (!meta) {
      const producerId = await this.broker.producerIds.next();
      // Another InitProducerId of this id may have run while the id was allocated.
      meta = this.txns.get(transactionalId);
      if (!meta) {
        meta = newMetadata(transactionalId, producerId, timeoutMs, this.now);
        this.txns.set(transactionalId, meta);
        return this.persistInit(meta, meta.producerId, 0, timeoutMs, fail);
      }
    }
    if (meta.busy) return fail(ErrorCode.CONCURRENT_TRANSACTIONS);
    if (expectedProducerId >= 0 && !isExpectedProducer(meta, expectedProducerId, expectedEpoch)) return fail(ErrorCode.PRODUCER_FENCED);
    switch (meta.state) {
      case 'PrepareCommit':
      case 'PrepareAbort':
      case 'PrepareEpochFence':
        return fail(ErrorCode.CONCURRENT_TRANSACTIONS);
      case 'Ongoing':
        // Fence the open transaction: bump the epoch and abort with it; the producer retries.
        void this.abortWithBumpedEpoch(meta, 'fenced by a new producer');
        return fail(ErrorCode.CONCURRENT_TRANSACTIONS);
      default: {
        const exhausted = meta.producerEpoch >= MAX_EPOCH - 1;
        const producerId = exhausted ? await this.broker.producerIds.next() : meta.producerId;
        const epoch = exhausted ? 0 : meta.producerEpoch + 1;
        return this.persistInit(meta, producerId, epoch, timeoutMs, fail);
      }
    }
  }

  private async persistInit(
    meta: TxnMetadata,
    producerId: number,
    epoch: number,
    timeoutMs: number,
    fail: (code: number) => InitProducerIdResult,
  ): Promise<InitProducerIdResult> {
    const sameId = producerId === meta.producerId;
    const next: TxnMetadata = { ...meta, producerId, previousProducerId: sameId ? meta.previousProducerId : meta.producerId, producerEpoch: epoch, lastProducerEpoch: sameId ? meta.producerEpoch : -1, timeoutMs, state: 'Empty', partitions: new Map(), startTimestampMs: -1, lastUpdateTimestampMs: this.now };
    const code = await this.transition(meta, next);
    if (code !== ErrorCode.NONE) return fail(code);
    return { errorCode: ErrorCode.NONE, producerId, producerEpoch: epoch };
  }

  // ---- AddPartitionsToTxn / AddOffsetsToTxn ---------------------------------------------

  /** Error codes per topic/partition; unknown partitions fail the request as Kafka does. */
  async addPartitions(transactionalId: string, producerId: number, producerEpoch: number, topics: readonly TopicPartitions[]): Promise<Map<string, Map<number, number>>> {
    await this.ready();
    this.checkCoordinator(transactionalId);
    const exists = (topic: string, p: number): boolean => this.broker.metadata.topic(topic)?.partitions.some((q) => q.partitionIndex === p) ?? false;
    const unknown = topics.some((t) => t.partitions.some((p) => !exists(t.name, p)));
    if (unknown) {
      return codes(topics, (t, p) => (exists(t, p) ? ErrorCode.OPERATION_NOT_ATTEMPTED : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION));
    }
    const error = await this.add(transactionalId, producerId, producerEpoch, topics);
    return codes(topics, () => error);
  }

  async addOffsets(transactionalId: string, producerId: number, producerEpoch: number, groupId: string): Promise<number> {
    await this.ready();
    this.checkCoordinator(transactionalId);
    const groups = groupCoordinatorOf(this.broker);
    await groups.ensureOffsetsTopic();
    return this.add(transactionalId, producerId, producerEpoch, [{ name: OFFSETS_TOPIC, partitions: [this.offsetsPartitionFor(groupId)] }]);
  }

  offsetsPartitionFor(groupId: string): number {
    const topic = this.broker.metadata.topic(OFFSETS_TOPIC);
    const count = topic ? topic.partitions.length : this.broker.config.offsetsTopicNumPartitions;
    return offsetsPartitionFor(groupId, count);
  }

  private async add(transactionalId: string, producerId: number, producerEpoch: number, topics: readonly TopicPartitions[]): Promise<number> {
    const meta = this.txns.get(transactionalId);
    const check = this.checkProducer(meta, producerId, producerEpoch);
    if (check !== ErrorCode.NONE) return check;
    const m = meta!;
    if (m.state === 'PrepareCommit' || m.state === 'PrepareAbort') return ErrorCode.CONCURRENT_TRANSACTIONS;
    if (m.state === 'PrepareEpochFence' || m.state === 'Dead') return ErrorCode.INVALID_TXN_STATE;
    const ongoing = m.state === 'Ongoing';
    if (ongoing && topics.every((t) => t.partitions.every((p) => m.partitions.get(t.name)?.has(p)))) return ErrorCode.NONE;
    const partitions = new Map([...m.partitions].map(([t, ps]) => [t, new Set(ps)]));
    for (const t of topics) {
      let set = partitions.get(t.name);
      if (!set) partitions.set(t.name, (set = new Set()));
      for (const p of t.partitions) set.add(p);
    }
    const now = this.now;
    const next: TxnMetadata = { ...m, state: 'Ongoing', partitions, startTimestampMs: ongoing ? m.startTimestampMs : now, lastUpdateTimestampMs: now };
    return this.transition(m, next);
  }

  // ---- TxnOffsetCommit --------------------------------------------------------------------

  /** Holds the offsets until the transaction ends, once `member` passed the group's KIP-447 check. */
  async txnOffsetCommit(transactionalId: string, producerId: number, producerEpoch: number, groupId: string, offsets: readonly PendingOffset[], member?: TxnCommitMember): Promise<number> {
    await this.ready();
    // Sent to the group's coordinator, which may not coordinate the transactional id (cluster mode).
    if (this.coordinates(transactionalId)) {
      const meta = this.txns.get(transactionalId);
      const check = this.checkProducer(meta, producerId, producerEpoch);
      if (check !== ErrorCode.NONE) return check;
      const m = meta!;
      if (m.state !== 'Ongoing' || !m.partitions.get(OFFSETS_TOPIC)?.has(this.offsetsPartitionFor(groupId))) return ErrorCode.INVALID_TXN_STATE;
    }
    try {
      return await groupCoordinatorOf(this.broker).storeTransactionalOffsets(groupId, { producerId, producerEpoch }, offsets, member);
    } catch (err) {
      if (err instanceof KafkaError) return err.errorCode;
      this.broker.log.error(`Could not write the transactional offsets of group '${groupId}': ${errorMessage(err)}`);
      return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    }
  }

  // ---- EndTxn -------------------------------------------------------------------------------

  async endTxn(transactionalId: string, producerId: number, producerEpoch: number, commit: boolean): Promise<number> {
    await this.ready();
    this.checkCoordinator(transactionalId);
    const meta = this.txns.get(transactionalId);
    const check = this.checkProducer(meta, producerId, producerEpoch);
    if (check !== ErrorCode.NONE) return check;
    const m = meta!;
    switch (m.state) {
      case 'Ongoing':
        break;
      case 'CompleteCommit':
        return commit ? ErrorCode.NONE : ErrorCode.INVALID_TXN_STATE;
      case 'CompleteAbort':
        return commit ? ErrorCode.INVALID_TXN_STATE : ErrorCode.NONE;
      case 'PrepareCommit':
        return commit ? ErrorCode.CONCURRENT_TRANSACTIONS : ErrorCode.INVALID_TXN_STATE;
      case 'PrepareAbort':
        return commit ? ErrorCode.INVALID_TXN_STATE : ErrorCode.CONCURRENT_TRANSACTIONS;
      case 'PrepareEpochFence':
        return ErrorCode.INVALID_PRODUCER_EPOCH;
      default:
        return ErrorCode.INVALID_TXN_STATE;
    }
    const next: TxnMetadata = { ...m, state: commit ? 'PrepareCommit' : 'PrepareAbort', lastUpdateTimestampMs: this.now };
    const prepared = await this.transition(m, next, true);
    if (prepared !== ErrorCode.NONE) return prepared;
    const completing = this.writeMarkersAndComplete(m, commit);
    // Single-node mode writes every marker here: answer once they are in (readers see them at once).
    if (!this.partitions.clusterMode) return completing;
    completing.catch((err: unknown) => this.broker.log.error(`Could not complete the transaction of '${transactionalId}': ${errorMessage(err)}`));
    return ErrorCode.NONE;
  }

  /** Produce check: a transactional batch goes only to a partition of the producer's open transaction. */
  checkProduce(transactionalId: string, producerId: number, producerEpoch: number, topic: string, partition: number): number {
    // Another broker coordinates the id: the partition's producer state checks the epoch.
    if (!this.coordinates(transactionalId)) return ErrorCode.NONE;
    const meta = this.txns.get(transactionalId);
    if (!meta || meta.producerId !== producerId) return ErrorCode.INVALID_PRODUCER_ID_MAPPING;
    if (producerEpoch < meta.producerEpoch) return ErrorCode.INVALID_PRODUCER_EPOCH;
    if (meta.state !== 'Ongoing' || producerEpoch !== meta.producerEpoch || !meta.partitions.get(topic)?.has(partition)) return ErrorCode.INVALID_TXN_STATE;
    return ErrorCode.NONE;
  }

  /** Kafka's order of checks for a producer's request about its transaction. */
  private checkProducer(meta: TxnMetadata | undefined, producerId: number, producerEpoch: number): number {
    if (this.stopped) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    if (!meta || meta.producerId !== producerId) return ErrorCode.INVALID_PRODUCER_ID_MAPPING;
    if (meta.producerEpoch !== producerEpoch) return ErrorCode.PRODUCER_FENCED;
    if (meta.busy) return ErrorCode.CONCURRENT_TRANSACTIONS;
    return ErrorCode.NONE;
  }

  // ---- state changes and markers ----------------------------------------------------------

  /**
   * Writes `next` to the log, then adopts it; `keepBusy` leaves the id busy for the marker
   * round. NONE, or the error for the client (NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE).
   */
  private async transition(meta: TxnMetadata, next: TxnMetadata, keepBusy = false): Promise<number> {
    meta.busy = true;
    try {
      await this.store.write(meta.transactionalId, toLogValue(next), this.now);
    } catch (err) {
      this.broker.log.error(`Could not write the state of transactional id '${meta.transactionalId}': ${errorMessage(err)}`);
      meta.busy = false;
      return err instanceof KafkaError ? err.errorCode : ErrorCode.COORDINATOR_NOT_AVAILABLE;
    }
    Object.assign(meta, next, { busy: keepBusy });
    return ErrorCode.NONE;
  }

  /** Fences an open transaction: epoch + 1, then abort with it (timeouts and a new producer). */
  private async abortWithBumpedEpoch(meta: TxnMetadata, reason: string): Promise<void> {
    const epoch = meta.producerEpoch + 1;
    const next: TxnMetadata = { ...meta, producerEpoch: epoch, lastProducerEpoch: meta.producerEpoch, state: 'PrepareAbort', lastUpdateTimestampMs: this.now };
    this.broker.log.info(`Aborting transaction of '${meta.transactionalId}' (producer ${meta.producerId}, epoch ${meta.producerEpoch} → ${epoch}): ${reason}`);
    try {
      if ((await this.transition(meta, next, true)) === ErrorCode.NONE) await this.writeMarkersAndComplete(meta, false);
    } catch (err) {
      this.broker.log.error(`Could not abort the transaction of '${meta.transactionalId}': ${errorMessage(err)}`);
    }
  }

  /**
   * Markers on every partition (the one on `__consumer_offsets` settles the transaction's
   * offsets), then the Complete state once every marker is in. When this broker stops
   * coordinating the id meanwhile, it stops here: the new coordinator finds the Prepare
   * state and sends the markers again.
   */
  private async writeMarkersAndComplete(meta: TxnMetadata, commit: boolean): Promise<number> {
    const coordinatorEpoch = this.store.coordinatorEpochFor(meta.transactionalId);
    const spec: MarkerSpec = { producerId: meta.producerId, producerEpoch: meta.producerEpoch, commit, coordinatorEpoch };
    const stillOurs = (): boolean => this.txns.get(meta.transactionalId) === meta && this.coordinates(meta.transactionalId);
    const sends: Promise<void>[] = [];
    for (const [topic, partitions] of meta.partitions) {
      for (const partition of partitions) {
        sends.push(
          this.markers.send(topic, partition, spec, stillOurs).then((code) => {
            // A partition deleted since it joined the transaction needs no marker.
            if (code !== ErrorCode.NONE && code !== ErrorCode.UNKNOWN_TOPIC_OR_PARTITION && stillOurs()) {
              this.broker.log.error(`Could not write the ${commit ? 'COMMIT' : 'ABORT'} marker of producer ${meta.producerId} to ${topic}-${partition}: error ${code}`);
            }
          }),
        );
      }
    }
    await Promise.all(sends);
    if (!stillOurs()) return ErrorCode.NOT_COORDINATOR;
    const next: TxnMetadata = { ...meta, state: commit ? 'CompleteCommit' : 'CompleteAbort', partitions: new Map(), lastUpdateTimestampMs: this.now };
    return this.transition(meta, next);
  }

  /**
   * The timer tick (public for tests with a controlled clock): aborts timed-out
   * transactions and, every transaction.remove.expired.transaction.cleanup.interval.ms,
   * expires idle ids. Resolves when that work is done.
   */
  async runTimers(): Promise<void> {
    if (this.stopped || !this.loaded) return;
    const now = this.now;
    const work: Promise<void>[] = [];
    for (const meta of this.txns.values()) {
      if (meta.state === 'Ongoing' && !meta.busy && now - meta.startTimestampMs > meta.timeoutMs) {
        work.push(this.abortWithBumpedEpoch(meta, `transaction timed out after ${meta.timeoutMs} ms`));
      }
    }
    if (now - this.lastExpiryCheckMs >= this.expiryCheckIntervalMs) {
      this.lastExpiryCheckMs = now;
      work.push(this.expireTransactionalIds(now));
    }
    await Promise.all(work);
  }

  /** Kafka's transactional.id.expiration.ms: ids idle that long with no open transaction are removed (tombstone). */
  private async expireTransactionalIds(now: number): Promise<void> {
    const expirationMs = this.broker.config.transactionalIdExpirationMs;
    for (const meta of [...this.txns.values()]) {
      const idle = meta.state === 'Empty' || meta.state === 'CompleteCommit' || meta.state === 'CompleteAbort';
      if (!idle || meta.busy || now - meta.lastUpdateTimestampMs < expirationMs) continue;
      meta.busy = true;
      try {
        await this.store.write(meta.transactionalId, null, now);
        this.txns.delete(meta.transactionalId);
        this.broker.log.info(`Expired transactional id '${meta.transactionalId}' after ${expirationMs} ms without a transaction`);
      } catch (err) {
        meta.busy = false;
        this.broker.log.error(`Could not expire transactional id '${meta.transactionalId}': ${errorMessage(err)}`);
      }
    }
  }
}

/**
 * Appends a COMMIT/ABORT marker to a partition this broker leads and resolves once the ISR
 * has it (acks=all, as Kafka writes markers); the Kafka error code (NOT_LEADER_OR_FOLLOWER
 * when led elsewhere; storage refuses a marker from an older producer epoch or coordinator
 * epoch).
 */
export async function appendMarker(broker: BrokerContext, topic: string, partition: number, marker: MarkerSpec): Promise<number> {
  const batch = encodeEndTransactionMarkerBatch({ producerId: marker.producerId, producerEpoch: marker.producerEpoch, commit: marker.commit, coordinatorEpoch: marker.coordinatorEpoch, timestampMs: broker.nowMs() });
  const code = await appendReplicated(broker, topic, partition, batch, 'coordinator', Number(broker.config.raw['request.timeout.ms'] ?? 30_000));
  // The group coordinator applies (or drops) the producer's offsets as Kafka's does on this marker.
  if (code === ErrorCode.NONE && topic === OFFSETS_TOPIC) groupCoordinatorOf(broker).completeTransaction(marker.producerId, partition, marker.commit);
  return code;
}

function isExpectedProducer(meta: TxnMetadata, producerId: number, epoch: number): boolean {
  if (producerId === meta.producerId) return epoch === meta.producerEpoch || epoch === meta.lastProducerEpoch;
  return producerId === meta.previousProducerId;
}

function codes(topics: readonly TopicPartitions[], code: (topic: string, partition: number) => number): Map<string, Map<number, number>> {
  return new Map(topics.map((t) => [t.name, new Map(t.partitions.map((p) => [p, code(t.name, p)]))]));
}

function newMetadata(transactionalId: string, producerId: number, timeoutMs: number, nowMs: number): TxnMetadata {
  return {
    transactionalId,
    producerId,
    previousProducerId: -1,
    producerEpoch: -1,
    lastProducerEpoch: -1,
    timeoutMs,
    state: 'Empty',
    partitions: new Map(),
    startTimestampMs: -1,
    lastUpdateTimestampMs: nowMs,
    busy: false,
  };
}

function toLogValue(m: TxnMetadata): TransactionLogValue {
  const partitions = [...m.partitions].map(([topic, ps]) => ({ topic, partitionIds: [...ps].sort((a, b) => a - b) }));
  return {
    producerId: m.producerId,
    producerEpoch: m.producerEpoch,
    transactionTimeoutMs: m.timeoutMs,
    transactionStatus: TXN_STATES.indexOf(m.state),
    transactionPartitions: m.state === 'Empty' ? null : partitions,
    transactionLastUpdateTimestampMs: m.lastUpdateTimestampMs,
    transactionStartTimestampMs: m.startTimestampMs,
  };
}

function fromLogValue(transactionalId: string, v: TransactionLogValue): TxnMetadata {
  const m = newMetadata(transactionalId, v.producerId, v.transactionTimeoutMs, v.transactionLastUpdateTimestampMs);
  m.producerEpoch = v.producerEpoch;
  m.previousProducerId = v.previousProducerId ?? -1;
  m.state = TXN_STATES[v.transactionStatus] ?? 'Dead';
  m.startTimestampMs = v.transactionStartTimestampMs;
  for (const p of v.transactionPartitions ?? []) m.partitions.set(p.topic, new Set(p.partitionIds));
  return m;
}

const coordinators = new WeakMap<BrokerContext, TransactionCoordinator>();

/** The transaction coordinator of this broker (created on first use). */
export function transactionCoordinatorOf(broker: BrokerContext): TransactionCoordinator {
  let c = coordinators.get(broker);
  if (!c) coordinators.set(broker, (c = new TransactionCoordinator(broker)));
  return c;
}

/** Called by the broker's stop. */
export function stopTransactionCoordinator(broker: BrokerContext): void {
  coordinators.get(broker)?.stop();
}

/**
 * Called by the broker's start: when `__transaction_state` exists, replay it now so
 * transactions caught mid-commit are finished and open ones time out without waiting for
 * a client to come back.
 */
export function startTransactionCoordinator(broker: BrokerContext): void {
  if (broker.replicaManager.clusterMode) {
    // Both coordinators must hear of every leadership the controller grants from now on.
    groupCoordinatorOf(broker);
    transactionCoordinatorOf(broker);
    return;
  }
  if (!broker.metadata.topic(TRANSACTION_STATE_TOPIC)) return;
  transactionCoordinatorOf(broker)
    .ready()
    .catch((err: unknown) => broker.log.error(`Could not load ${TRANSACTION_STATE_TOPIC}: ${errorMessage(err)}`));
}

/**
 * OffsetFetch with require_stable (v7+): partitions with offsets of a transaction not yet
 * ended answer UNSTABLE_OFFSET_COMMIT (offset -1), as Kafka does; the client retries.
 */
export function markUnstableOffsets<P extends { partitionIndex: number; committedOffset: number; errorCode: number }>(
  broker: BrokerContext,
  groupId: string,
  topics: readonly { name: string; partitions: P[] }[],
): void {
  // The group coordinator holds them (also those replayed after a restart), until the marker.
  const groups = groupCoordinatorOf(broker);
  for (const t of topics) {
    for (const p of t.partitions) {
      if (p.errorCode === ErrorCode.NONE && groups.hasPendingOffsets(groupId, t.name, p.partitionIndex)) {
        p.errorCode = ErrorCode.UNSTABLE_OFFSET_COMMIT;
        p.committedOffset = -1;
      }
    }
  }
}
