// Issue 13, transactions across a migration step, deterministically: a Kafka 1.1 broker
// coordinates a transactional id and leads the partition; its producer commits one
// transaction and leaves the next one open (Ongoing in __transaction_state, records in the
// log, no marker). Kafka stops; kts starts as the same broker on its log dir and loads
// Kafka's __transaction_state and producer state. A new producer with the same id is
// answered (InitProducerId fences the open transaction: kts aborts it with a bumped epoch,
// CONCURRENT_TRANSACTIONS meanwhile) and commits; read_committed shows the committed
// transactions only. Then back: Kafka 1.1 on the dir kts wrote reads the same, and the
// transaction index and producer snapshots agree with the log after each side stopped.
// Skips without ../shared/kafka-1.1, Java, ZooKeeper or kcat.
import t, { type Test } from 'tap';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import kafkajs from 'kafkajs';
import { kafka11Skip, startKafka11 } from '../helpers/kafka11.js';
import { needsZookeeper, startZooKeeper } from '../helpers/zookeeper.js';
import { kcat, needsKcat } from '../helpers/kcat.js';
import { startBrokerProcess } from '../helpers/kts-cluster.js';
import { waitForDespiteErrors } from '../helpers/cluster-checks.js';
import { ONE_BROKER_TXN_PROPERTIES, kafka11Tool } from '../helpers/mixed-cluster.js';
import { transactionIndexProblems } from '../helpers/txn-check.js';

t.setTimeout(600_000);

const built = existsSync(fileURLToPath(new URL('../../dist/kts.cjs', import.meta.url)));
const skip = kafka11Skip || needsZookeeper || needsKcat || (built ? false : 'dist/kts.cjs is missing: run `npm run build` first');

const TOPIC = 'ledger';
const TXN_ID = 'left-open';

function client(bootstrap: string): kafkajs.Kafka {
  return new kafkajs.Kafka({ brokers: [bootstrap], clientId: 'open-txn', logLevel: kafkajs.logLevel.NOTHING, retry: { retries: 30, initialRetryTime: 200, maxRetryTime: 2000 } });
}

async function readCommitted(bootstrap: string): Promise<string[]> {
  const r = await kcat(['-C', '-b', bootstrap, '-t', TOPIC, '-o', 'beginning', '-e', '-q', '-X', 'isolation.level=read_committed', '-f', '%s\\n'], undefined, 60_000);
  return r.stdout.split('\n').filter(Boolean);
}

t.test("kts takes over a Kafka 1.1 broker's open transaction and hands its log back", { skip, timeout: 600_000 }, async (t: Test) => {
  const zk = await startZooKeeper(t);
  const k1 = await startKafka11(t, { brokerId: 1, zookeeperConnect: zk.connect, properties: ONE_BROKER_TXN_PROPERTIES });
  const dir = k1.logDirs;
  await kafka11Tool('kafka-topics.sh', ['--zookeeper', zk.connect, '--create', '--topic', TOPIC, '--partitions', '1', '--replication-factor', '1']);

  const before = client(k1.bootstrap).producer({ transactionalId: TXN_ID, idempotent: true, maxInFlightRequests: 1 });
  await before.connect();
  let tx = await before.transaction();
  await tx.send({ topic: TOPIC, acks: -1, messages: [{ value: 'committed-by-kafka', partition: 0 }] });
  await tx.commit();
  tx = await before.transaction();
  await tx.send({ topic: TOPIC, acks: -1, messages: [{ value: 'left-open', partition: 0 }] });
  // Neither committed nor aborted: the client goes away, Kafka keeps the transaction Ongoing.
  await before.disconnect();
  await k1.stop();
  t.same(transactionIndexProblems(join(dir, `${TOPIC}-0`)), [], "Kafka's transaction index and snapshots agree with its log");

  const kts = await startBrokerProcess(t, 1, dir, zk.connect, ONE_BROKER_TXN_PROPERTIES);
  const logs = (): string => `kts broker log (last 8 kB):\n${kts.output().slice(-8192)}`;
  try {
    const after = client(kts.bootstrap).producer({ transactionalId: TXN_ID, idempotent: true, maxInFlightRequests: 1 });
    await after.connect();
    t.teardown(() => after.disconnect().catch(() => undefined));
    tx = await after.transaction();
    await tx.send({ topic: TOPIC, acks: -1, messages: [{ value: 'committed-by-kts', partition: 0 }] });
    await tx.commit();
  } catch (err) {
    t.fail(`a producer with the id of Kafka's open transaction failed on kts: ${(err as Error).name}: ${(err as Error).message}\n${logs()}`);
    return;
  }
  t.match(kts.output(), new RegExp(`Aborting transaction of '${TXN_ID}'.*fenced by a new producer`), "kts aborted Kafka's open transaction when the new producer fenced it");
  t.same(await readCommitted(kts.bootstrap), ['committed-by-kafka', 'committed-by-kts'], 'read_committed from kts: both committed transactions, not the aborted one');
  await kts.stop();
  t.same(transactionIndexProblems(join(dir, `${TOPIC}-0`)), [], "kts's transaction index and snapshots agree with the log");

  const back = await startKafka11(t, { brokerId: 1, zookeeperConnect: zk.connect, logDirs: dir, properties: ONE_BROKER_TXN_PROPERTIES });
  const seen = await waitForDespiteErrors('Kafka 1.1 to serve the partition again', async () => {
    const values = await readCommitted(back.bootstrap);
    return values.length >= 2 ? values : undefined;
  }, 120_000);
  t.same(seen, ['committed-by-kafka', 'committed-by-kts'], 'read_committed from Kafka 1.1 on the dir kts wrote: the same');
});
