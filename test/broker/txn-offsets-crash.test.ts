// Transactional offsets survive a broker crash: TxnOffsetCommit writes them to
// __consumer_offsets as a transactional batch, and the COMMIT marker (live, replayed, or
// rewritten by the transaction coordinator after a restart) applies them; ABORT drops them.
import t from 'tap';
import { decodeResponse, encodeRequest } from '../../src/protocol/codec.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { buildBrokerConfig } from '../../src/broker/config.js';
import { startBroker, type Broker } from '../../src/broker/broker.js';
import { memoryLogger } from '../../src/util/logger.js';
import { transactionCoordinatorOf } from '../../src/broker/txn/coordinator.js';
import { TransactionStateStore } from '../../src/broker/txn/store.js';
import { offsetsPartitionFor } from '../../src/protocol/internal/consumer-offsets.js';
import type { InitProducerIdResponse } from '../../src/protocol/messages/22-init-producer-id.js';
import type { EndTxnResponse } from '../../src/protocol/messages/26-end-txn.js';
import type { AddOffsetsToTxnResponse } from '../../src/protocol/messages/25-add-offsets-to-txn.js';
import type { TxnOffsetCommitResponse } from '../../src/protocol/messages/28-txn-offset-commit.js';
import type { OffsetFetchResponse } from '../../src/protocol/messages/09-offset-fetch.js';
import { tempDir } from './helpers.js';

const OFFSETS_PARTITIONS = 3;
let correlation = 0;

async function call<T>(broker: Broker, apiKey: number, version: number, body: unknown): Promise<T> {
  const frame = encodeRequest(apiKey, version, ++correlation, 'txn-offsets-test', body).subarray(4);
  const chunks = await broker.handleFrame(frame);
  if (!chunks) throw new Error('no response');
  return decodeResponse(apiKey, version, Buffer.concat(chunks).subarray(4)).body as T;
}

async function start(t: { teardown(fn: () => unknown): void }, dir: string, create: boolean): Promise<Broker> {
  const overrides = ['transaction.state.log.num.partitions=1', `offsets.topic.num.partitions=${OFFSETS_PARTITIONS}`, 'num.partitions=1'];
  const broker = await startBroker(buildBrokerConfig({ dataDir: dir, env: {}, overrides }), { listen: false, log: memoryLogger() });
  t.teardown(() => broker.stop());
  if (create) await call(broker, 19, 5, { topics: [{ name: 't', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 1000, validateOnly: false });
  return broker;
}

interface Txn {
  producerId: number;
  producerEpoch: number;
}

/** InitProducerId, AddOffsetsToTxn and TxnOffsetCommit of `offset` for group g, partition t-0. */
async function openWithOffset(broker: Broker, id: string, offset: number): Promise<Txn> {
  const init = await call<InitProducerIdResponse>(broker, 22, 4, { transactionalId: id, transactionTimeoutMs: 60_000, producerId: -1, producerEpoch: -1 });
  const txn = { producerId: init.producerId, producerEpoch: init.producerEpoch };
  const added = await call<AddOffsetsToTxnResponse>(broker, 25, 3, { transactionalId: id, ...txn, groupId: 'g' });
  if (added.errorCode !== ErrorCode.NONE) throw new Error(`AddOffsetsToTxn: ${added.errorCode}`);
  const r = await call<TxnOffsetCommitResponse>(broker, 28, 3, {
    transactionalId: id, groupId: 'g', ...txn, generationId: -1, memberId: '', groupInstanceId: null,
    topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: offset, committedLeaderEpoch: -1, committedMetadata: 'm' }] }],
  });
  const code = r.topics[0]!.partitions[0]!.errorCode;
  if (code !== ErrorCode.NONE) throw new Error(`TxnOffsetCommit: ${code}`);
  return txn;
}

const endTxn = async (broker: Broker, id: string, txn: Txn, committed: boolean) =>
  (await call<EndTxnResponse>(broker, 26, 3, { transactionalId: id, ...txn, committed })).errorCode;

async function fetchOffset(broker: Broker, requireStable = false): Promise<[number, number]> {
  const r = await call<OffsetFetchResponse>(broker, 9, 7, { groupId: 'g', topics: [{ name: 't', partitionIndexes: [0] }], requireStable });
  const p = r.topics![0]!.partitions[0]!;
  return [p.errorCode, p.committedOffset];
}

t.test('a crash after PrepareCommit: the restarted coordinator rewrites the markers and the offsets appear', async (t) => {
  const dir = await tempDir(t);
  const first = await start(t, dir, true);
  const txn = await openWithOffset(first, 'tx', 5);
  t.same(await fetchOffset(first), [ErrorCode.NONE, -1], 'not visible while open');
  // The crash: PrepareCommit is in __transaction_state, no marker and no Complete state yet.
  await new TransactionStateStore(first.context).write('tx', {
    ...txn,
    transactionTimeoutMs: 60_000,
    transactionStatus: 2,
    transactionPartitions: [{ topic: '__consumer_offsets', partitionIds: [offsetsPartitionFor('g', OFFSETS_PARTITIONS)] }],
    transactionLastUpdateTimestampMs: Date.now(),
    transactionStartTimestampMs: Date.now(),
  }, Date.now());
  await first.stop();

  const second = await start(t, dir, false);
  await transactionCoordinatorOf(second.context).ready();
  t.same(await fetchOffset(second, true), [ErrorCode.NONE, 5], 'committed by the markers written after the restart');
  await second.stop();

  const third = await start(t, dir, false);
  t.same(await fetchOffset(third, true), [ErrorCode.NONE, 5], 'and replayed from the log (COMMIT marker) on the next start');
});

t.test('open offsets stay pending across a restart; commit applies them, abort drops them', async (t) => {
  const dir = await tempDir(t);
  const first = await start(t, dir, true);
  await openWithOffset(first, 'tx', 7);
  await first.stop();

  const second = await start(t, dir, false);
  t.same(await fetchOffset(second), [ErrorCode.NONE, -1], 'an open transaction\'s offset is not replayed as committed');
  t.same(await fetchOffset(second, true), [ErrorCode.UNSTABLE_OFFSET_COMMIT, -1], 'require_stable: still unstable after the restart');
  // A new producer fences the open transaction: CONCURRENT_TRANSACTIONS while it aborts, as clients retry.
  let code: number = ErrorCode.CONCURRENT_TRANSACTIONS;
  for (let attempt = 0; attempt < 200 && code === ErrorCode.CONCURRENT_TRANSACTIONS; attempt++) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 10));
    code = (await call<InitProducerIdResponse>(second, 22, 4, { transactionalId: 'tx', transactionTimeoutMs: 60_000, producerId: -1, producerEpoch: -1 })).errorCode;
  }
  t.equal(code, ErrorCode.NONE, 'a new producer fences (aborts) the open transaction');
  t.same(await fetchOffset(second), [ErrorCode.NONE, -1], 'the aborted offset never appears');

  const txn = await openWithOffset(second, 'tx2', 11);
  t.equal(await endTxn(second, 'tx2', txn, true), ErrorCode.NONE);
  t.same(await fetchOffset(second), [ErrorCode.NONE, 11], 'committed live');
  const aborted = await openWithOffset(second, 'tx2', 13);
  t.equal(await endTxn(second, 'tx2', aborted, false), ErrorCode.NONE);
  t.same(await fetchOffset(second), [ErrorCode.NONE, 11], 'aborted live');
  await second.stop();

  const third = await start(t, dir, false);
  t.same(await fetchOffset(third, true), [ErrorCode.NONE, 11], 'after replay: the committed offset, not the aborted ones');
});
