// Handler behaviour through broker.handleFrame (the in-process path the client uses):
// fetch long poll woken by an append, byte limits, offset out of range, leader epochs,
// ListOffsets by timestamp, OffsetForLeaderEpoch, producer ids persisted across restarts,
// transactional requests refused, acks validation.
import t from 'tap';
import { decodeResponse, encodeRequest } from '../../src/protocol/codec.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { encodeRecordBatch } from '../../src/records/record-batch.js';
import { buildBrokerConfig } from '../../src/broker/config.js';
import { startBroker, type Broker } from '../../src/broker/broker.js';
import { memoryLogger } from '../../src/util/logger.js';
import type { FetchResponse } from '../../src/protocol/messages/01-fetch.js';
import type { ProduceResponse } from '../../src/protocol/messages/00-produce.js';
import type { ListOffsetsResponse } from '../../src/protocol/messages/02-list-offsets.js';
import type { MetadataResponse } from '../../src/protocol/messages/03-metadata.js';
import type { InitProducerIdResponse } from '../../src/protocol/messages/22-init-producer-id.js';
import type { OffsetForLeaderEpochResponse } from '../../src/protocol/messages/23-offset-for-leader-epoch.js';
import { tempDir } from './helpers.js';

let correlation = 0;

async function call<T>(broker: Broker, apiKey: number, version: number, body: unknown): Promise<T> {
  const id = ++correlation;
  const frame = encodeRequest(apiKey, version, id, 'handlers-test', body).subarray(4);
  const chunks = await broker.handleFrame(frame);
  if (!chunks) throw new Error('no response');
  const res = decodeResponse(apiKey, version, Buffer.concat(chunks).subarray(4));
  if (res.correlationId !== id) throw new Error('correlation id mismatch');
  return res.body as T;
}

async function inProcessBroker(t: { teardown(fn: () => unknown): void }, dir?: string, overrides: string[] = []): Promise<Broker> {
  const dataDir = dir ?? (await tempDir(t));
  const config = buildBrokerConfig({ dataDir, env: {}, overrides });
  const broker = await startBroker(config, { listen: false, log: memoryLogger() });
  t.teardown(() => broker.stop());
  return broker;
}

/** Waits (bounded, generous for a loaded machine) until a long poll is parked in the purgatory. */
async function untilParked(broker: Broker): Promise<void> {
  for (let i = 0; i < 2000 && broker.context.purgatory.size === 0; i++) await new Promise((r) => setTimeout(r, 5));
  if (broker.context.purgatory.size === 0) throw new Error('no long poll parked after 10 s');
}

function batch(values: string[], timestampMs = 1_700_000_000_000): Buffer {
  return encodeRecordBatch({ records: values.map((v, i) => ({ timestampMs: timestampMs + i * 1000, key: null, value: Buffer.from(v) })) });
}

function produce(broker: Broker, topic: string, partition: number, records: Buffer, acks = 1, extra: Record<string, unknown> = {}) {
  return call<ProduceResponse>(broker, 0, 9, { transactionalId: null, acks, timeoutMs: 1000, topicData: [{ name: topic, partitionData: [{ index: partition, records }] }], ...extra });
}

function fetch(broker: Broker, topic: string, fetchOffset: number, opts: { maxWaitMs?: number; minBytes?: number; maxBytes?: number; partitionMaxBytes?: number; currentLeaderEpoch?: number; isolationLevel?: number } = {}) {
  return call<FetchResponse>(broker, 1, 12, {
    replicaId: -1,
    maxWaitMs: opts.maxWaitMs ?? 0,
    minBytes: opts.minBytes ?? 0,
    maxBytes: opts.maxBytes ?? 1_000_000,
    isolationLevel: opts.isolationLevel ?? 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [{ topic, partitions: [{ partition: 0, currentLeaderEpoch: opts.currentLeaderEpoch ?? -1, fetchOffset, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: opts.partitionMaxBytes ?? 1_000_000 }] }],
    forgottenTopicsData: [],
    rackId: '',
  });
}

async function createTopic(broker: Broker, name: string, partitions = 1): Promise<void> {
  await broker.context.metadata.createTopic({ name, numPartitions: partitions, replicationFactor: 1 });
}

t.test('produce then fetch returns the same bytes; offsets and watermarks', async (t) => {
  const b = await inProcessBroker(t);
  await createTopic(b, 'events');
  const r1 = await produce(b, 'events', 0, batch(['a', 'b', 'c']));
  t.equal(r1.responses[0]!.partitionResponses[0]!.errorCode, 0);
  t.equal(r1.responses[0]!.partitionResponses[0]!.baseOffset, 0);
  const r2 = await produce(b, 'events', 0, batch(['d']), -1);
  t.equal(r2.responses[0]!.partitionResponses[0]!.baseOffset, 3);
  const f = await fetch(b, 'events', 0);
  const p = f.responses[0]!.partitions[0]!;
  t.equal(p.errorCode, 0);
  t.equal(p.highWatermark, 4);
  t.equal(p.lastStableOffset, 4);
  t.equal(p.logStartOffset, 0);
  t.ok(p.records && p.records.length > 0);
  const atEnd = await fetch(b, 'events', 4);
  t.equal(atEnd.responses[0]!.partitions[0]!.records?.length ?? 0, 0, 'nothing past the end');
});

t.test('fetch errors: out of range, unknown partition, leader epochs', async (t) => {
  const b = await inProcessBroker(t);
  await createTopic(b, 'e');
  await produce(b, 'e', 0, batch(['x']));
  t.equal((await fetch(b, 'e', 5)).responses[0]!.partitions[0]!.errorCode, ErrorCode.OFFSET_OUT_OF_RANGE);
  t.equal((await fetch(b, 'nope', 0)).responses[0]!.partitions[0]!.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  const epoch = b.context.logManager.getLog('e', 0)!.leaderEpoch;
  t.equal((await fetch(b, 'e', 0, { currentLeaderEpoch: epoch + 1 })).responses[0]!.partitions[0]!.errorCode, ErrorCode.UNKNOWN_LEADER_EPOCH);
  if (epoch > 0) t.equal((await fetch(b, 'e', 0, { currentLeaderEpoch: epoch - 1 })).responses[0]!.partitions[0]!.errorCode, ErrorCode.FENCED_LEADER_EPOCH);
  t.equal((await fetch(b, 'e', 0, { currentLeaderEpoch: epoch })).responses[0]!.partitions[0]!.errorCode, 0);
});

t.test('a long-poll fetch is woken by an append', async (t) => {
  const b = await inProcessBroker(t);
  await createTopic(b, 'poll');
  let answered = false;
  const pending = fetch(b, 'poll', 0, { maxWaitMs: 10_000, minBytes: 1 }).then((r) => {
    answered = true;
    return r;
  });
  await untilParked(b);
  t.notOk(answered, 'waits while there is no data');
  t.equal(b.context.purgatory.size, 1);
  await produce(b, 'poll', 0, batch(['wake']));
  const res = await pending;
  t.ok((res.responses[0]!.partitions[0]!.records?.length ?? 0) > 0, 'returns the new batch');
  t.equal(b.context.purgatory.size, 0);
});

t.test('a long poll returns empty at max_wait_ms, and at once when the broker stops', async (t) => {
  const b = await inProcessBroker(t);
  await createTopic(b, 'quiet');
  const res = await fetch(b, 'quiet', 0, { maxWaitMs: 30, minBytes: 1 });
  t.equal(res.responses[0]!.partitions[0]!.records?.length ?? 0, 0);
  const pending = fetch(b, 'quiet', 0, { maxWaitMs: 60_000, minBytes: 1 });
  await untilParked(b);
  await b.stop();
  const stopped = await pending;
  t.equal(stopped.responses[0]!.partitions[0]!.errorCode, 0);
});

t.test('max_bytes: whole batches, the first one even when larger than the limit', async (t) => {
  const b = await inProcessBroker(t);
  await createTopic(b, 'sizes');
  const big = batch(['y'.repeat(2000)]);
  await produce(b, 'sizes', 0, big);
  await produce(b, 'sizes', 0, batch(['z'.repeat(2000)]));
  const small = await fetch(b, 'sizes', 0, { maxBytes: 100, partitionMaxBytes: 100 });
  const records = small.responses[0]!.partitions[0]!.records!;
  t.equal(records.length, big.length, 'exactly the first whole batch');
  const both = await fetch(b, 'sizes', 0, { maxBytes: 1_000_000 });
  t.equal(both.responses[0]!.partitions[0]!.records!.length, big.length * 2);
});

t.test('ListOffsets: earliest, latest, by timestamp, max timestamp', async (t) => {
  const b = await inProcessBroker(t);
  await createTopic(b, 'times');
  await produce(b, 'times', 0, batch(['a', 'b', 'c'], 1_000_000)); // timestamps 1000000, 1001000, 1002000
  const ask = async (timestamp: number) => {
    const r = await call<ListOffsetsResponse>(b, 2, 7, { replicaId: -1, isolationLevel: 0, topics: [{ name: 'times', partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp }] }] });
    return r.topics[0]!.partitions[0]!;
  };
  t.equal((await ask(-2)).offset, 0);
  t.equal((await ask(-1)).offset, 3);
  t.equal((await ask(1_001_000)).offset, 1);
  t.equal((await ask(1_001_500)).offset, 2);
  t.equal((await ask(9_999_999)).offset, -1);
  const max = await ask(-3);
  t.equal(max.offset, 2);
  t.equal(max.timestamp, 1_002_000);
  const unknown = await call<ListOffsetsResponse>(b, 2, 7, { replicaId: -1, isolationLevel: 0, topics: [{ name: 'nope', partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1 }] }] });
  t.equal(unknown.topics[0]!.partitions[0]!.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
});

t.test('OffsetForLeaderEpoch answers the end of the current epoch', async (t) => {
  const b = await inProcessBroker(t);
  await createTopic(b, 'epochs');
  await produce(b, 'epochs', 0, batch(['a', 'b']));
  const epoch = b.context.logManager.getLog('epochs', 0)!.leaderEpoch;
  const r = await call<OffsetForLeaderEpochResponse>(b, 23, 4, { replicaId: -1, topics: [{ topic: 'epochs', partitions: [{ partition: 0, currentLeaderEpoch: -1, leaderEpoch: epoch }] }] });
  t.same(r.topics[0]!.partitions[0], { errorCode: 0, partition: 0, leaderEpoch: epoch, endOffset: 2 });
});

t.test('producer ids are never reused, even after a restart', async (t) => {
  const dir = await tempDir(t);
  const ids: number[] = [];
  for (let run = 0; run < 2; run++) {
    const config = buildBrokerConfig({ dataDir: dir, env: {} });
    const b = await startBroker(config, { listen: false, log: memoryLogger() });
    for (let i = 0; i < 3; i++) {
      const r = await call<InitProducerIdResponse>(b, 22, 4, { transactionalId: null, transactionTimeoutMs: 60_000, producerId: -1, producerEpoch: -1 });
      t.equal(r.errorCode, 0);
      t.equal(r.producerEpoch, 0);
      ids.push(r.producerId);
    }
    await b.stop();
  }
  t.equal(new Set(ids).size, ids.length, `all distinct: ${ids.join(',')}`);
});

t.test('transactions and bad acks are refused with Kafka codes', async (t) => {
  const b = await inProcessBroker(t);
  await createTopic(b, 'tx');
  const init = await call<InitProducerIdResponse>(b, 22, 4, { transactionalId: 'my-tx', transactionTimeoutMs: 60_000, producerId: -1, producerEpoch: -1 });
  t.equal(init.errorCode, ErrorCode.NONE, 'a transactional id gets a producer id (transactions: test/broker/txn-*.test.ts)');
  const notAdded = encodeRecordBatch({ transactional: true, producerId: init.producerId, producerEpoch: init.producerEpoch, baseSequence: 0, records: [{ timestampMs: 1, key: null, value: Buffer.from('t') }] });
  const txProduce = await produce(b, 'tx', 0, notAdded, 1, { transactionalId: 'my-tx' });
  t.equal(txProduce.responses[0]!.partitionResponses[0]!.errorCode, ErrorCode.INVALID_TXN_STATE, 'the partition is not in the transaction');
  const txBatch = encodeRecordBatch({ transactional: true, producerId: 5, producerEpoch: 0, baseSequence: 0, records: [{ timestampMs: 1, key: null, value: Buffer.from('t') }] });
  const txBatchProduce = await produce(b, 'tx', 0, txBatch);
  t.equal(txBatchProduce.responses[0]!.partitionResponses[0]!.errorCode, ErrorCode.INVALID_TXN_STATE);
  const badAcks = await produce(b, 'tx', 0, batch(['a']), 2);
  t.equal(badAcks.responses[0]!.partitionResponses[0]!.errorCode, ErrorCode.INVALID_REQUIRED_ACKS);
  const acks0 = await b.handleFrame(encodeRequest(0, 9, 99, 'x', { transactionalId: null, acks: 0, timeoutMs: 1000, topicData: [{ name: 'tx', partitionData: [{ index: 0, records: batch(['q']) }] }] }).subarray(4));
  t.equal(acks0, null, 'acks=0 gets no response');
  t.equal(b.context.logManager.getLog('tx', 0)!.logEndOffset, 1, 'the acks=0 write landed');
});

t.test('metadata auto-creates only when allowed', async (t) => {
  const b = await inProcessBroker(t, undefined, ['num.partitions=2']);
  const ask = (name: string, allow: boolean) =>
    call<MetadataResponse>(b, 3, 12, { topics: [{ name, topicId: 'AAAAAAAAAAAAAAAAAAAAAA' }], allowAutoTopicCreation: allow, includeTopicAuthorizedOperations: false });
  const no = await ask('lazy', false);
  t.equal(no.topics[0]!.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  const yes = await ask('lazy', true);
  t.equal(yes.topics[0]!.errorCode, 0);
  t.equal(yes.topics[0]!.partitions.length, 2);
  t.same(yes.topics[0]!.partitions[0]!.isrNodes, [1]);
  t.not(yes.topics[0]!.topicId, 'AAAAAAAAAAAAAAAAAAAAAA');
  const bad = await ask('bad name!', true);
  t.equal(bad.topics[0]!.errorCode, ErrorCode.INVALID_TOPIC_EXCEPTION);
  const internal = await ask('__consumer_offsets', true);
  t.equal(internal.topics[0]!.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  const byId = await call<MetadataResponse>(b, 3, 12, { topics: [{ name: null, topicId: yes.topics[0]!.topicId }], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false });
  t.equal(byId.topics[0]!.name, 'lazy');
});

t.test('auto-create off: unknown topics stay unknown', async (t) => {
  const b = await inProcessBroker(t, undefined, ['auto.create.topics.enable=false']);
  const r = await call<MetadataResponse>(b, 3, 12, { topics: [{ name: 'x', topicId: 'AAAAAAAAAAAAAAAAAAAAAA' }], allowAutoTopicCreation: true, includeTopicAuthorizedOperations: false });
  t.equal(r.topics[0]!.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
});

t.test('Fetch v13+ names topics by id; an unknown id is UNKNOWN_TOPIC_ID', async (t) => {
  const b = await inProcessBroker(t);
  await createTopic(b, 'by-id');
  await produce(b, 'by-id', 0, batch(['a', 'b']));
  const topicId = b.context.metadata.topic('by-id')!.topicId;
  const ask = (id: string) =>
    call<FetchResponse>(b, 1, 16, {
      replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 1_000_000, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
      topics: [{ topicId: id, partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 1_000_000 }] }],
      forgottenTopicsData: [], rackId: '',
    });
  const ok = await ask(topicId);
  t.equal(ok.responses[0]!.topicId, topicId);
  t.equal(ok.responses[0]!.partitions[0]!.errorCode, 0);
  t.equal(ok.responses[0]!.partitions[0]!.highWatermark, 2);
  const unknown = await ask('AQEBAQEBAQEBAQEBAQEBAQ');
  t.equal(unknown.responses[0]!.partitions[0]!.errorCode, ErrorCode.UNKNOWN_TOPIC_ID);
});

t.test('read_committed fetches report an aborted transaction list and stop at the LSO', async (t) => {
  const b = await inProcessBroker(t);
  await createTopic(b, 'rc');
  await produce(b, 'rc', 0, batch(['a']));
  const res = await fetch(b, 'rc', 0, { isolationLevel: 1 });
  const p = res.responses[0]!.partitions[0]!;
  t.same(p.abortedTransactions, []);
  t.equal(p.lastStableOffset, 1);
  const uncommitted = await fetch(b, 'rc', 0, { isolationLevel: 0 });
  t.equal(uncommitted.responses[0]!.partitions[0]!.abortedTransactions, null);
});

t.test('startup refuses a data dir of another cluster, naming both ids', async (t) => {
  const dir = await tempDir(t);
  const first = await startBroker(buildBrokerConfig({ dataDir: dir, env: {} }), { listen: false, log: memoryLogger() });
  const clusterId = first.clusterId;
  await first.stop();
  await t.rejects(
    startBroker(buildBrokerConfig({ dataDir: dir, env: {}, overrides: ['cluster.id=AAAAAAAAAAAAAAAAAAAAAB'] }), { listen: false, log: memoryLogger() }),
    { code: 'KTS_CLUSTER_ID_MISMATCH', message: new RegExp(`cluster ${clusterId}, not AAAAAAAAAAAAAAAAAAAAAB`) },
  );
  const again = await startBroker(buildBrokerConfig({ dataDir: dir, env: {}, overrides: [`cluster.id=${clusterId}`] }), { listen: false, log: memoryLogger() });
  t.equal(again.clusterId, clusterId, 'the right id still opens it (the failed start released the lock)');
  await again.stop();
});

t.test('fetch.max.bytes caps what a client may ask for', async (t) => {
  const b = await inProcessBroker(t, undefined, ['fetch.max.bytes=2048']);
  await createTopic(b, 'capped');
  const one = batch(['p'.repeat(1500)]);
  await produce(b, 'capped', 0, one);
  await produce(b, 'capped', 0, batch(['q'.repeat(1500)]));
  const res = await fetch(b, 'capped', 0, { maxBytes: 50_000_000 });
  t.equal(res.responses[0]!.partitions[0]!.records!.length, one.length, 'only what fits in 2048 bytes (the first batch)');
});

t.test('fetch sessions (KIP-227): full, incremental, forget, add, close, errors', async (t) => {
  const b = await inProcessBroker(t);
  await createTopic(b, 's', 3);
  for (const p of [0, 1, 2]) await produce(b, 's', p, batch([`first-${p}`]));
  const part = (partition: number, fetchOffset: number) => ({ partition, currentLeaderEpoch: -1, fetchOffset, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 1_000_000 });
  const req = (sessionId: number, sessionEpoch: number, topics: unknown[], forgotten: unknown[] = [], maxWaitMs = 0) =>
    call<FetchResponse>(b, 1, 12, { replicaId: -1, maxWaitMs, minBytes: 1, maxBytes: 1_000_000, isolationLevel: 0, sessionId, sessionEpoch, topics, forgottenTopicsData: forgotten, rackId: '' });
  const partitionsOf = (r: FetchResponse) => r.responses.flatMap((x) => x.partitions.map((p) => p.partitionIndex)).sort();

  const full = await req(0, 0, [{ topic: 's', partitions: [part(0, 0), part(1, 0)] }]);
  t.equal(full.errorCode, 0);
  t.not(full.sessionId, 0, 'a session was created');
  t.same(partitionsOf(full), [0, 1]);
  const id = full.sessionId!;

  // Epoch 1, positions moved past the data: nothing changed, nothing to say.
  const quiet = await req(id, 1, [{ topic: 's', partitions: [part(0, 1), part(1, 1)] }]);
  t.equal(quiet.errorCode, 0);
  t.equal(quiet.sessionId, id);
  t.same(partitionsOf(quiet), [], 'no partition has news');

  // New data on partition 1 only: an incremental request naming nothing gets just that partition.
  await produce(b, 's', 1, batch(['second-1']));
  const news = await req(id, 2, []);
  t.same(partitionsOf(news), [1]);
  t.equal(news.responses[0]!.partitions[0]!.highWatermark, 2);

  t.equal((await req(id, 2, [])).errorCode, ErrorCode.INVALID_FETCH_SESSION_EPOCH, 'an old epoch is refused');

  // Forget partition 1, add partition 2 (it has never been sent, so it is included).
  const changed = await req(id, 3, [{ topic: 's', partitions: [part(2, 0)] }], [{ topic: 's', partitions: [1] }]);
  t.same(partitionsOf(changed), [2]);
  await produce(b, 's', 1, batch(['third-1']));
  const afterForget = await req(id, 4, [{ topic: 's', partitions: [part(2, 1)] }]);
  t.same(partitionsOf(afterForget), [], 'a forgotten partition is not reported');

  // An incremental long poll is woken by an append to a session partition.
  const pending = req(id, 5, [], [], 10_000);
  await untilParked(b);
  await produce(b, 's', 0, batch(['wake-0']));
  t.same(partitionsOf(await pending), [0]);

  // Epoch -1 closes the session; it is then unknown.
  const closing = await req(id, -1, [{ topic: 's', partitions: [part(0, 0)] }]);
  t.equal(closing.sessionId, 0);
  t.same(partitionsOf(closing), [0]);
  t.equal((await req(id, 6, [])).errorCode, ErrorCode.FETCH_SESSION_ID_NOT_FOUND);
});

t.test('fetch sessions keyed by topic id (v13+) refuse a switch to names', async (t) => {
  const b = await inProcessBroker(t);
  await createTopic(b, 'ids');
  await produce(b, 'ids', 0, batch(['a']));
  const topicId = b.context.metadata.topic('ids')!.topicId;
  const part = { partition: 0, currentLeaderEpoch: -1, fetchOffset: 0, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 1_000_000 };
  const base = { replicaId: -1, maxWaitMs: 0, minBytes: 1, maxBytes: 1_000_000, isolationLevel: 0, forgottenTopicsData: [], rackId: '' };
  const full = await call<FetchResponse>(b, 1, 16, { ...base, sessionId: 0, sessionEpoch: 0, topics: [{ topicId, partitions: [part] }] });
  t.not(full.sessionId, 0);
  await produce(b, 'ids', 0, batch(['b']));
  const inc = await call<FetchResponse>(b, 1, 16, { ...base, sessionId: full.sessionId, sessionEpoch: 1, topics: [] });
  t.equal(inc.responses[0]!.topicId, topicId);
  t.equal(inc.responses[0]!.partitions[0]!.highWatermark, 2);
  const switched = await call<FetchResponse>(b, 1, 12, { ...base, sessionId: full.sessionId, sessionEpoch: 2, topics: [] });
  t.equal(switched.errorCode, ErrorCode.FETCH_SESSION_TOPIC_ID_ERROR);
});

t.test('read_committed fetches carry the aborted transactions of what they return', async (t) => {
  const { encodeEndTransactionMarkerBatch } = await import('../../src/records/control.js');
  const b = await inProcessBroker(t);
  await createTopic(b, 'txn');
  const log = b.context.logManager.getLog('txn', 0)! as unknown as {
    appendAsLeader(records: Buffer, epoch: number, origin?: string): unknown;
    leaderEpoch: number;
  };
  const txBatch = encodeRecordBatch({ transactional: true, producerId: 77, producerEpoch: 0, baseSequence: 0, records: [{ timestampMs: 1, key: null, value: Buffer.from('doomed') }] });
  log.appendAsLeader(txBatch, log.leaderEpoch);
  const ongoing = await fetch(b, 'txn', 0, { isolationLevel: 1 });
  t.equal(ongoing.responses[0]!.partitions[0]!.lastStableOffset, 0, 'the open transaction holds the LSO');
  t.equal(ongoing.responses[0]!.partitions[0]!.records?.length ?? 0, 0, 'read_committed sees nothing yet');
  log.appendAsLeader(encodeEndTransactionMarkerBatch({ producerId: 77, producerEpoch: 0, coordinatorEpoch: 0, commit: false, timestampMs: 2 }), log.leaderEpoch, 'coordinator');
  await produce(b, 'txn', 0, batch(['after']));
  const done = await fetch(b, 'txn', 0, { isolationLevel: 1 });
  const p = done.responses[0]!.partitions[0]!;
  t.equal(p.lastStableOffset, 3);
  t.same(p.abortedTransactions, [{ producerId: 77, firstOffset: 0 }]);
});
