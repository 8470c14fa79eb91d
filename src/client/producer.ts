/**
 * The producer: partitions records (explicit, murmur2 of the key, or sticky), batches them
 * per partition by batch.size/linger.ms into record batch v2, bounds buffered bytes by
 * buffer.memory (send() waits when full), and ships batches to partition leaders with
 * acks, retries and idempotence (InitProducerId + per-partition sequences). A partition
 * may have up to max.in.flight.requests.per.connection batches in flight (at most 5 with
 * idempotence), so encoding the next batch overlaps the broker's append of the previous
 * ones. When one fails, an idempotent producer resends it and the batches after it (which
 * the broker refuses with OUT_OF_ORDER_SEQUENCE_NUMBER) one at a time, in sequence order,
 * before pipelining again, so order holds across retries; without idempotence a retry may
 * reorder, as Kafka documents. Up to max.in.flight.requests.per.connection requests run
 * per broker.
 */
import { ErrorCode, KafkaError } from '../protocol/errors.js';
import { KtsError, UsageError } from '../util/errors.js';
import { compressionTypeFromName } from '../records/compression/index.js';
import { ApiKey } from '../protocol/apis.js';
import type { BrokerConnection } from '../net/broker-connection.js';
import { sleep, type Cluster } from './cluster.js';
import type { ClientConfig } from './config.js';
import { ConnectionError } from '../net/tcp-channel.js';
import { partitionForKey, StickyPartitioner } from './partitioner.js';
import { estimateRecordBytes, RecordsBuilder } from './batch-codec.js';
import { isFenced, TransactionManager } from './transactions.js';
import type { ConsumerGroupMetadata, DeliveryCallback, Producer, ProducerRecord, RecordHeader, RecordMetadata, TopicPartition, ValueRun, ValuesCallback } from './types.js';
import { MAX_RECORD_OVERHEAD } from '../records/record-batch.js';
import type { ProduceRequest, ProduceResponse } from '../protocol/messages/00-produce.js';

/** A batch's share of a sendValues() run: called with how many of its records it holds. */
type RunPartCallback = (err: Error | null, count: number) => void;

/**
 * Records are encoded into `builder` as they arrive; per send only its delivery callback
 * and CreateTime stay (for the RecordMetadata handed back). A sendValues() run adds one
 * entry for all its records in the batch, with their number in `counts`.
 */
interface Batch {
  tp: TopicPartition;
  key: string;
  builder: RecordsBuilder;
  callbacks: (DeliveryCallback | RunPartCallback | undefined)[];
  timestamps: number[];
  /** Records per entry: 0 for a single record; null while every entry is a single record. */
  counts: number[] | null;
  bytes: number;
  createdMs: number;
  lingerTimer: NodeJS.Timeout | null;
  encoded: Buffer | null;
  /** Order of the first send (-1 before it): retries go out in this order. */
  sendOrder: number;
  attempts: number;
  sealed: boolean;
  finished: boolean;
}

interface Admission {
  record: ProducerRecord;
  sizeBytes: number;
  timestampMs: number;
  onDelivery: DeliveryCallback | undefined;
  /** Set for a sendValues() run waiting its turn (then `record` only names the topic). */
  run?: { values: ValueRun; onValues: ValuesCallback };
}

interface ProducerIdentity {
  producerId: number;
  producerEpoch: number;
}

/** Produce errors after which an idempotent producer needs a new producer id. */
const IDENTITY_ERRORS: ReadonlySet<number> = new Set([
  ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
  ErrorCode.UNKNOWN_PRODUCER_ID,
  ErrorCode.INVALID_PRODUCER_EPOCH,
]);

const NO_IDENTITY: ProducerIdentity = { producerId: -1, producerEpoch: -1 };
/** Produce v0-2 carry legacy message sets; kts writes only record batch v2. */
const PRODUCE_MIN_VERSION = 3;
const PRODUCE_MAX_VERSION = 11;
/** Per-record framing beyond key/value/headers, for buffer accounting. */
const INT32_MAX = 0x7fffffff;
/** Buffers kept for reuse: enough for the batches in flight to a broker at once. */
const MAX_SPARE_BUFFERS = 8;
/**
 * A batch's buffer starts at batch.size up to this (as Kafka's BufferPool hands out
 * batch.size blocks), so filling it rarely copies.
 */
const MAX_INITIAL_BATCH_BUFFER = 1024 * 1024;

export class KafkaProducer implements Producer {
  private readonly cluster: Cluster;
  private readonly acks: number;
  private readonly compression: number;
  private readonly lingerMs: number;
  private readonly batchSize: number;
  private readonly bufferMemory: number;
  private readonly maxRequestSize: number;
  private readonly maxBlockMs: number;
  private readonly retries: number;
  private readonly retryBackoffMs: number;
  private readonly deliveryTimeoutMs: number;
  private readonly requestTimeoutMs: number;
  private readonly maxInFlight: number;
  private readonly idempotent: boolean;
  private readonly ignoreKeys: boolean;
  private readonly sticky: StickyPartitioner;

  private readonly open = new Map<string, Batch>();
  /** Buffers of acknowledged batches, reused by new ones (fewer allocations, less GC). */
  private readonly spareBuffers: Buffer[] = [];
  /** The batch the last record went to: consecutive records to one partition skip the map. */
  private lastBatch: Batch | null = null;
  /**
   * Sealed batches waiting to be sent, a FIFO per partition (retries go back to the front):
   * dispatching looks at one head per partition, not at every waiting batch.
   */
  private readonly ready = new Map<string, Batch[]>();
  /** Batches in flight per partition key. */
  private readonly inFlightPartitions = new Map<string, number>();
  private readonly maxInFlightPerPartition: number;
  /**
   * Partitions resending failed batches: until those are through, they have one batch in
   * flight at a time, so an idempotent producer's sequences reach the broker in order.
   */
  private readonly retryingPartitions = new Set<string>();
  private nextSendOrder = 0;
  private readonly inFlightPerBroker = new Map<number, number>();
  private readonly sequences = new Map<string, number>();
  private identity: Promise<ProducerIdentity> | null = null;
  private bufferUsed = 0;
  private bufferPeak = 0;
  private readonly memoryWaiters: (() => void)[] = [];
  private outstanding = 0;
  private idleWaiters: (() => void)[] = [];
  private pumping = false;
  private pumpAgain = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private closed = false;
  /** Sends waiting for metadata or buffer space, in send() order; `admissionHead` is the next. */
  private admissions: Admission[] = [];
  private admissionHead = 0;
  private admitting = false;
  private admissionWaiters: (() => void)[] = [];
  /** Set with transactional.id: the producer then writes only inside transactions. */
  private readonly txn: TransactionManager | null;
  private txnState: 'uninitialized' | 'ready' | 'in-transaction' | 'committing' | 'failed' | 'fenced' = 'uninitialized';
  /** Partitions already added to the open transaction (AddPartitionsToTxn). */
  private readonly txnPartitions = new Set<string>();
  /** The first send error inside the open transaction: commit is then refused. */
  private txnError: Error | null = null;
  /** True once the coordinator holds something of this transaction (partitions or offsets). */
  private txnStarted = false;

  constructor(cluster: Cluster, config: ClientConfig) {
    this.cluster = cluster;
    this.acks = config.acks();
    this.compression = compressionTypeFromName(config.string('compression.type')) ?? 0;
    this.lingerMs = config.int('linger.ms');
    this.batchSize = config.int('batch.size');
    this.bufferMemory = config.int('buffer.memory');
    this.maxRequestSize = config.int('max.request.size');
    this.maxBlockMs = config.int('max.block.ms');
    this.retries = config.int('retries');
    this.retryBackoffMs = config.int('retry.backoff.ms');
    this.deliveryTimeoutMs = config.int('delivery.timeout.ms');
    this.requestTimeoutMs = config.int('request.timeout.ms');
    this.maxInFlight = config.int('max.in.flight.requests.per.connection');
    // As Kafka's producer: idempotence is on by default, but only an explicit
    // enable.idempotence=true conflicts with acks other than all (or > 5 in flight).
    const explicit = config.isSet('enable.idempotence');
    this.idempotent = config.bool('enable.idempotence') && (explicit || (this.acks === -1 && this.maxInFlight <= 5));
    if (this.idempotent && this.acks !== -1) {
      throw new UsageError('enable.idempotence=true requires acks=all', 'Pass acks=all, or enable.idempotence=false');
    }
    if (this.idempotent && this.maxInFlight > 5) {
      throw new UsageError('enable.idempotence=true requires max.in.flight.requests.per.connection <= 5');
    }
    const transactionalId = config.string('transactional.id');
    if (transactionalId !== '' && !this.idempotent) {
      throw new UsageError('transactional.id requires idempotence', 'Use acks=all and leave enable.idempotence on');
    }
    this.txn = transactionalId === '' ? null : new TransactionManager(cluster, transactionalId, config.int('transaction.timeout.ms'));
    this.ignoreKeys = config.bool('partitioner.ignore.keys');
    // As Kafka: up to 5 batches per partition in flight, idempotent or not. An idempotent
    // producer resends failed batches in their sequence order (see retryOrFail).
    this.maxInFlightPerPartition = Math.max(1, this.maxInFlight);
    this.sticky = new StickyPartitioner(this.batchSize);
  }

  send(record: ProducerRecord): Promise<RecordMetadata> {
    return new Promise<RecordMetadata>((resolve, reject) => {
      this.sendWithCallback(record, (err, meta) => (err ? reject(err) : resolve(meta!)));
    });
  }

  sendWithCallback(record: ProducerRecord, onDelivery?: DeliveryCallback): void {
    let sizeBytes: number;
    try {
      if (this.closed) throw new KtsError('KTS_PRODUCER_CLOSED', 'send() after the producer was closed');
      if (this.txn && this.txnState !== 'in-transaction') throw this.txnStateError('send()');
      if (typeof record.topic !== 'string' || record.topic.length === 0) throw new UsageError('A record needs a topic');
      const key = toBuffer(record.key);
      const value = toBuffer(record.value);
      const headers = record.headers ?? NO_HEADERS;
      sizeBytes = estimateRecordBytes(key, value, headers);
      if (sizeBytes > this.maxRequestSize || sizeBytes > this.bufferMemory) {
        throw new KafkaError(
          ErrorCode.MESSAGE_TOO_LARGE,
          `record of about ${sizeBytes} bytes is larger than max.request.size (${this.maxRequestSize}) or buffer.memory (${this.bufferMemory})`,
        );
      }
      // Fast path: metadata cached, buffer space free, nobody queued ahead. No per-record
      // objects beyond the callback: the record's bytes are encoded into its batch now.
      const nowMs = Date.now();
      const meta = this.admitting ? undefined : this.cluster.cachedTopic(record.topic, nowMs);
      if (meta && this.bufferUsed + sizeBytes <= this.bufferMemory) {
        const partition = this.partitionOf(record, key, sizeBytes, meta.partitions.length);
        this.takeMemory(sizeBytes);
        this.outstanding++;
        this.append(record.topic, partition, key, value, headers, record.timestampMs ?? nowMs, sizeBytes, onDelivery);
        return;
      }
    } catch (err) {
      onDelivery?.(asError(err), null);
      return;
    }
    // The caller may reuse its objects and buffers once this returns (as Kafka's producer
    // serializes in send()): the slow path keeps copies.
    const copy: ProducerRecord = {
      ...record,
      key: copyBytes(record.key),
      value: copyBytes(record.value),
      headers: record.headers?.map((h) => ({ key: h.key, value: copyBytes(h.value) })),
    };
    this.admissions.push({ record: copy, sizeBytes, timestampMs: record.timestampMs ?? Date.now(), onDelivery });
    if (!this.admitting) void this.admit();
  }

  sendValues(run: ValueRun, onDelivery: ValuesCallback): void {
    if (run.count <= 0) return;
    const nowMs = Date.now();
    const totalBytes = run.valueBytes + run.count * MAX_RECORD_OVERHEAD;
    const unusual =
      this.closed ||
      (this.txn !== null && this.txnState !== 'in-transaction') ||
      run.maxValueBytes + MAX_RECORD_OVERHEAD > this.maxRequestSize ||
      totalBytes > this.bufferMemory;
    // A closed producer, an oversized value or run: record by record, with sendWithCallback's rules.
    if (unusual) return this.sendRunAsRecords(run, onDelivery);
    const meta = this.admitting ? undefined : this.cluster.cachedTopic(run.topic, nowMs);
    if (meta === undefined) {
      // Waiting for metadata (or behind sends that do): the run queues whole, as a copy.
      const values = { ...copyRun(run), timestampMs: run.timestampMs ?? nowMs };
      this.admissions.push({ record: { topic: run.topic, value: null }, sizeBytes: totalBytes, timestampMs: values.timestampMs, onDelivery: undefined, run: { values, onValues: onDelivery } });
      if (!this.admitting) void this.admit();
      return;
    }
    // A full buffer or a bad partition: record by record too (they wait or fail one by one).
    if (this.bufferUsed + totalBytes > this.bufferMemory || !validPartition(run.partition, meta.partitions.length)) return this.sendRunAsRecords(run, onDelivery);
    this.takeMemory(totalBytes);
    this.outstanding += run.count;
    this.appendRun(run, meta.partitions.length, run.timestampMs ?? nowMs, onDelivery);
  }

  /** A queued run: metadata, then buffer space for all of it, then into batches. */
  private async admitRun(run: ValueRun, timestampMs: number, totalBytes: number, onDelivery: ValuesCallback): Promise<void> {
    let partitions: number;
    try {
      const meta = this.cluster.cachedTopic(run.topic) ?? (await this.topicMetadata(run.topic));
      partitions = meta.partitions.length;
      checkPartition(run.topic, run.partition, partitions);
      if (this.bufferUsed + totalBytes <= this.bufferMemory) this.takeMemory(totalBytes);
      else await this.reserveMemory(totalBytes);
    } catch (err) {
      onDelivery(asError(err), 0, run.count);
      return;
    }
    this.outstanding += run.count;
    this.appendRun(run, partitions, timestampMs, onDelivery);
  }

  private sendRunAsRecords(run: ValueRun, onDelivery: ValuesCallback): void {
    const { source, bounds } = run;
    for (let i = 0; i < run.count; i++) {
      const value = source.subarray(bounds[2 * i]!, bounds[2 * i + 1]!);
      this.sendWithCallback({ topic: run.topic, partition: run.partition, value, timestampMs: run.timestampMs }, (err) => onDelivery(err, i, 1));
    }
  }

  /** Fills batches with the run's values, a batch-sized slice at a time. */
  private appendRun(run: ValueRun, partitions: number, timestampMs: number, onDelivery: ValuesCallback): void {
    const { topic, source, bounds, count } = run;
    const limit = Math.max(this.batchSize, 1);
    for (let i = 0; i < count; ) {
      const partition = run.partition ?? this.sticky.partition(topic, partitions, 0);
      let batch = this.lastBatch;
      if (batch === null || batch.sealed || batch.tp.partition !== partition || batch.tp.topic !== topic) {
        batch = this.open.get(`${topic}:${partition}`) ?? this.newBatch(topic, partition);
      }
      this.lastBatch = batch;
      // As many values as fit in the batch by their encoded size (as Kafka fills batch.size);
      // at least one when the batch is empty.
      const end = batch.builder.appendValues(source, bounds, i, count, timestampMs, limit - batch.builder.sizeInBytes, batch.builder.count === 0);
      if (end === i) {
        this.seal(batch);
        continue;
      }
      const bytes = batch.builder.lastEstimateBytes;
      const first = i;
      batch.counts ??= new Array<number>(batch.callbacks.length).fill(0);
      batch.callbacks.push((err: Error | null, n: number) => onDelivery(err, first, n));
      batch.timestamps.push(timestampMs);
      batch.counts.push(end - i);
      batch.bytes += bytes;
      if (run.partition === undefined) this.sticky.account(topic, bytes);
      if (batch.builder.sizeInBytes >= this.batchSize) {
        this.seal(batch);
        void this.pump();
      }
      i = end;
    }
  }

  /**
   * Admits queued sends one by one, so records keep their send() order even when one of
   * them waits for metadata or for buffer space. Awaits only when something is missing, so
   * a queue that built up during one metadata lookup drains without a promise per record.
   */
  private async admit(): Promise<void> {
    this.admitting = true;
    while (this.admissionHead < this.admissions.length) {
      const a = this.admissions[this.admissionHead]!;
      const { record, sizeBytes } = a;
      if (a.run) {
        await this.admitRun(a.run.values, a.timestampMs, sizeBytes, a.run.onValues);
        this.admissionHead++;
        continue;
      }
      try {
        const key = toBuffer(record.key);
        const meta = this.cluster.cachedTopic(record.topic) ?? (await this.topicMetadata(record.topic));
        const partition = this.partitionOf(record, key, sizeBytes, meta.partitions.length);
        if (this.bufferUsed + sizeBytes <= this.bufferMemory) this.takeMemory(sizeBytes);
        else await this.reserveMemory(sizeBytes);
        this.admissionHead++;
        this.outstanding++;
        this.append(record.topic, partition, key, toBuffer(record.value), record.headers ?? NO_HEADERS, a.timestampMs, sizeBytes, a.onDelivery);
      } catch (err) {
        this.admissionHead++;
        a.onDelivery?.(asError(err), null);
      }
    }
    this.admissions = [];
    this.admissionHead = 0;
    this.admitting = false;
    for (const wake of this.admissionWaiters.splice(0)) wake();
  }

  /** Buffered record bytes now and at most so far (bounded by buffer.memory). */
  metrics(): { bufferedBytes: number; bufferedBytesPeak: number; bufferMemory: number } {
    return { bufferedBytes: this.bufferUsed, bufferedBytesPeak: this.bufferPeak, bufferMemory: this.bufferMemory };
  }

  async flush(): Promise<void> {
    // Sends still waiting for metadata or buffer space were sent before this flush too.
    if (this.admitting) await new Promise<void>((resolve) => this.admissionWaiters.push(resolve));
    for (const batch of [...this.open.values()]) this.seal(batch);
    void this.pump();
    if (this.outstanding === 0) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush();
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.cluster.close();
  }

  // ---- transactions ----

  /** Once per producer: gets the producer id/epoch for transactional.id, fencing older producers. */
  async initTransactions(): Promise<void> {
    const txn = this.requireTxn('initTransactions()');
    if (this.txnState !== 'uninitialized') throw this.txnStateError('initTransactions()');
    await this.guard(() => txn.initProducerId());
    this.sequences.clear();
    this.txnState = 'ready';
  }

  beginTransaction(): void {
    this.requireTxn('beginTransaction()');
    if (this.txnState !== 'ready') throw this.txnStateError('beginTransaction()');
    this.txnState = 'in-transaction';
    this.txnPartitions.clear();
    this.txnStarted = false;
    this.txnError = null;
  }

  /**
   * Commits consumed offsets of a group as part of the open transaction: by group id, or
   * with the consumer's group metadata so a member that lost its generation is refused
   * (KIP-447). A failure leaves a transaction that can only be aborted, as in Java.
   */
  async sendOffsetsToTransaction(offsets: readonly { topic: string; partition: number; offset: number }[], group: string | ConsumerGroupMetadata): Promise<void> {
    const txn = this.requireTxn('sendOffsetsToTransaction()');
    if (this.txnState !== 'in-transaction') throw this.txnStateError('sendOffsetsToTransaction()');
    this.txnStarted = true;
    try {
      await this.guard(() => txn.sendOffsets(offsets, typeof group === 'string' ? { groupId: group, generationId: -1, memberId: '', groupInstanceId: null } : group));
    } catch (err) {
      if (this.txnError === null) this.txnError = asError(err);
      throw err;
    }
  }

  /** Flushes, then commits; refused (abort instead) when a send in the transaction failed. */
  async commitTransaction(): Promise<void> {
    const txn = this.requireTxn('commitTransaction()');
    if (this.txnState !== 'in-transaction') throw this.txnStateError('commitTransaction()');
    await this.flush();
    if (this.txnError) {
      const cause = this.txnError;
      if (!this.isFencedNow()) this.txnState = 'failed';
      throw new KtsError('KTS_TXN_FAILED', `cannot commit: a send in the transaction failed: ${cause.message}`, 'Call abortTransaction()', { cause });
    }
    this.txnState = 'committing';
    // The coordinator knows no transaction that touched nothing: nothing to end.
    if (this.txnStarted) await this.guard(() => txn.endTxn(true));
    this.txnState = 'ready';
  }

  /** Waits for sends already made (their outcome does not matter), then aborts. */
  async abortTransaction(): Promise<void> {
    const txn = this.requireTxn('abortTransaction()');
    if (this.txnState !== 'in-transaction' && this.txnState !== 'failed' && this.txnState !== 'committing') throw this.txnStateError('abortTransaction()');
    await this.flush();
    if (this.isFencedNow()) throw this.txnStateError('abortTransaction()');
    if (this.txnStarted) await this.guard(() => txn.endTxn(false));
    this.txnState = 'ready';
  }

  /** A method, so the compiler does not narrow the state across awaits. */
  private isFencedNow(): boolean {
    return this.txnState === 'fenced';
  }

  private requireTxn(what: string): TransactionManager {
    if (!this.txn) throw new KtsError('KTS_TXN_STATE', `${what} needs a transactional producer`, 'Set transactional.id in the producer config');
    return this.txn;
  }

  private txnStateError(what: string): KtsError {
    if (this.txnState === 'fenced') {
      return new KtsError('KTS_PRODUCER_FENCED', `${what}: this producer was fenced by a newer producer with transactional id ${this.txn?.transactionalId}`, 'Close this producer');
    }
    const hint = this.txnState === 'uninitialized' ? 'Call initTransactions() first' : this.txnState === 'failed' ? 'Call abortTransaction()' : 'Call beginTransaction() first';
    return new KtsError('KTS_TXN_STATE', `${what} is not allowed while the transaction state is ${this.txnState}`, hint);
  }

  /** Runs a coordinator call; a fenced answer moves the producer to its terminal state. */
  private async guard<T>(op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (err) {
      if (isFenced(err)) this.txnState = 'fenced';
      throw err;
    }
  }

  /** AddPartitionsToTxn for partitions about to get their first batch in this transaction. */
  private async addToTransaction(batches: Batch[]): Promise<void> {
    const fresh = batches.filter((b) => !this.txnPartitions.has(b.key));
    if (fresh.length === 0) return;
    this.txnStarted = true;
    await this.guard(() => this.txn!.addPartitions(fresh.map((b) => b.tp)));
    for (const b of fresh) this.txnPartitions.add(b.key);
  }

  // ---- accumulating ----

  private partitionOf(record: ProducerRecord, key: Buffer | null, sizeBytes: number, count: number): number {
    if (record.partition !== undefined) {
      checkPartition(record.topic, record.partition, count);
      return record.partition;
    }
    if (key !== null && !this.ignoreKeys) return partitionForKey(key, count);
    return this.sticky.partition(record.topic, count, sizeBytes);
  }

  /** Metadata for a produce target; waits up to max.block.ms for the topic to appear. */
  private async topicMetadata(topic: string) {
    const deadline = Date.now() + this.maxBlockMs;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.cluster.topic(topic, false, true);
      } catch (err) {
        if (!this.cluster.isRetriable(err) || Date.now() >= deadline) {
          if (err instanceof KafkaError && err.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) {
            throw new KafkaError(err.errorCode, `topic ${topic} does not exist (waited ${this.maxBlockMs} ms)`);
          }
          throw err;
        }
        await sleep(Math.min(this.retryBackoffMs * 2 ** Math.min(attempt, 4), 1000));
      }
    }
  }

  private async reserveMemory(bytes: number): Promise<void> {
    const deadline = Date.now() + this.maxBlockMs;
    while (this.bufferUsed + bytes > this.bufferMemory) {
      // Full buffer: make sure buffered batches are on their way, then wait for a completion.
      for (const batch of [...this.open.values()]) this.seal(batch);
      void this.pump();
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new KtsError('KTS_BUFFER_FULL', `buffer.memory (${this.bufferMemory} bytes) stayed full for max.block.ms (${this.maxBlockMs} ms)`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.memoryWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    this.takeMemory(bytes);
  }

  private takeMemory(bytes: number): void {
    this.bufferUsed += bytes;
    if (this.bufferUsed > this.bufferPeak) this.bufferPeak = this.bufferUsed;
  }

  private releaseMemory(bytes: number): void {
    this.bufferUsed -= bytes;
    for (const wake of this.memoryWaiters.splice(0)) wake();
  }

  private append(
    topic: string,
    partition: number,
    key: Buffer | null,
    value: Buffer | null,
    headers: readonly RecordHeader[],
    timestampMs: number,
    sizeBytes: number,
    onDelivery: DeliveryCallback | undefined,
  ): void {
    let batch = this.lastBatch;
    if (batch === null || batch.sealed || batch.tp.partition !== partition || batch.tp.topic !== topic) {
      batch = this.open.get(`${topic}:${partition}`) ?? null;
    }
    if (batch && batch.builder.count > 0 && batch.bytes + sizeBytes > Math.max(this.batchSize, 1)) {
      this.seal(batch);
      batch = null;
    }
    if (!batch) batch = this.newBatch(topic, partition);
    this.lastBatch = batch;
    batch.builder.append(key, value, headers, timestampMs);
    batch.callbacks.push(onDelivery);
    batch.timestamps.push(timestampMs);
    batch.counts?.push(0);
    batch.bytes += sizeBytes;
    if (batch.bytes >= this.batchSize) {
      this.seal(batch);
      void this.pump();
    }
  }

  private newBatch(topic: string, partition: number): Batch {
    const key = `${topic}:${partition}`;
    const batch: Batch = {
      tp: { topic, partition },
      key,
      builder: new RecordsBuilder(Math.min(this.batchSize, MAX_INITIAL_BATCH_BUFFER), this.spareBuffers.pop()),
      callbacks: [],
      timestamps: [],
      counts: null,
      bytes: 0,
      createdMs: Date.now(),
      lingerTimer: null,
      encoded: null,
      sendOrder: -1,
      attempts: 0,
      sealed: false,
      finished: false,
    };
    batch.lingerTimer = setTimeout(() => {
      batch.lingerTimer = null;
      this.seal(batch);
      void this.pump();
    }, this.lingerMs);
    this.open.set(key, batch);
    return batch;
  }

  private seal(batch: Batch): void {
    if (this.open.get(batch.key) !== batch) return;
    this.open.delete(batch.key);
    batch.sealed = true;
    if (batch.lingerTimer) clearTimeout(batch.lingerTimer);
    batch.lingerTimer = null;
    this.enqueueReady(batch, false);
  }

  /** `front`: a batch to resend, placed among the other resends by its first send order. */
  private enqueueReady(batch: Batch, front: boolean): void {
    const queue = this.ready.get(batch.key);
    if (queue === undefined) {
      this.ready.set(batch.key, [batch]);
    } else if (front) {
      let at = 0;
      while (at < queue.length && queue[at]!.sendOrder >= 0 && queue[at]!.sendOrder < batch.sendOrder) at++;
      queue.splice(at, 0, batch);
    } else {
      queue.push(batch);
    }
  }

  private dequeueReady(batch: Batch): void {
    const queue = this.ready.get(batch.key);
    if (queue === undefined) return;
    const at = queue.indexOf(batch);
    if (at >= 0) queue.splice(at, 1);
    if (queue.length === 0) this.ready.delete(batch.key);
  }

  // ---- sending ----

  private async pump(): Promise<void> {
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.pumpAgain = false;
        await this.dispatchReady();
      } while (this.pumpAgain);
    } finally {
      this.pumping = false;
    }
  }

  private async dispatchReady(): Promise<void> {
    const byLeader = new Map<number, Batch[]>();
    for (const [key, queue] of [...this.ready]) {
      const inFlight = this.inFlightPartitions.get(key) ?? 0;
      if (inFlight >= this.maxInFlightPerPartition || (inFlight > 0 && this.retryingPartitions.has(key))) continue;
      // An earlier await in this loop may have emptied the queue.
      const batch = queue[0];
      if (batch === undefined) continue;
      let leader: number;
      try {
        // Cached metadata answers without an await (one microtask less per batch).
        leader = this.cachedLeaderOf(batch) ?? (await this.cluster.leaderOf(batch.tp.topic, batch.tp.partition));
      } catch (err) {
        if (!this.cluster.isRetriable(err) || this.expired(batch)) this.failBatch(batch, err);
        else this.scheduleRetry();
        continue;
      }
      const list = byLeader.get(leader) ?? [];
      list.push(batch);
      byLeader.set(leader, list);
    }
    for (const [leader, batches] of byLeader) {
      if ((this.inFlightPerBroker.get(leader) ?? 0) >= this.maxInFlight) continue;
      const taken = this.takeForRequest(batches);
      if (taken.length === 0) continue;
      this.inFlightPerBroker.set(leader, (this.inFlightPerBroker.get(leader) ?? 0) + 1);
      for (const b of taken) this.inFlightPartitions.set(b.key, (this.inFlightPartitions.get(b.key) ?? 0) + 1);
      void this.sendRequest(leader, taken).finally(() => {
        this.inFlightPerBroker.set(leader, (this.inFlightPerBroker.get(leader) ?? 1) - 1);
        for (const b of taken) {
          const left = (this.inFlightPartitions.get(b.key) ?? 1) - 1;
          if (left > 0) this.inFlightPartitions.set(b.key, left);
          else this.inFlightPartitions.delete(b.key);
        }
        void this.pump();
      });
    }
  }

  private cachedLeaderOf(batch: Batch): number | undefined {
    const leader = this.cluster.cachedTopic(batch.tp.topic)?.partitions.find((p) => p.partition === batch.tp.partition)?.leader;
    return leader !== undefined && leader >= 0 ? leader : undefined;
  }

  /** Batches for one request, bounded by max.request.size; removed from the ready queues. */
  private takeForRequest(candidates: Batch[]): Batch[] {
    const taken: Batch[] = [];
    let bytes = 0;
    for (const b of candidates) {
      if (b.finished) continue;
      if (taken.length > 0 && bytes + b.bytes > this.maxRequestSize) break;
      taken.push(b);
      bytes += b.bytes;
    }
    for (const b of taken) this.dequeueReady(b);
    return taken;
  }

  private async sendRequest(leader: number, batches: Batch[]): Promise<void> {
    let response: ProduceResponse | null;
    try {
      const identity = await this.producerIdentity();
      if (this.txn) await this.addToTransaction(batches);
      for (const b of batches) this.encode(b, identity);
      const conn = await this.cluster.node(leader);
      const r = await conn.send(ApiKey.Produce, () => this.produceBody(batches), {
        minVersion: PRODUCE_MIN_VERSION,
        maxVersion: PRODUCE_MAX_VERSION,
        expectResponse: this.acks !== 0,
        timeoutMs: this.requestTimeoutMs + 5000,
      });
      response = r ? r.body : null;
    } catch (err) {
      for (const b of batches) this.retryOrFail(b, err);
      return;
    }
    if (response === null) {
      for (const b of batches) this.completeBatch(b, -1, -1);
      return;
    }
    this.handleResponse(batches, response);
  }

  private produceBody(batches: Batch[]): ProduceRequest {
    const topics = new Map<string, { index: number; records: Buffer }[]>();
    for (const b of batches) {
      const list = topics.get(b.tp.topic) ?? [];
      list.push({ index: b.tp.partition, records: b.encoded! });
      topics.set(b.tp.topic, list);
    }
    return {
      transactionalId: this.txn ? this.txn.transactionalId : null,
      acks: this.acks,
      timeoutMs: this.requestTimeoutMs,
      topicData: [...topics].map(([name, partitionData]) => ({ name, partitionData })),
    };
  }

  private encode(batch: Batch, identity: ProducerIdentity): void {
    if (batch.sendOrder < 0) batch.sendOrder = this.nextSendOrder++;
    if (batch.encoded) return;
    let baseSequence = -1;
    if (identity.producerId >= 0) {
      baseSequence = this.sequences.get(batch.key) ?? 0;
      this.sequences.set(batch.key, (baseSequence + batch.builder.count) % (INT32_MAX + 1));
    }
    batch.encoded = batch.builder.toBatch({
      compression: this.compression,
      producerId: identity.producerId,
      producerEpoch: identity.producerEpoch,
      baseSequence,
      transactional: this.txn !== null,
    });
  }

  private handleResponse(batches: Batch[], body: ProduceResponse): void {
    const results = new Map<string, { errorCode: number; baseOffset: number; logAppendTimeMs: number; errorMessage?: string | null }>();
    // logAppendTimeMs came with v2: -1 (CreateTime) before, as Kafka's default.
    for (const t of body.responses) for (const p of t.partitionResponses) results.set(`${t.name}:${p.index}`, { ...p, logAppendTimeMs: p.logAppendTimeMs ?? -1 });
    for (const b of batches) {
      const r = results.get(b.key);
      if (!r) {
        this.failBatch(b, new KafkaError(ErrorCode.UNKNOWN_SERVER_ERROR, `no produce result for ${b.key}`));
      } else if (r.errorCode === ErrorCode.NONE || r.errorCode === ErrorCode.DUPLICATE_SEQUENCE_NUMBER) {
        this.completeBatch(b, r.errorCode === ErrorCode.NONE ? r.baseOffset : -1, r.logAppendTimeMs ?? -1);
      } else {
        this.retryOrFail(b, new KafkaError(r.errorCode, r.errorMessage ?? `producing to ${b.key}`));
      }
    }
  }

  private retryOrFail(batch: Batch, err: unknown): void {
    // Several batches of an idempotent partition in flight and an earlier one failed: the
    // broker answers the later ones OUT_OF_ORDER_SEQUENCE_NUMBER (a gap). They go again after
    // it, in order, without counting an attempt.
    if (this.idempotent && err instanceof KafkaError && err.errorCode === ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER && this.hasEarlierResend(batch)) {
      this.enqueueReady(batch, true);
      this.scheduleRetry();
      return;
    }
    batch.attempts++;
    if (this.identityLost(err) && batch.attempts <= this.retries && !this.expired(batch)) {
      // The broker lost or rejected our producer state: start over with a new producer id
      // and fresh sequences (Kafka's idempotent producer resets the same way), then resend.
      this.resetIdentity();
      batch.encoded = null;
      this.retryingPartitions.add(batch.key);
      this.enqueueReady(batch, true);
      this.scheduleRetry();
      return;
    }
    if (!this.cluster.isRetriable(err) || batch.attempts > this.retries || this.expired(batch) || this.closedAndFailed(err)) {
      this.failBatch(batch, err);
      return;
    }
    this.cluster.invalidate(batch.tp.topic);
    if (this.idempotent) this.retryingPartitions.add(batch.key);
    this.enqueueReady(batch, true);
    this.scheduleRetry();
  }

  /** A batch of the same partition, sent before `batch`, waiting to be sent again. */
  private hasEarlierResend(batch: Batch): boolean {
    const queue = this.ready.get(batch.key);
    return queue !== undefined && queue.some((b) => b.sendOrder >= 0 && b.sendOrder < batch.sendOrder);
  }

  /** Back to several batches in flight once no batch of the partition waits to be resent. */
  private settleRetrying(key: string): void {
    if (!this.retryingPartitions.has(key)) return;
    const queue = this.ready.get(key);
    if (queue === undefined || !queue.some((b) => b.sendOrder >= 0)) this.retryingPartitions.delete(key);
  }

  private identityLost(err: unknown): boolean {
    // A transactional producer keeps its epoch: a lost identity there fails the transaction.
    return this.idempotent && !this.txn && err instanceof KafkaError && IDENTITY_ERRORS.has(err.errorCode);
  }

  private resetIdentity(): void {
    this.identity = null;
    this.sequences.clear();
    for (const queue of this.ready.values()) for (const b of queue) b.encoded = null;
  }

  private closedAndFailed(err: unknown): boolean {
    return this.closed && err instanceof ConnectionError;
  }

  private expired(batch: Batch): boolean {
    return Date.now() - batch.createdMs > this.deliveryTimeoutMs;
  }

  private scheduleRetry(): void {
    if (this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.pump();
    }, this.retryBackoffMs);
  }

  private completeBatch(batch: Batch, baseOffset: number, logAppendTimeMs: number): void {
    const { callbacks, timestamps, counts } = batch;
    const { topic, partition } = batch.tp;
    this.finish(batch);
    this.settleRetrying(batch.key);
    let index = 0;
    for (let i = 0; i < callbacks.length; i++) {
      const done = callbacks[i];
      const runCount = counts === null ? 0 : counts[i]!;
      if (runCount > 0) {
        index += runCount;
        (done as RunPartCallback)(null, runCount);
        continue;
      }
      index++;
      if (done === undefined) continue;
      (done as DeliveryCallback)(null, {
        topic,
        partition,
        offset: baseOffset >= 0 ? baseOffset + index - 1 : -1,
        timestampMs: logAppendTimeMs >= 0 ? logAppendTimeMs : timestamps[i]!,
      });
    }
    this.recycle(batch);
    this.wakeIdle();
  }

  /**
   * Keeps an acknowledged batch's buffer for a later batch. Only after a response: the
   * broker has then read the whole request, so no socket write still refers to the bytes
   * (with acks=0, or after a timeout, one might).
   */
  private recycle(batch: Batch): void {
    // A batch sent more than once may still sit in an abandoned attempt's socket queue.
    if (this.acks === 0 || batch.attempts > 0 || this.spareBuffers.length >= MAX_SPARE_BUFFERS) return;
    batch.encoded = null;
    this.spareBuffers.push(batch.builder.takeBuffer());
  }

  private failBatch(batch: Batch, err: unknown): void {
    const error = asError(err);
    if (this.txn && this.txnError === null) this.txnError = error;
    if (this.txn && isFenced(err)) this.txnState = 'fenced';
    const { callbacks, counts } = batch;
    this.dequeueReady(batch);
    this.finish(batch);
    this.settleRetrying(batch.key);
    for (let i = 0; i < callbacks.length; i++) {
      const runCount = counts === null ? 0 : counts[i]!;
      if (runCount > 0) (callbacks[i] as RunPartCallback)(error, runCount);
      else (callbacks[i] as DeliveryCallback | undefined)?.(error, null);
    }
    this.wakeIdle();
  }

  private finish(batch: Batch): void {
    batch.finished = true;
    this.releaseMemory(batch.bytes);
    this.outstanding -= batch.builder.count;
    batch.callbacks = [];
    batch.timestamps = [];
    batch.counts = null;
  }

  private wakeIdle(): void {
    if (this.outstanding === 0) for (const wake of this.idleWaiters.splice(0)) wake();
  }

  /** InitProducerId once (idempotence); brokers without it get a plain producer. */
  private producerIdentity(): Promise<ProducerIdentity> {
    if (!this.idempotent) return Promise.resolve(NO_IDENTITY);
    if (this.txn) {
      if (!this.txn.identity) return Promise.reject(this.txnStateError('send()'));
      return Promise.resolve(this.txn.identity);
    }
    if (!this.identity) {
      this.identity = this.initProducerId().catch((err: unknown) => {
        this.identity = null;
        throw err;
      });
    }
    return this.identity;
  }

  private async initProducerId(): Promise<ProducerIdentity> {
    return this.cluster.retry(async () => {
      const conn = await this.cluster.any();
      if (!supportsInitProducerId(conn)) return NO_IDENTITY;
      const { body } = await conn.call(ApiKey.InitProducerId, () => ({
        transactionalId: null,
        transactionTimeoutMs: INT32_MAX,
        producerId: -1,
        producerEpoch: -1,
      }));
      if (body.errorCode !== ErrorCode.NONE) throw new KafkaError(body.errorCode, 'InitProducerId');
      return { producerId: body.producerId, producerEpoch: body.producerEpoch };
    });
  }
}

/** False when the broker (Kafka < 0.11) or this build's codec lacks InitProducerId. */
function supportsInitProducerId(conn: BrokerConnection): boolean {
  try {
    conn.version(ApiKey.InitProducerId);
    return true;
  } catch {
    return false;
  }
}

function validPartition(partition: number | undefined, count: number): boolean {
  return partition === undefined || (Number.isInteger(partition) && partition >= 0 && partition < count);
}

/** An explicit partition must exist (UNKNOWN_TOPIC_OR_PARTITION, as Kafka's producer). */
function checkPartition(topic: string, partition: number | undefined, count: number): void {
  if (!validPartition(partition, count)) {
    throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `partition ${partition} of topic ${topic} does not exist (it has ${count} partitions)`);
  }
}

/** A copy of a byte value (strings are immutable and stay). */
function copyBytes<T extends Buffer | string | null | undefined>(v: T): T {
  return (Buffer.isBuffer(v) ? Buffer.from(v) : v) as T;
}

/** The run's values copied into one buffer of their own, bounds rebased onto it. */
function copyRun(run: ValueRun): ValueRun {
  const source = Buffer.allocUnsafe(run.valueBytes);
  const bounds = new Int32Array(2 * run.count);
  let at = 0;
  for (let i = 0; i < run.count; i++) {
    const start = run.bounds[2 * i]!;
    const end = run.bounds[2 * i + 1]!;
    run.source.copy(source, at, start, end);
    bounds[2 * i] = at;
    at += end - start;
    bounds[2 * i + 1] = at;
  }
  return { ...run, source, bounds };
}

function toBuffer(v: Buffer | string | null | undefined): Buffer | null {
  if (v === null || v === undefined) return null;
  return typeof v === 'string' ? Buffer.from(v, 'utf8') : v;
}

const NO_HEADERS: readonly RecordHeader[] = [];

function asError(err: unknown): Error {
  return err instanceof Error ? err : new KtsError('KTS_PRODUCE', String(err));
}
