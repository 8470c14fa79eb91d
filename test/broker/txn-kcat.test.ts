// librdkafka (kcat) reading transactional data written through the kts transaction
// coordinator by kafkajs: read_committed skips the aborted transaction (control batches and
// the aborted list of the Fetch response) and stops at an open transaction (LSO);
// read_uncommitted sees every record.
import t from 'tap';
import { hasKcat, kcat } from '../helpers/kcat.js';
import { Kafka, logLevel } from 'kafkajs';
import { runBroker } from './helpers.js';


t.test('kcat read_committed / read_uncommitted', { skip: hasKcat ? false : 'kcat is not installed (apt-get install -y kcat)' }, async (t) => {
  const b = await runBroker(t, ['transaction.state.log.num.partitions=2']);
  const kafka = new Kafka({ clientId: 'kts-txn-kcat', brokers: [b.bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await admin.createTopics({ topics: [{ topic: 'tx', numPartitions: 1 }] });
  const producer = kafka.producer({ transactionalId: 'kcat-tx', maxInFlightRequests: 1, idempotent: true });
  await producer.connect();
  t.teardown(() => producer.disconnect());
  const send = async (values: string[], end: 'commit' | 'abort' | 'open') => {
    const txn = await producer.transaction();
    await txn.send({ topic: 'tx', messages: values.map((value) => ({ value })) });
    if (end === 'commit') await txn.commit();
    if (end === 'abort') await txn.abort();
  };
  await send(['c1', 'c2'], 'commit');
  await send(['a1', 'a2'], 'abort');
  await send(['c3'], 'commit');
  await send(['o1'], 'open');

  const read = (isolation: string) => kcat(['-b', b.bootstrap, '-C', '-t', 'tx', '-p', '0', '-o', 'beginning', '-e', '-q', '-X', `isolation.level=${isolation}`]);
  const committed = await read('read_committed');
  t.equal(committed.code, 0, committed.stderr);
  t.same(committed.stdout.split('\n').filter(Boolean), ['c1', 'c2', 'c3'], 'aborted records skipped, open transaction not reached');
  const all = await read('read_uncommitted');
  t.equal(all.code, 0, all.stderr);
  t.same(all.stdout.split('\n').filter(Boolean), ['c1', 'c2', 'a1', 'a2', 'c3', 'o1']);
});
