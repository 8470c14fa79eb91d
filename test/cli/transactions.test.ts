// `kts transactions` against a real kts broker on port 0: list and describe a kafkajs
// transactional producer's ongoing transaction, describe-producers, Kafka's table format,
// find-hanging on a transaction its coordinator does not know, abort by start offset, and
// usage errors.
import t from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import { runKts } from '../helpers/run-kts.js';
import { runBroker } from '../broker/helpers.js';
import { encodeRecordBatch } from '../../src/records/record-batch.js';

const OVERRIDES = ['transaction.state.log.num.partitions=2', 'offsets.topic.num.partitions=2'];

function rows(stdout: string): string[][] {
  return stdout.split('\n').filter((l) => l !== '').map((l) => l.split('\t').map((c) => c.trim()).slice(0, -1));
}

t.test('list, describe, describe-producers, find-hanging, abort', async (t) => {
  const b = await runBroker(t, OVERRIDES);
  const kafka = new Kafka({ clientId: 'kts-txn-cli', brokers: [b.bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 2 }] });
  const producer = kafka.producer({ transactionalId: 'orders-tx', maxInFlightRequests: 1, idempotent: true });
  await producer.connect();
  t.teardown(() => producer.disconnect());
  const txn = await producer.transaction();
  await txn.send({ topic: 'orders', messages: [{ partition: 0, value: 'a' }, { partition: 0, value: 'b' }] });
  const kts = (args: string) => runKts(`transactions ${args} --bootstrap-server ${b.bootstrap}`);

  const list = await kts('list');
  t.equal(list.code, 0, list.stderr);
  t.same(rows(list.stdout)[0], ['TransactionalId', 'Coordinator', 'ProducerId', 'TransactionState']);
  t.same(rows(list.stdout)[1]!.filter((_, i) => i !== 2), ['orders-tx', String(b.broker.nodeId), 'Ongoing']);
  t.match(list.stdout.split('\n')[0]!, /^TransactionalId\t/, 'cells end with a TAB');
  t.match(list.stdout.split('\n')[0]!, /TransactionState\t$/, 'including the last one');

  const described = await kts('describe --transactional-id orders-tx');
  t.equal(described.code, 0, described.stderr);
  const [header, row] = rows(described.stdout);
  t.same(header, ['CoordinatorId', 'TransactionalId', 'ProducerId', 'ProducerEpoch', 'TransactionState', 'TransactionTimeoutMs', 'CurrentTransactionStartTimeMs', 'TransactionDurationMs', 'TopicPartitions']);
  t.same([row![1], row![4], row![8]], ['orders-tx', 'Ongoing', 'orders-0']);
  const producerId = Number(row![2]);
  const missing = await kts('describe --transactional-id nope');
  t.equal(missing.code, 1);
  t.match(missing.stderr, /TRANSACTIONAL_ID_NOT_FOUND|transactional id/i);

  const producers = await kts('describe-producers --topic orders --partition 0');
  t.equal(producers.code, 0, producers.stderr);
  const pr = rows(producers.stdout);
  t.same(pr[0], ['ProducerId', 'ProducerEpoch', 'LatestCoordinatorEpoch', 'LastSequence', 'LastTimestamp', 'CurrentTransactionStartOffset']);
  t.same([pr[1]![0], pr[1]![3], pr[1]![5]], [String(producerId), '1', '0']);
  const json = await kts('describe-producers --topic orders --partition 0 --json');
  t.equal(JSON.parse(json.stdout)[0].ProducerId, String(producerId));

  // The coordinator knows this one: not hanging.
  const none = await kts('find-hanging --topic orders --max-transaction-timeout 0');
  t.equal(none.code, 0, none.stderr);
  t.equal(rows(none.stdout).length, 1, 'an ongoing transaction is not hanging');
  await txn.commit();

  // A transaction written behind the coordinator's back (as after a lost coordinator): hanging.
  const log = b.broker.context.logManager.getLog('orders', 1)!;
  const hangingBatch = encodeRecordBatch({ transactional: true, producerId: 4242, producerEpoch: 3, baseSequence: 0, records: [{ timestampMs: Date.now(), key: null, value: Buffer.from('h') }] });
  await log.appendAsLeader(hangingBatch, log.leaderEpoch);
  t.equal(log.lastStableOffset, 0, 'the hanging transaction holds the LSO');
  const hanging = await kts('find-hanging --topic orders --max-transaction-timeout 0');
  t.equal(hanging.code, 0, hanging.stderr);
  const hr = rows(hanging.stdout);
  t.same(hr[0], ['Topic', 'Partition', 'ProducerId', 'ProducerEpoch', 'CoordinatorEpoch', 'StartOffset', 'LastTimestamp', 'Duration(min)']);
  t.same(hr.slice(1).map((r) => r.slice(0, 4).concat(r[5]!)), [['orders', '1', '4242', '3', '0']]);

  const aborted = await kts('abort --topic orders --partition 1 --start-offset 0');
  t.equal(aborted.code, 0, aborted.stderr);
  t.equal(log.lastStableOffset, log.logEndOffset, 'the ABORT marker released the LSO');
  t.same(log.collectAbortedTxns(0, log.logEndOffset).map((a) => a.producerId), [4242]);
  t.equal(rows((await kts('find-hanging --topic orders --max-transaction-timeout 0')).stdout).length, 1, 'nothing hanging any more');
  const again = await kts('abort --topic orders --partition 1 --start-offset 0');
  t.equal(again.code, 1, 'no open transaction starts there now');

  t.equal((await kts('bogus')).code, 2);
  t.equal((await kts('describe')).code, 2, 'describe needs --transactional-id');
  t.equal((await kts('abort --topic orders --partition 1')).code, 2, 'abort needs a start offset or a producer');
});
