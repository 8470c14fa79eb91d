// kts's replica tools next to Kafka 1.1's own (../shared/kafka-1.1; skipped when absent), on
// one Kafka 1.1 broker and its ZooKeeper: `reassign --generate` prints what
// kafka-reassign-partitions.sh prints (one broker: the proposal is deterministic), a plan
// kts writes to /admin/reassign_partitions is carried out by Kafka 1.1's controller and
// verified by Kafka 1.1's tool, and `broker-api-versions` prints
// Kafka's lines for every API the broker advertises.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kafka11Skip, startKafka11, startZooKeeperFor11, type Kafka11Broker } from '../helpers/kafka11.js';
import { runKts } from '../helpers/run-kts.js';
import { waitFor } from '../helpers/cluster-checks.js';

// Real broker processes (and JVMs) start slowly on a busy machine: more than tap's default 120 s.
t.setTimeout(600_000);

function kafkaTool(broker: Kafka11Broker, script: string, args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(join(broker.home, 'bin', script), args, { env: broker.env, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

t.test('replica tools against Kafka 1.1 and its own tools', { skip: kafka11Skip }, async (t) => {
  const zk = await startZooKeeperFor11(t);
  const broker = await startKafka11(t, { brokerId: 1, zookeeperConnect: zk.connect });
  const dir = mkdtempSync(join(tmpdir(), 'kts-rt11-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const created = await runKts(['topics', '--create', '--topic', 'g', '--partitions', '3', '--bootstrap-server', broker.bootstrap]);
  t.equal(created.code, 0, created.stderr);
  writeFileSync(join(dir, 'topics.json'), JSON.stringify({ topics: [{ topic: 'g' }], version: 1 }));

  const theirs = kafkaTool(broker, 'kafka-reassign-partitions.sh', ['--zookeeper', zk.connect, '--generate', '--topics-to-move-json-file', join(dir, 'topics.json'), '--broker-list', '1']);
  t.equal(theirs.code, 0, theirs.stderr);
  const viaZk = await runKts(['reassign', '--zookeeper', zk.connect, '--generate', '--topics-to-move-json-file', join(dir, 'topics.json'), '--broker-list', '1']);
  const viaBroker = await runKts(['reassign', '--bootstrap-server', broker.bootstrap, '--generate', '--topics-to-move-json-file', join(dir, 'topics.json'), '--broker-list', '1']);
  // Kafka 1.1 prints the partitions in hash-map order, Kafka 3.x (and kts) sorted: the same text once sorted.
  const sorted = (text: string): string => text.split('\n').map((line) => {
    if (!line.startsWith('{')) return line;
    const doc = JSON.parse(line) as { version: number; partitions: { topic: string; partition: number }[] };
    doc.partitions.sort((x, y) => (x.topic < y.topic ? -1 : x.topic > y.topic ? 1 : x.partition - y.partition));
    return JSON.stringify(doc);
  }).join('\n');
  t.equal(viaZk.stdout, sorted(theirs.stdout), '--generate --zookeeper prints what Kafka 1.1 prints (partitions sorted as Kafka 3.x does)');
  t.equal(viaBroker.stdout, sorted(theirs.stdout), '--generate --bootstrap-server prints the same');

  // A plan written by kts, carried out by Kafka 1.1's controller, verified by Kafka 1.1's tool.
  const plan = join(dir, 'plan.json');
  writeFileSync(plan, JSON.stringify({ version: 1, partitions: [{ topic: 'g', partition: 0, replicas: [1] }, { topic: 'g', partition: 1, replicas: [1] }] }));
  const exec = await runKts(['reassign', '--zookeeper', zk.connect, '--execute', '--reassignment-json-file', plan]);
  t.equal(exec.code, 0, exec.stderr);
  await waitFor('Kafka 1.1 finishes the reassignment', async () => (await runKts(['reassign', '--zookeeper', zk.connect, '--list'])).stdout === 'No partition reassignments found.\n', 60_000);
  const theirVerify = kafkaTool(broker, 'kafka-reassign-partitions.sh', ['--zookeeper', zk.connect, '--verify', '--reassignment-json-file', plan]);
  t.match(theirVerify.stdout, /Reassignment of partition g-0 completed successfully/, `Kafka 1.1's --verify reads kts's plan: ${theirVerify.stdout}`);
  // broker-api-versions: Kafka 1.1's line for every API the broker advertises.
  const ours = await runKts(['broker-api-versions', '--bootstrap-server', broker.bootstrap]);
  t.equal(ours.code, 0, ours.stderr);
  const theirApis = kafkaTool(broker, 'kafka-broker-api-versions.sh', ['--bootstrap-server', broker.bootstrap]);
  const lines = (text: string): Map<number, string> => new Map([...text.matchAll(/^\t(\w+)\((\d+)\): (.*?),?$/gm)].filter((m) => !m[3]!.includes('UNSUPPORTED')).map((m) => [Number(m[2]), `${m[1]}(${m[2]}): ${m[3]}`]));
  const mine = lines(ours.stdout);
  const kafka = lines(theirApis.stdout);
  t.ok(kafka.size > 30, `Kafka 1.1 lists ${kafka.size} APIs`);
  const range = (line: string | undefined): string | undefined => line?.replace(/ \[usable: \w+\]$/, '');
  t.same([...kafka.keys()].filter((k) => range(mine.get(k)) !== range(kafka.get(k))).map((k) => [mine.get(k), kafka.get(k)]), [], 'the same name and range for every API the broker advertises');
  // The usable version is the client's: the same wherever kts speaks the API (not the delegation-token APIs).
  const spoken = [...kafka.keys()].filter((k) => !/usable: NONE/.test(mine.get(k) ?? ''));
  t.ok(spoken.length > 30);
  t.same(spoken.filter((k) => mine.get(k) !== kafka.get(k)).map((k) => [mine.get(k), kafka.get(k)]), [], 'and the same usable version');
  t.match(ours.stdout.split('\n')[0], new RegExp(`^${broker.bootstrap.replace('.', '\\.')} \\(id: 1 rack: null\\) -> \\($`));
});
