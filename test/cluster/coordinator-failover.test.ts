// Coordinators follow leadership: on 3 kts brokers with replicated internal topics, the broker
// coordinating a kafkajs consumer group, then the one coordinating a confluent-kafka
// (librdkafka) transactional producer, is SIGKILLed. The group rejoins on the new
// coordinator without any committed offset going back; the producer goes on committing;
// a read_committed reader (kcat) sees exactly the records of committed transactions.
// The group id and transactional id are picked so that their coordinator is not also the
// active controller: killing both at once is the controller's failover, tested on its own
// (test/cluster/controller.test.ts).
import t from 'tap';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import kafkajs from 'kafkajs';
import { startKtsCluster, type KtsCluster } from '../helpers/kts-cluster.js';
import { needsZookeeper } from '../helpers/zookeeper.js';
import { kcat, needsKcat } from '../helpers/kcat.js';
import { runKts } from '../helpers/run-kts.js';
import { describeTopic, waitFor } from '../helpers/cluster-checks.js';
import { offsetsPartitionFor } from '../../src/protocol/internal/consumer-offsets.js';
import { transactionLogPartitionFor } from '../../src/protocol/internal/transaction-log.js';
import { BrokerConnection } from '../../src/net/broker-connection.js';
import { openTcpChannel } from '../../src/net/tcp-channel.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import type { FindCoordinatorResponse } from '../../src/protocol/messages/10-find-coordinator.js';

const built = existsSync(fileURLToPath(new URL('../../dist/kts.cjs', import.meta.url)));
const needsPython = spawnSync('/usr/bin/python3', ['-c', 'import confluent_kafka']).status === 0 ? false : 'confluent_kafka is not installed for /usr/bin/python3';
const skip = needsZookeeper || needsKcat || (built ? false : 'dist/kts.cjs is missing: run `npm run build` first');
const INTERNAL_PARTITIONS = 3;

// Real broker processes start slowly on a busy machine: more than the 120 s tap gives a file
// (package.json), which a root-level setTimeout extends; it took 39-45 s at load 2-17.
t.setTimeout(600_000);

const overrides = {
  'offsets.topic.replication.factor': '3',
  'offsets.topic.num.partitions': String(INTERNAL_PARTITIONS),
  'transaction.state.log.replication.factor': '3',
  'transaction.state.log.min.isr': '2',
  'transaction.state.log.num.partitions': String(INTERNAL_PARTITIONS),
};

async function createTopic(bootstrap: string, topic: string, extra: string[] = []): Promise<void> {
  const r = await runKts(['topics', '--create', '--topic', topic, '--partitions', '3', '--replication-factor', '3', ...extra, '--bootstrap-server', bootstrap]);
  if (r.code !== 0) throw new Error(`creating ${topic}: ${r.stderr}`);
  await waitFor(`an ISR of 3 on ${topic}`, async () => ((await describeTopic(bootstrap, topic)).every((p) => p.isr.length === 3) ? true : undefined));
}

/** The broker leading an internal topic's partition (the coordinator of keys hashed there). */
/** FindCoordinator v4 (batched keys) straight to one broker. */
async function findCoordinators(bootstrap: string, keyType: number, keys: string[]): Promise<NonNullable<FindCoordinatorResponse['coordinators']>> {
  const [host, port] = bootstrap.split(',')[0]!.split(':');
  const conn = await BrokerConnection.open(await openTcpChannel(host!, Number(port), 5000), 'coordinator-failover-test', 15_000);
  try {
    const { body } = await conn.call(10, () => ({ keyType, coordinatorKeys: keys }), { minVersion: 4, maxVersion: 4 });
    return body.coordinators ?? [];
  } finally {
    conn.channel.close();
  }
}

/** Waits until every replica of an internal topic's partition is in sync (a loaded machine can drop followers for a while). */
async function fullIsr(cluster: KtsCluster, topic: string, partition: number): Promise<void> {
  await waitFor(`an ISR of 3 on ${topic}-${partition}`, async () => {
    const p = (await describeTopic(cluster.bootstrap(), topic)).find((x) => x.partition === partition);
    return p && p.isr.length === 3 ? true : undefined;
  }, 60_000);
}

/** The active controller, from a Metadata response. */
async function controllerOf(bootstrap: string): Promise<number> {
  const [host, port] = bootstrap.split(',')[0]!.split(':');
  const conn = await BrokerConnection.open(await openTcpChannel(host!, Number(port), 5000), 'coordinator-failover-test', 15_000);
  try {
    const { body } = await conn.call(3, () => ({ topics: [], allowAutoTopicCreation: false }));
    return body.controllerId ?? -1;
  } finally {
    conn.channel.close();
  }
}

/** A key (`prefix-N`) whose internal-topic partition is led by a broker other than the controller, once the topic exists. */
async function keyNotOnController(cluster: KtsCluster, keyType: number, prefix: string): Promise<{ key: string; coordinator: number }> {
  const internal = keyType === 0 ? '__consumer_offsets' : '__transaction_state';
  const partitionOf = (key: string) => (keyType === 0 ? offsetsPartitionFor(key, INTERNAL_PARTITIONS) : transactionLogPartitionFor(key, INTERNAL_PARTITIONS));
  await waitFor(`${internal} to be created`, async () => ((await findCoordinators(cluster.bootstrap(), keyType, [`${prefix}-probe`]))[0]?.errorCode === ErrorCode.NONE ? true : undefined), 60_000);
  const controller = await controllerOf(cluster.bootstrap());
  for (let i = 0; i < 20; i++) {
    const key = `${prefix}-${i}`;
    await fullIsr(cluster, internal, partitionOf(key));
    const coordinator = await leaderOf(cluster, internal, partitionOf(key));
    if (coordinator !== controller) return { key, coordinator };
  }
  throw new Error(`no ${prefix}-N key hashes to a partition led by a broker other than the controller ${controller}`);
}

async function leaderOf(cluster: KtsCluster, topic: string, partition: number, not = -1): Promise<number> {
  return waitFor(`a leader of ${topic}-${partition}`, async () => {
    const p = (await describeTopic(cluster.bootstrap(), topic)).find((x) => x.partition === partition);
    return p && p.leader >= 0 && p.leader !== not ? p.leader : undefined;
  });
}

t.test('coordinator failover', { skip }, async (t) => {
  const started = Date.now();
  const phase = (tt: { comment(msg: string): void }, what: string) => tt.comment(`${((Date.now() - started) / 1000).toFixed(1)} s: ${what}`);
  // One broker first: the internal topics need 3 (their replication factor).
  const cluster = await startKtsCluster(t, [1], overrides);
  const [alone] = await findCoordinators(cluster.bootstrap(), 1, ['early-bird']);
  t.equal(alone?.errorCode, ErrorCode.COORDINATOR_NOT_AVAILABLE, `FindCoordinator with 1 of 3 brokers alive: ${alone?.errorMessage}`);
  await cluster.start(2);
  await cluster.start(3);
  phase(t, 'cluster started');

  await t.test('a kafkajs consumer group keeps its committed offsets when its coordinator is SIGKILLed', async (t) => {
    const topic = 'orders';
    await createTopic(cluster.bootstrap(), topic);
    const { key: groupId, coordinator } = await keyNotOnController(cluster, 0, 'billing');
    const kafka = new kafkajs.Kafka({ brokers: cluster.bootstrap().split(','), clientId: 'coordinator-failover', logLevel: kafkajs.logLevel.NOTHING, retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 1000 } });
    const producer = kafka.producer();
    const admin = kafka.admin();
    const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 500, retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 1000 } });
    await Promise.all([producer.connect(), admin.connect(), consumer.connect()]);
    t.teardown(() => Promise.all([producer.disconnect(), admin.disconnect(), consumer.disconnect()]).catch(() => undefined));

    const send = async (from: number, count: number) => {
      const messages = Array.from({ length: count }, (_, i) => ({ key: `k${from + i}`, value: `m${from + i}` }));
      await producer.send({ topic, acks: -1, messages });
    };
    const committed = async (): Promise<Map<number, number>> => {
      const [entry] = await admin.fetchOffsets({ groupId, topics: [topic] });
      return new Map((entry?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
    };
    const total = (m: Map<number, number>): number => [...m.values()].reduce((a, b) => a + Math.max(0, b), 0);

    consumer.on(consumer.events.GROUP_JOIN, (e) => phase(t, `consumer joined ${e.payload.groupId} as member …${e.payload.memberId.slice(-6)}`));
    consumer.on(consumer.events.CRASH, (e) => phase(t, `consumer crashed: ${e.payload.error.message} (restart: ${e.payload.restart})`));
    await send(0, 300);
    const seen = new Map<string, number>();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const v = message.value!.toString();
        seen.set(v, (seen.get(v) ?? 0) + 1);
      },
    });
    await waitFor('300 records consumed and committed', async () => (seen.size >= 300 && total(await committed()) === 300 ? true : undefined));
    const before = await committed();
    phase(t, 'group consumed and committed 300 records');

    await fullIsr(cluster, '__consumer_offsets', offsetsPartitionFor(groupId, INTERNAL_PARTITIONS));
    const [found] = await findCoordinators(cluster.bootstrap(), 0, [groupId]);
    t.same([found?.errorCode, found?.nodeId], [ErrorCode.NONE, coordinator], 'FindCoordinator names the leader of the group\'s __consumer_offsets partition');
    await cluster.brokers.get(coordinator)!.kill();
    const moved = await leaderOf(cluster, '__consumer_offsets', offsetsPartitionFor(groupId, INTERNAL_PARTITIONS), coordinator).catch((err: unknown) => {
      for (const b of cluster.brokers.values()) console.error(`=== broker ${b.id}\n${b.output().split('\n').slice(-60).join('\n')}`);
      throw err;
    });
    phase(t, 'group coordinator moved');
    t.not(moved, coordinator, `the group coordinator moved from broker ${coordinator} to broker ${moved}`);

    const after = await waitFor('the new coordinator to answer OffsetFetch', async () => {
      try {
        return await committed();
      } catch {
        return undefined;
      }
    });
    const wentBack = [...before].filter(([p, o]) => (after.get(p) ?? -1) < o);
    t.same(wentBack, [], 'no committed offset went back on the new coordinator');

    await send(300, 300);
    phase(t, 'produced 300 more');
    await waitFor('the group to consume and commit the next 300 records on the new coordinator', async () => (seen.size >= 600 && total(await committed()) === 600 ? true : undefined));
    phase(t, 'group consumed and committed 600 records');
    t.equal(seen.size, 600, 'every record was consumed');
    const final = await committed();
    t.same([...final].filter(([p, o]) => o < (before.get(p) ?? -1)), [], 'committed offsets only moved forward');
    await consumer.stop();
    // On a loaded machine a restarting broker can lose its first ZooKeeper session (4 s): one more try.
    await cluster.start(coordinator).catch(() => cluster.start(coordinator));
    await waitFor(`broker ${coordinator} back in the ISR`, async () => ((await describeTopic(cluster.bootstrap(), topic)).every((p) => p.isr.length === 3) ? true : undefined));
    phase(t, `broker ${coordinator} restarted and back in the ISR`);
  });

  await t.test('a confluent-kafka transactional producer commits across a SIGKILL of its coordinator', { skip: needsPython }, async (t) => {
    const topic = 'ledger';
    await createTopic(cluster.bootstrap(), topic, ['--config', 'min.insync.replicas=2']);
    const { key: transactionalId, coordinator } = await keyNotOnController(cluster, 1, 'ledger-writer');
    const script = `
import sys, time
from confluent_kafka import Producer, KafkaError, KafkaException
bootstrap, topic, tid, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
def producer():
    q = Producer({'bootstrap.servers': bootstrap, 'transactional.id': tid, 'transaction.timeout.ms': 60000, 'message.timeout.ms': 60000, 'socket.timeout.ms': 10000})
    q.init_transactions(60)
    return q

p = producer()
print('READY', flush=True)

def end(commit):
    while True:
        try:
            if commit:
                p.commit_transaction(60)
            else:
                p.abort_transaction(60)
            return commit
        except KafkaException as e:
            err = e.args[0]
            if err.retriable():
                continue
            if err.txn_requires_abort():
                p.abort_transaction(60)
                return False
            # An abort whose AddPartitionsToTxn went to the killed coordinator unanswered:
            # librdkafka sends EndTxn(abort) anyway, the new coordinator never stored that
            # transaction and answers INVALID_TXN_STATE (as Kafka's does: its last state is the
            # previous CompleteCommit), which librdkafka makes fatal. An application then starts
            # a new producer: its InitProducerId fences the old one and aborts what it left open.
            if err.fatal() and not commit and err.code() == KafkaError.INVALID_TXN_STATE:
                print('RECREATED after %s' % err.str(), flush=True)
                return None
            raise

for i in range(n):
    p.begin_transaction()
    for j in range(10):
        p.produce(topic, key=str(j), value='t%d-%d' % (i, j), partition=j % 3)
    want_commit = i % 4 != 3
    done = end(want_commit)
    if done is None:
        p = producer()
        done = False
    print(('COMMITTED %d' if done else 'ABORTED %d') % i, flush=True)
    time.sleep(0.1)
print('DONE', flush=True)
`;
    const rounds = 24;
    const child = spawn('/usr/bin/python3', ['-c', script, cluster.bootstrap(), topic, transactionalId, String(rounds)], { stdio: ['ignore', 'pipe', 'pipe'] });
    t.teardown(() => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const ended = () => [...out.matchAll(/^(COMMITTED|ABORTED) (\d+)$/gm)].map((m) => ({ commit: m[1] === 'COMMITTED', round: Number(m[2]) }));

    await waitFor('six transactions ended', async () => (ended().length >= 6 ? true : undefined), 60_000);
    await fullIsr(cluster, '__transaction_state', transactionLogPartitionFor(transactionalId, INTERNAL_PARTITIONS));
    t.equal(await leaderOf(cluster, '__transaction_state', transactionLogPartitionFor(transactionalId, INTERNAL_PARTITIONS)), coordinator, 'the coordinator has not moved');
    const endedBefore = ended().length;
    phase(t, `${endedBefore} transactions ended`);
    await cluster.brokers.get(coordinator)!.kill();
    t.pass(`killed the transaction coordinator, broker ${coordinator}, after ${endedBefore} transactions`);

    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([exited, new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), 180_000)))]);
    clearTimeout(timer);
    t.equal(code, 0, `the producer finished its ${rounds} transactions (stderr: ${err.slice(-500)})`);
    phase(t, 'the transactional producer finished');
    for (const line of out.split('\n').filter((l) => l.startsWith('RECREATED'))) t.comment(`the producer was replaced: ${line}`);
    const results = ended();
    t.equal(results.length, rounds, 'every transaction ended');
    const committedRounds = results.filter((r) => r.commit).map((r) => r.round);
    t.ok(committedRounds.some((r) => r >= endedBefore), 'transactions committed after the coordinator was killed');

    const expected = new Set(committedRounds.flatMap((i) => Array.from({ length: 10 }, (_, j) => `t${i}-${j}`)));
    const read = await kcat(['-C', '-b', cluster.bootstrap(), '-t', topic, '-o', 'beginning', '-e', '-q', '-X', 'isolation.level=read_committed', '-f', '%s\\n'], undefined, 60_000);
    const values = read.stdout.split('\n').filter((l) => /^t\d+-\d+$/.test(l));
    const unexpected = values.filter((v) => !expected.has(v));
    const missing = [...expected].filter((v) => !values.includes(v));
    t.same(unexpected.slice(0, 5), [], 'a read_committed reader sees no record of an aborted transaction');
    t.same(missing.slice(0, 5), [], 'a read_committed reader sees every record of every committed transaction');
    t.equal(values.length, expected.size, `exactly the ${expected.size} committed records, once each`);
  });

  const ending = Date.now();
  for (const b of cluster.brokers.values()) await b.kill();
  phase(t, `brokers killed in ${Date.now() - ending} ms`);
});
