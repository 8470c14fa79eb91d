// The transaction coordinator through broker.handleFrame with a controlled clock: timeout
// validation, epoch bumps and fencing codes per request version, unknown partitions,
// produce checks, markers and the LSO, EndTxn retries and wrong states, CONCURRENT_TRANSACTIONS
// while an open transaction is fenced, timeouts, Describe/List transactions,
// DescribeProducers, replay after a restart and dump-log on __transaction_state.
import t from 'tap';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { decodeResponse, encodeRequest } from '../../src/protocol/codec.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { buildBrokerConfig } from '../../src/broker/config.js';
import { startBroker, type Broker } from '../../src/broker/broker.js';
import { memoryLogger } from '../../src/util/logger.js';
import { transactionCoordinatorOf } from '../../src/broker/txn/coordinator.js';
import { encodeRecordBatch } from '../../src/records/record-batch.js';
import type { InitProducerIdResponse } from '../../src/protocol/messages/22-init-producer-id.js';
import type { AddPartitionsToTxnResponse } from '../../src/protocol/messages/24-add-partitions-to-txn.js';
import type { EndTxnResponse } from '../../src/protocol/messages/26-end-txn.js';
import type { ProduceResponse } from '../../src/protocol/messages/00-produce.js';
import type { DescribeTransactionsResponse } from '../../src/protocol/messages/65-describe-transactions.js';
import type { ListTransactionsResponse } from '../../src/protocol/messages/66-list-transactions.js';
import type { DescribeProducersResponse } from '../../src/protocol/messages/61-describe-producers.js';
import type { FindCoordinatorResponse } from '../../src/protocol/messages/10-find-coordinator.js';
import type { AddOffsetsToTxnResponse } from '../../src/protocol/messages/25-add-offsets-to-txn.js';
import type { TxnOffsetCommitResponse } from '../../src/protocol/messages/28-txn-offset-commit.js';
import type { OffsetFetchResponse } from '../../src/protocol/messages/09-offset-fetch.js';
import { runKts } from '../helpers/run-kts.js';
import { tempDir } from './helpers.js';

let correlation = 0;
async function call<T>(broker: Broker, apiKey: number, version: number, body: unknown): Promise<T> {
  const frame = encodeRequest(apiKey, version, ++correlation, 'txn-test', body).subarray(4);
  const chunks = await broker.handleFrame(frame);
  if (!chunks) throw new Error('no response');
  return decodeResponse(apiKey, version, Buffer.concat(chunks).subarray(4)).body as T;
}

interface Clock {
  now: number;
}

async function txnBroker(t: { teardown(fn: () => unknown): void }, clock: Clock, dir?: string): Promise<{ broker: Broker; dir: string }> {
  const dataDir = dir ?? (await tempDir(t));
  const overrides = ['transaction.state.log.num.partitions=3', 'transaction.max.timeout.ms=60000', 'num.partitions=2'];
  const config = buildBrokerConfig({ dataDir, env: {}, overrides });
  const broker = await startBroker(config, { listen: false, log: memoryLogger(), nowMs: () => clock.now });
  t.teardown(() => broker.stop());
  if (!dir) await call(broker, 19, 5, { topics: [{ name: 't', numPartitions: 2, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 1000, validateOnly: false });
  return { broker, dir: dataDir };
}

const init = (b: Broker, id: string, timeoutMs = 10_000, version = 4, producerId = -1, producerEpoch = -1) =>
  call<InitProducerIdResponse>(b, 22, version, { transactionalId: id, transactionTimeoutMs: timeoutMs, producerId, producerEpoch });

async function addPartitions(b: Broker, id: string, pid: number, epoch: number, partitions: [string, number][], version = 3): Promise<number[]> {
  const topics = [...new Set(partitions.map(([topic]) => topic))].map((name) => ({ name, partitions: partitions.filter(([n]) => n === name).map(([, p]) => p) }));
  const r = await call<AddPartitionsToTxnResponse>(b, 24, version, { v3AndBelowTransactionalId: id, v3AndBelowProducerId: pid, v3AndBelowProducerEpoch: epoch, v3AndBelowTopics: topics });
  return r.resultsByTopicV3AndBelow!.flatMap((tr) => tr.resultsByPartition.map((p) => p.partitionErrorCode));
}

const endTxn = async (b: Broker, id: string, pid: number, epoch: number, committed: boolean, version = 3) =>
  (await call<EndTxnResponse>(b, 26, version, { transactionalId: id, producerId: pid, producerEpoch: epoch, committed })).errorCode;

async function produceTxn(b: Broker, id: string | null, pid: number, epoch: number, seq: number, partition: number, values: string[]): Promise<number> {
  const records = encodeRecordBatch({ transactional: true, producerId: pid, producerEpoch: epoch, baseSequence: seq, records: values.map((v) => ({ timestampMs: 1, key: null, value: Buffer.from(v) })) });
  const r = await call<ProduceResponse>(b, 0, 9, { transactionalId: id, acks: -1, timeoutMs: 1000, topicData: [{ name: 't', partitionData: [{ index: partition, records }] }] });
  return r.responses[0]!.partitionResponses[0]!.errorCode;
}

t.test('InitProducerId: timeouts, epoch bumps, fencing codes per version', async (t) => {
  const clock = { now: 1_000_000 };
  const { broker } = await txnBroker(t, clock);
  const fc = await call<FindCoordinatorResponse>(broker, 10, 3, { key: 'tx', keyType: 1 });
  t.same([fc.errorCode, fc.nodeId], [ErrorCode.NONE, broker.nodeId], 'FindCoordinator for a transactional id');
  t.equal(broker.context.metadata.topic('__transaction_state')!.partitions.length, 3, '__transaction_state created with transaction.state.log.num.partitions');
  t.equal((await init(broker, 'tx', 0)).errorCode, ErrorCode.INVALID_TRANSACTION_TIMEOUT);
  t.equal((await init(broker, 'tx', 60_001)).errorCode, ErrorCode.INVALID_TRANSACTION_TIMEOUT, 'above transaction.max.timeout.ms');
  const first = await init(broker, 'tx');
  t.same([first.errorCode, first.producerEpoch], [ErrorCode.NONE, 0]);
  const second = await init(broker, 'tx');
  t.same([second.errorCode, second.producerId, second.producerEpoch], [ErrorCode.NONE, first.producerId, 1], 'same producer id, epoch bumped');
  t.same(await addPartitions(broker, 'tx', first.producerId, 0, [['t', 0]], 2), [ErrorCode.PRODUCER_FENCED], 'old epoch fenced (v2+)');
  t.same(await addPartitions(broker, 'tx', first.producerId, 0, [['t', 0]], 1), [ErrorCode.INVALID_PRODUCER_EPOCH], 'old epoch (v0-1)');
  t.same(await addPartitions(broker, 'tx', first.producerId + 1, 1, [['t', 0]]), [ErrorCode.INVALID_PRODUCER_ID_MAPPING]);
  t.same(await addPartitions(broker, 'nope', first.producerId, 1, [['t', 0]]), [ErrorCode.INVALID_PRODUCER_ID_MAPPING]);
  t.same(await addPartitions(broker, 'tx', first.producerId, 1, [['t', 0], ['t', 9]]), [ErrorCode.OPERATION_NOT_ATTEMPTED, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);
  t.equal((await init(broker, 'tx', 10_000, 4, first.producerId + 5, 0)).errorCode, ErrorCode.PRODUCER_FENCED, 'KIP-360 re-init with a foreign producer id');
  const third = await init(broker, 'tx', 10_000, 4, first.producerId, 1);
  t.same([third.errorCode, third.producerEpoch], [ErrorCode.NONE, 2], 'KIP-360 re-init with the current id/epoch');
  t.equal(await endTxn(broker, 'tx', first.producerId, 2, true), ErrorCode.INVALID_TXN_STATE, 'EndTxn with no transaction');
});

t.test('produce, markers, LSO, EndTxn retries, aborted index, fencing an open transaction, timeouts', async (t) => {
  const clock = { now: 1_000_000 };
  const { broker, dir } = await txnBroker(t, clock);
  const log0 = broker.context.logManager.getLog('t', 0)!;
  const { producerId: pid, producerEpoch: epoch } = await init(broker, 'tx');
  t.equal(await produceTxn(broker, 'tx', pid, epoch, 0, 0, ['a']), ErrorCode.INVALID_TXN_STATE, 'partition not in the transaction');
  t.same(await addPartitions(broker, 'tx', pid, epoch, [['t', 0], ['t', 1]]), [0, 0]);
  t.equal(await produceTxn(broker, null, pid, epoch, 0, 0, ['a']), ErrorCode.INVALID_TXN_STATE, 'transactional batch without a transactional id');
  t.equal(await produceTxn(broker, 'tx', pid, epoch, 0, 0, ['a', 'b']), ErrorCode.NONE);
  t.equal(await produceTxn(broker, 'tx', pid, epoch, 0, 1, ['c']), ErrorCode.NONE);
  t.same([log0.lastStableOffset, log0.highWatermark], [0, 2], 'LSO held at the first offset of the open transaction');

  const listed = await call<ListTransactionsResponse>(broker, 66, 1, { stateFilters: ['Ongoing', 'Bogus'], producerIdFilters: [], durationFilter: -1 });
  t.same(listed.unknownStateFilters, ['Bogus']);
  t.same(listed.transactionStates, [{ transactionalId: 'tx', producerId: pid, transactionState: 'Ongoing' }]);
  const described = await call<DescribeTransactionsResponse>(broker, 65, 0, { transactionalIds: ['tx', 'missing'] });
  t.same(described.transactionStates[0]!.topics, [{ topic: 't', partitions: [0, 1] }]);
  t.same([described.transactionStates[0]!.transactionState, described.transactionStates[0]!.transactionStartTimeMs], ['Ongoing', 1_000_000]);
  t.equal(described.transactionStates[1]!.errorCode, ErrorCode.TRANSACTIONAL_ID_NOT_FOUND);
  const producers = await call<DescribeProducersResponse>(broker, 61, 0, { topics: [{ name: 't', partitionIndexes: [0, 7] }] });
  const p0 = producers.topics[0]!.partitions[0]!;
  t.same([p0.activeProducers[0]!.producerId, p0.activeProducers[0]!.lastSequence, p0.activeProducers[0]!.currentTxnStartOffset], [pid, 1, 0]);
  t.equal(producers.topics[0]!.partitions[1]!.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);

  t.equal(await endTxn(broker, 'tx', pid, epoch, true), ErrorCode.NONE);
  t.same([log0.logEndOffset, log0.lastStableOffset], [3, 3], 'COMMIT marker written, LSO at the end');
  t.equal(await endTxn(broker, 'tx', pid, epoch, true), ErrorCode.NONE, 'a retried commit succeeds');
  t.equal(await endTxn(broker, 'tx', pid, epoch, false), ErrorCode.INVALID_TXN_STATE, 'abort after commit');

  t.same(await addPartitions(broker, 'tx', pid, epoch, [['t', 0]]), [0]);
  t.equal(await produceTxn(broker, 'tx', pid, epoch, 2, 0, ['x']), ErrorCode.NONE);
  t.equal(await endTxn(broker, 'tx', pid, epoch, false), ErrorCode.NONE);
  t.same(log0.collectAbortedTxns(0, log0.logEndOffset).map((a) => [a.producerId, a.firstOffset]), [[pid, 3]], 'the abort is in the txn index');

  // A new producer fences an open transaction: CONCURRENT_TRANSACTIONS until it is aborted.
  t.same(await addPartitions(broker, 'tx', pid, epoch, [['t', 1]]), [0]);
  t.equal(await produceTxn(broker, 'tx', pid, epoch, 1, 1, ['y']), ErrorCode.NONE);
  t.equal((await init(broker, 'tx')).errorCode, ErrorCode.CONCURRENT_TRANSACTIONS);
  await t.resolves(async () => {
    while (transactionCoordinatorOf(broker.context).get('tx')!.state !== 'CompleteAbort') await new Promise((r) => setTimeout(r, 5));
  });
  const fenced = await init(broker, 'tx');
  t.same([fenced.errorCode, fenced.producerId, fenced.producerEpoch], [ErrorCode.NONE, pid, epoch + 2], 'epoch bumped by the fence and by the new init');
  t.equal(await produceTxn(broker, 'tx', pid, epoch, 2, 1, ['z']), ErrorCode.INVALID_PRODUCER_EPOCH, 'the zombie cannot produce');
  t.equal(await endTxn(broker, 'tx', pid, epoch, true, 1), ErrorCode.INVALID_PRODUCER_EPOCH, 'nor end a transaction (v1)');

  // A transaction open past its timeout is aborted by the timer tick, with an epoch bump.
  const slow = await init(broker, 'slow', 5000);
  t.same(await addPartitions(broker, 'slow', slow.producerId, slow.producerEpoch, [['t', 0]]), [0]);
  t.equal(await produceTxn(broker, 'slow', slow.producerId, slow.producerEpoch, 0, 0, ['s']), ErrorCode.NONE);
  const coordinator = transactionCoordinatorOf(broker.context);
  clock.now += 5000;
  await coordinator.runTimers();
  t.equal(coordinator.get('slow')!.state, 'Ongoing', 'not yet');
  clock.now += 1;
  await coordinator.runTimers();
  t.same([coordinator.get('slow')!.state, coordinator.get('slow')!.producerEpoch], ['CompleteAbort', slow.producerEpoch + 1]);
  t.equal(log0.lastStableOffset, log0.highWatermark, 'LSO released');
  t.equal(await endTxn(broker, 'slow', slow.producerId, slow.producerEpoch, true), ErrorCode.PRODUCER_FENCED);

  // An open transaction survives a restart: its state is replayed and the LSO stays put.
  const open = await init(broker, 'open');
  t.same(await addPartitions(broker, 'open', open.producerId, open.producerEpoch, [['t', 1]]), [0]);
  t.equal(await produceTxn(broker, 'open', open.producerId, open.producerEpoch, 0, 1, ['o']), ErrorCode.NONE);
  const openAt = broker.context.logManager.getLog('t', 1)!.logEndOffset - 1;
  await broker.stop();
  const again = (await txnBroker(t, clock, dir)).broker;
  const describedAgain = await call<DescribeTransactionsResponse>(again, 65, 0, { transactionalIds: ['open', 'tx', 'slow'] });
  t.same(
    describedAgain.transactionStates.map((s) => [s.transactionState, s.producerEpoch]),
    [['Ongoing', open.producerEpoch], ['Empty', epoch + 2], ['CompleteAbort', slow.producerEpoch + 1]],
    'states replayed from __transaction_state',
  );
  t.equal(again.context.logManager.getLog('t', 1)!.lastStableOffset, openAt, 'LSO still held by the open transaction');
  t.equal(await endTxn(again, 'open', open.producerId, open.producerEpoch, true), ErrorCode.NONE, 'and it can still commit');
  t.equal(again.context.logManager.getLog('t', 1)!.lastStableOffset, again.context.logManager.getLog('t', 1)!.logEndOffset);

  const stateDir = readdirSync(dir).find((d) => d.startsWith('__transaction_state-') && readdirSync(join(dir, d)).some((f) => f.endsWith('.log')));
  const segment = readdirSync(join(dir, stateDir!)).find((f) => f.endsWith('.log'))!;
  const dumped = await runKts(['dump-log', '--files', join(dir, stateDir!, segment), '--transaction-log-decoder']);
  t.equal(dumped.code, 0, dumped.stderr);
  t.match(dumped.stdout, /transaction_metadata::transactionalId=/, 'dump-log decodes the records with Kafka schemas');
});

t.test('TxnOffsetCommit: offsets visible only on commit; UNSTABLE_OFFSET_COMMIT for require_stable', async (t) => {
  const clock = { now: 1_000_000 };
  const { broker } = await txnBroker(t, clock);
  const { producerId: pid, producerEpoch: epoch } = await init(broker, 'tx');
  const txnCommit = async (group: string, offset: number, version = 3) =>
    (await call<TxnOffsetCommitResponse>(broker, 28, version, {
      transactionalId: 'tx', groupId: group, producerId: pid, producerEpoch: epoch, generationId: -1, memberId: '', groupInstanceId: null,
      topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: offset, committedLeaderEpoch: -1, committedMetadata: 'm' }] }],
    })).topics[0]!.partitions[0]!.errorCode;
  const fetch = async (requireStable: boolean) => {
    const r = await call<OffsetFetchResponse>(broker, 9, 7, { groupId: 'g', topics: [{ name: 't', partitionIndexes: [0] }], requireStable });
    const p = r.topics![0]!.partitions[0]!;
    return [p.errorCode, p.committedOffset];
  };
  t.equal(await txnCommit('g', 5), ErrorCode.INVALID_TXN_STATE, 'the group partition has not joined the transaction');
  const added = await call<AddOffsetsToTxnResponse>(broker, 25, 3, { transactionalId: 'tx', producerId: pid, producerEpoch: epoch, groupId: 'g' });
  t.equal(added.errorCode, ErrorCode.NONE);
  t.equal(await txnCommit('g', 5), ErrorCode.NONE);
  t.same(await fetch(true), [ErrorCode.UNSTABLE_OFFSET_COMMIT, -1], 'require_stable: unstable while the transaction is open');
  t.same(await fetch(false), [ErrorCode.NONE, -1], 'not visible before the commit');
  t.equal(await endTxn(broker, 'tx', pid, epoch, true), ErrorCode.NONE);
  t.same(await fetch(true), [ErrorCode.NONE, 5], 'visible after the commit');

  t.equal((await call<AddOffsetsToTxnResponse>(broker, 25, 3, { transactionalId: 'tx', producerId: pid, producerEpoch: epoch, groupId: 'g' })).errorCode, ErrorCode.NONE);
  t.equal(await txnCommit('g', 9), ErrorCode.NONE);
  t.equal(await endTxn(broker, 'tx', pid, epoch, false), ErrorCode.NONE);
  t.same(await fetch(true), [ErrorCode.NONE, 5], 'an aborted transaction leaves the offsets alone');
  t.equal(await txnCommit('g', 9, 2), ErrorCode.INVALID_TXN_STATE, 'no open transaction');
});

t.test('transactional ids idle past transactional.id.expiration.ms are removed, also after a restart', async (t) => {
  const clock = { now: 1_000_000 };
  const dir = await tempDir(t);
  const config = buildBrokerConfig({ dataDir: dir, env: {}, overrides: ['transaction.state.log.num.partitions=1', 'transactional.id.expiration.ms=60000', 'transaction.remove.expired.transaction.cleanup.interval.ms=1000'] });
  const broker = await startBroker(config, { listen: false, log: memoryLogger(), nowMs: () => clock.now });
  t.teardown(() => broker.stop());
  await init(broker, 'idle');
  const coordinator = transactionCoordinatorOf(broker.context);
  clock.now += 59_999;
  await coordinator.runTimers();
  t.ok(coordinator.get('idle'), 'kept before the expiration');
  clock.now += 1000;
  await coordinator.runTimers();
  t.equal(coordinator.get('idle'), undefined, 'expired at the next expiry check');
  await broker.stop();
  const again = await startBroker(config, { listen: false, log: memoryLogger(), nowMs: () => clock.now });
  t.teardown(() => again.stop());
  const d = await call<DescribeTransactionsResponse>(again, 65, 0, { transactionalIds: ['idle'] });
  t.equal(d.transactionStates[0]!.errorCode, ErrorCode.TRANSACTIONAL_ID_NOT_FOUND, 'the tombstone is replayed');
});
