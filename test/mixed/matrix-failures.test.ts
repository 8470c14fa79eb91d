// Issue 13, mixed matrix with failures: one real ZooKeeper; brokers 1 and 2 are Apache Kafka
// 1.1 and broker 3 is kts, then broker 2 becomes kts on Kafka's log dir (1 Kafka + 2 kts).
// The controller is on each side in turn (moved by deleting /controller). A topic with
// replication factor 3 and min.insync.replicas=2 is written all along by an idempotent
// acks=all librdkafka producer (confluent_kafka) that reports each acknowledged offset. The
// leader of a partition is SIGKILLed on the Kafka side and on the kts side under each
// controller; the controller moves the leadership, the broker restarts on its log dir and
// rejoins. At the end every replica is byte-identical, Kafka's DumpLogSegments and
// `kts dump-log` agree on every batch of every segment, and every acknowledged record reads
// back at its offset, once. Skips without ../shared/kafka-1.1, Java, ZooKeeper, kcat or
// confluent_kafka.
import t, { type Test } from 'tap';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { kafka11Skip } from '../helpers/kafka11.js';
import { needsZookeeper, startZooKeeper } from '../helpers/zookeeper.js';
import { kcat, needsKcat } from '../helpers/kcat.js';
import { replicaBytes, waitForDespiteErrors } from '../helpers/cluster-checks.js';
import { firstDifference, kafka11Tool, kafkaDumpLog, ktsDumpLog, mixedCluster, segmentFiles, type MixedCluster } from '../helpers/mixed-cluster.js';

// Five JVM starts and seven broker restarts: minutes on a loaded 2-core machine.
t.setTimeout(900_000);

const built = existsSync(fileURLToPath(new URL('../../dist/kts.cjs', import.meta.url)));
const needsPython = spawnSync('/usr/bin/python3', ['-c', 'import confluent_kafka']).status === 0 ? false : 'confluent_kafka is not installed for /usr/bin/python3';
const skip = kafka11Skip || needsZookeeper || needsKcat || needsPython || (built ? false : 'dist/kts.cjs is missing: run `npm run build` first');
const PRODUCER = fileURLToPath(new URL('../helpers/acked-producer.py', import.meta.url));
const TOPIC = 'matrix';
const PARTITIONS = 3;
/** Preferred leader of partition p is broker p+1: each broker leads one partition. */
const PREFERRED = [1, 2, 3];
const ALL = [1, 2, 3];

const properties = {
  'replica.lag.time.max.ms': '10000',
  'zookeeper.session.timeout.ms': '6000',
  // As in Kafka's rolling upgrades: every broker speaks and writes what Kafka 1.1 understands.
  'inter.broker.protocol.version': '1.1',
  'auto.leader.rebalance.enable': 'false',
  'unclean.leader.election.enable': 'false',
};

interface Ack {
  partition: number;
  offset: number;
  value: string;
}

function startProducer(t: Test, bootstrap: string) {
  const child = spawn('/usr/bin/python3', [PRODUCER, bootstrap, TOPIC, 'r'], { stdio: ['pipe', 'pipe', 'pipe'] });
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const acks = (): Ack[] => [...out.matchAll(/^ACK (\d+) (\d+) (\S+)$/gm)].map((m) => ({ partition: Number(m[1]), offset: Number(m[2]), value: m[3]! }));
  return {
    acks,
    failures: () => [...out.matchAll(/^ERR .*$/gm)].map((m) => m[0]),
    /** Waits until `more` records beyond what is acknowledged now are acknowledged. */
    async advance(more: number, what: string): Promise<number> {
      const from = acks().length;
      return waitForDespiteErrors(`${more} more acknowledged records (${what}); stderr: ${err.slice(-300)}`, async () => (acks().length >= from + more ? acks().length : undefined), 120_000);
    },
    async finish(): Promise<number | null> {
      child.stdin.end();
      return exited;
    },
    stderr: () => err,
  };
}

type Producer = ReturnType<typeof startProducer>;

/**
 * SIGKILLs the current leader of `partition` (which must be `expectedLeader`); the controller
 * moves the leadership and acknowledgements go on; the broker restarts on its log dir as the
 * same side, rejoins every ISR and becomes the preferred leader again.
 */
async function killLeader(t: Test, cluster: MixedCluster, producer: Producer, partition: number, expectedLeader: number): Promise<void> {
  const controller = await cluster.controller();
  const before = (await cluster.partitionStates(TOPIC, PARTITIONS)).get(partition)!;
  t.equal(before.leader, expectedLeader, `partition ${partition} is led by broker ${expectedLeader}`);
  const victim = cluster.brokers.get(before.leader)!;
  const killedAt = Math.round(performance.now());
  await victim.kill();
  const moved = await waitForDespiteErrors(`a new leader of ${TOPIC}-${partition}`, async () => {
    const s = (await cluster.partitionStates(TOPIC, PARTITIONS)).get(partition)!;
    return s.leader >= 0 && s.leader !== victim.id ? s.leader : undefined;
  });
  const leaderlessMs = Math.round(performance.now()) - killedAt;
  const acked = await producer.advance(300, `after broker ${victim.id} was killed`);
  t.pass(`${victim.side} broker ${victim.id} (leader of ${TOPIC}-${partition}) SIGKILLed under the ${cluster.brokers.get(controller)?.side} controller ${controller}: leader now ${moved} after ${leaderlessMs} ms; ${acked} records acknowledged`);
  const restartedAt = Math.round(performance.now());
  await cluster.start(victim.id, victim.side);
  await cluster.waitFullIsr(TOPIC, PARTITIONS, ALL);
  await cluster.electPreferred(TOPIC, PREFERRED);
  t.pass(`broker ${victim.id} (${victim.side}) restarted on its log dir, back in every ISR and leading ${TOPIC}-${partition} after ${Math.round(performance.now()) - restartedAt} ms`);
}

async function moveController(t: Test, cluster: MixedCluster, id: number): Promise<void> {
  const elections = await cluster.moveControllerTo(id);
  t.equal(await cluster.controller(), id, `broker ${id} (${cluster.brokers.get(id)!.side}) is the controller after ${elections} election(s) forced by deleting /controller`);
  // A new controller sends LeaderAndIsr to everyone: wait for the cluster to settle on it.
  await cluster.waitFullIsr(TOPIC, PARTITIONS, ALL);
}

t.test('2 Kafka + 1 kts, then 1 Kafka + 2 kts: leaders SIGKILLed on both sides under both controllers lose no acknowledged record', { skip, timeout: 900_000 }, async (t) => {
  const startedAt = Math.round(performance.now());
  const zkServer = await startZooKeeper(t);
  const cluster = await mixedCluster(t, zkServer.connect, properties);
  await cluster.start(1, 'kafka');
  await cluster.start(2, 'kafka');
  await cluster.start(3, 'kts');
  t.equal(await cluster.controller(), 1, 'Kafka broker 1, started first, is the controller');

  await kafka11Tool('kafka-topics.sh', ['--zookeeper', cluster.zkConnect, '--create', '--topic', TOPIC, '--replica-assignment', '1:2:3,2:3:1,3:1:2', '--config', 'min.insync.replicas=2']);
  await cluster.waitFullIsr(TOPIC, PARTITIONS, ALL);
  await cluster.electPreferred(TOPIC, PREFERRED);

  const producer = startProducer(t, cluster.bootstrap());
  await producer.advance(300, 'at the start');

  // 2 Kafka + 1 kts, Kafka controller: the Kafka leader of partition 1, then the kts leader of partition 2.
  await killLeader(t, cluster, producer, 1, 2);
  await killLeader(t, cluster, producer, 2, 3);

  // 2 Kafka + 1 kts, kts controller: Kafka broker 2 leading partition 1 is killed.
  await moveController(t, cluster, 3);
  await killLeader(t, cluster, producer, 1, 2);

  // Rolling step: Kafka broker 2 stops (controlled shutdown), kts starts as broker 2 on its log dir.
  const stepAt = Math.round(performance.now());
  await cluster.brokers.get(2)!.stop();
  await cluster.start(2, 'kts');
  await cluster.waitFullIsr(TOPIC, PARTITIONS, ALL);
  await cluster.electPreferred(TOPIC, PREFERRED);
  t.pass(`broker 2 migrated Kafka → kts on the same log dir in ${Math.round(performance.now()) - stepAt} ms (stop to back in every ISR and leading)`);
  await producer.advance(300, 'after the migration of broker 2');

  // 1 Kafka + 2 kts, kts controller: the kts leader of partition 1, then the Kafka leader of partition 0.
  if ((await cluster.controller()) !== 3) await moveController(t, cluster, 3);
  await killLeader(t, cluster, producer, 1, 2);
  await killLeader(t, cluster, producer, 0, 1);

  // 1 Kafka + 2 kts, Kafka controller: the kts leader of partition 2.
  await moveController(t, cluster, 1);
  await killLeader(t, cluster, producer, 2, 3);

  t.equal(await producer.finish(), 0, `the producer flushed and exited (stderr: ${producer.stderr().slice(-300)})`);
  const acks = producer.acks();
  t.same(producer.failures().slice(0, 5), [], 'no record was refused');
  t.pass(`${acks.length} records acknowledged over ${Math.round((Math.round(performance.now()) - startedAt) / 1000)} s`);

  // Byte-identical replicas (a follower may still be fetching the last records).
  const dirs = ALL.map((id) => cluster.brokers.get(id)!.logDir);
  for (let p = 0; p < PARTITIONS; p++) {
    const size = await waitForDespiteErrors(`identical replicas of ${TOPIC}-${p}`, async () => {
      const bytes = dirs.map((d) => replicaBytes(d, TOPIC, p));
      return bytes.every((b) => b.equals(bytes[0]!)) ? bytes[0]!.length : undefined;
    }, 60_000);
    t.pass(`${TOPIC}-${p}: ${size} bytes, identical on Kafka broker 1 and kts brokers 2 (Kafka's old log dir) and 3`);
  }

  // Kafka's DumpLogSegments and kts dump-log read the same files the same way, batch by batch.
  const files = dirs.flatMap((d) => Array.from({ length: PARTITIONS }, (_, p) => segmentFiles(d, TOPIC, p)).flat());
  const [kafkaView, ktsView] = [await kafkaDumpLog(files), await ktsDumpLog(files)];
  let batches = 0;
  for (const f of files) {
    const k = kafkaView.get(f);
    t.ok(k, `DumpLogSegments dumped ${f}`);
    t.equal(firstDifference(k ?? [], ktsView.get(f) ?? []), undefined, `kts dump-log and DumpLogSegments agree on every batch of ${f} (${k?.length} batches: offsets, count, CRC, producer id/epoch, base sequence, isTransactional, records)`);
    batches += k?.length ?? 0;
  }
  t.ok(batches > 0, `${batches} batches compared in ${files.length} segments`);

  // Every acknowledged record is at its offset, and nowhere else.
  const read = await kcat(['-C', '-b', cluster.bootstrap(), '-t', TOPIC, '-o', 'beginning', '-e', '-q', '-f', '%p %o %s\\n'], undefined, 120_000);
  const at = new Map<string, string>();
  const seen = new Map<string, number>();
  for (const m of read.stdout.matchAll(/^(\d+) (\d+) (\S+)$/gm)) {
    at.set(`${m[1]}:${m[2]}`, m[3]!);
    seen.set(m[3]!, (seen.get(m[3]!) ?? 0) + 1);
  }
  const misplaced = acks.filter((a) => at.get(`${a.partition}:${a.offset}`) !== a.value);
  const duplicated = acks.filter((a) => seen.get(a.value) !== 1);
  t.same(misplaced.slice(0, 5), [], `every one of the ${acks.length} acknowledged records reads back at its acknowledged offset`);
  t.same(duplicated.slice(0, 5), [], 'and exactly once');
  t.equal(at.size, seen.size, `${at.size} records in the topic, no value twice`);
});
