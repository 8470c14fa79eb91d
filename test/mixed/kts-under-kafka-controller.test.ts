// Issue 13, "kts under a Kafka controller": two Apache Kafka 1.1 brokers (the first is the
// controller) and one kts broker on one real ZooKeeper. A topic made by Kafka's own
// kafka-topics.sh (replication factor 3) gets replicas on both sides; kcat writes with
// acks=all; every replica, Kafka's and kts's, ends with the same segment bytes. Then a
// rolling migration step: Kafka broker 2 is replaced by kts on the same log dir, and back.
// Last, Kafka 1.1's kafka-topics.sh --describe, kafka-consumer-groups.sh --describe and
// kafka-reassign-partitions.sh --verify and the kts commands give the same facts about the
// mixed cluster. Skips without ../shared/kafka-1.1, Java, ZooKeeper or kcat.
import t, { type Test } from 'tap';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { kafka11Skip, startKafka11 } from '../helpers/kafka11.js';
import { needsZookeeper, startZooKeeper } from '../helpers/zookeeper.js';
import { kcat, needsKcat } from '../helpers/kcat.js';
import { startBrokerProcess } from '../helpers/kts-cluster.js';
import { replicaBytes, waitFor } from '../helpers/cluster-checks.js';
import { kafka11Tool } from '../helpers/mixed-cluster.js';
import { runKts } from '../helpers/run-kts.js';
import kafkajs from 'kafkajs';

// Real broker processes (and JVMs) start slowly on a busy machine: more than tap's default 120 s.
t.setTimeout(600_000);

/**
 * Waits until mixed-`partition` is byte-identical in every one of `logDirs` and returns its
 * size; a timeout says what the replicas held (sizes and the first differing byte). A partition
 * may get no keyless records (sticky partitioning): identical then means empty everywhere.
 */
async function identicalReplicas(logDirs: string[], partition: number, when: string): Promise<number> {
  const bytes = (): Buffer[] => logDirs.map((d) => replicaBytes(d, 'mixed', partition));
  try {
    return await waitFor(`identical replicas of mixed-${partition}${when}`, () => {
      const now = bytes();
      return now.every((b) => b.equals(now[0]!)) ? now[0]!.length : undefined;
    }, 60_000);
  } catch (err) {
    const now = bytes();
    const first = now.map((b) => b.findIndex((x, i) => x !== now[0]![i]));
    throw new Error(`${(err as Error).message}; sizes ${now.map((b) => b.length).join(', ')}; first difference at ${first.join(', ')}`);
  }
}

const built = existsSync(fileURLToPath(new URL('../../dist/kts.cjs', import.meta.url)));
const skip = kafka11Skip || needsZookeeper || needsKcat || (built ? false : 'dist/kts.cjs is missing: run `npm run build` first');
const run = promisify(execFile);
/**
 * Both sides get the same group coordinator settings (Kafka's test defaults): brokers that
 * disagree on offsets.topic.num.partitions send a group to different coordinators, in Kafka too.
 * No automatic preferred elections (as in the other mixed tests): Kafka 1.1's controller checks
 * 5 s after its election and then every 300 s, and after broker 2's migration steps the leaders
 * are not the preferred ones, so a run past ~305 s (a loaded machine) would see leaders move
 * while the tools' views are compared.
 */
const SHARED = { 'replica.lag.time.max.ms': '10000', 'offsets.topic.num.partitions': '4', 'offsets.topic.replication.factor': '1', 'auto.leader.rebalance.enable': 'false' };

/** partition → { leader, isr } from kcat -L (any broker's Metadata). */
async function partitions(bootstrap: string, topic: string): Promise<Map<number, { leader: number; isr: number[] }>> {
  const r = await kcat(['-L', '-b', bootstrap, '-t', topic], undefined, 20_000);
  const out = new Map<number, { leader: number; isr: number[] }>();
  for (const m of r.stdout.matchAll(/partition (\d+), leader (-?\d+), replicas: [\d,]*, isrs: ([\d,]*)/g)) {
    out.set(Number(m[1]), { leader: Number(m[2]), isr: m[3]!.split(',').filter(Boolean).map(Number) });
  }
  return out;
}

t.test('kts follows and leads partitions under a Kafka 1.1 controller; replicas are byte-identical', { skip, timeout: 600_000 }, async (t) => {
  const zk = await startZooKeeper(t);
  const k1 = await startKafka11(t, { brokerId: 1, zookeeperConnect: zk.connect, properties: SHARED });
  const k2 = await startKafka11(t, { brokerId: 2, zookeeperConnect: zk.connect, properties: SHARED });
  const dir = mkdtempSync(join(tmpdir(), 'kts-mixed-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const kts = await startBrokerProcess(t, 3, dir, zk.connect, SHARED);
  const bootstrap = [k1.bootstrap, k2.bootstrap, kts.bootstrap].join(',');
  const replicaDirs = [k1.logDirs, k2.logDirs, dir];
  const broker2InEveryIsr = (what: string) => waitFor(what, async () => {
    const p = await partitions(k1.bootstrap, 'mixed');
    return p.size === 3 && [...p.values()].every((x) => x.isr.includes(2)) ? true : undefined;
  }, 120_000);

  await run(join(k1.home, 'bin', 'kafka-topics.sh'), ['--zookeeper', zk.connect, '--create', '--topic', 'mixed', '--partitions', '3', '--replication-factor', '3', '--config', 'min.insync.replicas=2'], { env: k1.env });
  const parts = await waitFor('an ISR of 3 on every partition', async () => {
    const p = await partitions(k1.bootstrap, 'mixed');
    return p.size === 3 && [...p.values()].every((x) => x.isr.length === 3) ? p : undefined;
  }, 120_000);
  t.ok([...parts.values()].some((p) => p.leader === 3), 'the kts broker leads a partition (Kafka brokers follow it)');
  t.ok([...parts.values()].some((p) => p.leader !== 3), 'a Kafka broker leads a partition (kts follows it)');

  const lines = Array.from({ length: 5000 }, (_, i) => `m${i}`).join('\n') + '\n';
  const produced = await kcat(['-P', '-b', bootstrap, '-t', 'mixed', '-X', 'acks=all'], lines, 120_000);
  t.equal(produced.code, 0, `kcat acks=all: ${produced.stderr}`);
  const read = await kcat(['-C', '-b', bootstrap, '-t', 'mixed', '-o', 'beginning', '-e', '-q'], undefined, 60_000);
  t.equal(read.stdout.trim().split('\n').length, 5000, 'every record reads back');

  for (const p of [0, 1, 2]) {
    const size = await identicalReplicas(replicaDirs, p, '');
    t.pass(`mixed-${p} (leader ${parts.get(p)!.leader}): ${size} bytes, the same on Kafka brokers 1, 2 and kts broker 3`);
  }

  // Rolling migration: Kafka broker 2 stops (controlled shutdown); kts starts as broker 2 on
  // its log dir, loads what Kafka wrote, rejoins the ISR and replicates new writes.
  await k2.stop();
  const migrated = await startBrokerProcess(t, 2, k2.logDirs, zk.connect, SHARED);
  await broker2InEveryIsr('broker 2 (now kts) back in every ISR');
  const more = Array.from({ length: 2000 }, (_, i) => `n${i}`).join('\n') + '\n';
  const bootstrap2 = [k1.bootstrap, migrated.bootstrap, kts.bootstrap].join(',');
  const produced2 = await kcat(['-P', '-b', bootstrap2, '-t', 'mixed', '-X', 'acks=all'], more, 120_000);
  t.equal(produced2.code, 0, `kcat acks=all after the migration: ${produced2.stderr}`);
  const read2 = await kcat(['-C', '-b', bootstrap2, '-t', 'mixed', '-o', 'beginning', '-e', '-q'], undefined, 60_000);
  t.equal(read2.stdout.trim().split('\n').length, 7000, 'old and new records read back');
  for (const p of [0, 1, 2]) {
    const size = await identicalReplicas(replicaDirs, p, ' after the migration');
    t.pass(`mixed-${p}: ${size} bytes, the same on Kafka broker 1 and kts brokers 2 (on Kafka's old log dir) and 3`);
  }

  // And back: kts broker 2 stops, Kafka 1.1 starts again on the log dir kts wrote to.
  t.equal(await migrated.stop(), 0, 'kts broker 2 stops cleanly (controlled shutdown)');
  const back = await startKafka11(t, { brokerId: 2, zookeeperConnect: zk.connect, logDirs: k2.logDirs, properties: SHARED });
  await broker2InEveryIsr('broker 2 (Kafka again) back in every ISR');
  const bootstrap3 = [k1.bootstrap, back.bootstrap, kts.bootstrap].join(',');
  const last = Array.from({ length: 1000 }, (_, i) => `o${i}`).join('\n') + '\n';
  const produced3 = await kcat(['-P', '-b', bootstrap3, '-t', 'mixed', '-X', 'acks=all'], last, 120_000);
  t.equal(produced3.code, 0, `kcat acks=all after going back: ${produced3.stderr}`);
  const read3 = await kcat(['-C', '-b', bootstrap3, '-t', 'mixed', '-o', 'beginning', '-e', '-q'], undefined, 60_000);
  t.equal(read3.stdout.trim().split('\n').length, 8000, 'every record of the three phases reads back');
  for (const p of [0, 1, 2]) {
    const size = await identicalReplicas(replicaDirs, p, ' after going back');
    t.pass(`mixed-${p}: ${size} bytes, the same on Kafka brokers 1 and 2 (back on its log dir) and kts broker 3`);
  }

  // The third "Done when" of issue 13: Kafka 1.1's tools and kts's see the same cluster.
  await compareTools(t, { zk: zk.connect, bootstrap: bootstrap3, dir: mkdtempSync(join(tmpdir(), 'kts-mixed-plans-')) });
});

/** `Key: value` fields of a tab-separated describe line (Kafka 1.1 writes `Topic:x` on the topic line). */
function describeFields(line: string): Map<string, string> {
  return new Map(line.split('\t').filter((f) => f.includes(':')).map((f) => {
    const at = f.indexOf(':');
    return [f.slice(0, at).trim(), f.slice(at + 1).trim()];
  }));
}

/** The facts of a `--describe` of `topics`: per topic its counts and configs, per partition leader, replicas (ordered) and ISR (as a set). */
function topicFacts(text: string, topics = ['mixed', 'moved', '__consumer_offsets']): Record<string, string> {
  const facts: Record<string, string> = {};
  const sorted = (list: string): string => list.split(',').filter(Boolean).map(Number).sort((a, b) => a - b).join(',');
  for (const line of text.split('\n')) {
    const f = describeFields(line);
    const topic = f.get('Topic');
    if (topic === undefined || !topics.includes(topic)) continue;
    if (f.has('Partition')) {
      facts[`${topic}-${f.get('Partition')}`] = `leader ${f.get('Leader')} replicas ${f.get('Replicas')} isr ${sorted(f.get('Isr') ?? '')}`;
    } else {
      facts[topic] = `partitions ${f.get('PartitionCount')} rf ${f.get('ReplicationFactor')} configs ${(f.get('Configs') ?? '').split(',').filter(Boolean).sort().join(',')}`;
    }
  }
  return facts;
}

/** partition → `current end lag` of one topic in a consumer-groups --describe (Kafka 1.1 has no GROUP column, kts has). */
function groupFacts(text: string, group: string, topic: string): Record<string, string> {
  const facts: Record<string, string> = {};
  for (const m of text.matchAll(new RegExp(`^(?:${group}\\s+)?${topic}\\s+(\\d+)\\s+(\\S+)\\s+(\\S+)\\s+(\\S+)`, 'gm'))) facts[`${topic}-${m[1]}`] = `${m[2]} ${m[3]} ${m[4]}`;
  return facts;
}

/** partition → completed | in progress | not completed, from either tool's --verify wording. */
function verifyFacts(text: string): Record<string, string> {
  const facts: Record<string, string> = {};
  for (const m of text.matchAll(/Reassignment of partition (\S+?) (completed successfully|is completed\.|failed|is still in progress)/g)) {
    facts[m[1]!] = m[2]!.startsWith('completed') || m[2] === 'is completed.' ? 'completed' : m[2] === 'failed' ? 'not completed' : 'in progress';
  }
  for (const m of text.matchAll(/There is no active reassignment of partition (\S+), but replica set is/g)) facts[m[1]!] = 'not completed';
  return facts;
}

async function compareTools(t: Test, c: { zk: string; bootstrap: string; dir: string }): Promise<void> {
  const startedAt = performance.now();
  t.teardown(() => rmSync(c.dir, { recursive: true, force: true }));
  const kts = async (args: string[]): Promise<string> => {
    const r = await runKts(args);
    if (r.code !== 0) throw new Error(`kts ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
    return r.stdout;
  };
  // A topic on two brokers, moved by a reassignment onto the kts broker and the other Kafka broker.
  await kafka11Tool('kafka-topics.sh', ['--zookeeper', c.zk, '--create', '--topic', 'moved', '--replica-assignment', '1:2,2:1', '--config', 'retention.ms=86400000']);
  const lines = Array.from({ length: 300 }, (_, i) => `${i % 2}:r${i}`).join('\n') + '\n';
  const produced = await kcat(['-P', '-b', c.bootstrap, '-t', 'moved', '-K', ':', '-X', 'acks=all'], lines, 60_000);
  t.equal(produced.code, 0, `kcat wrote to 'moved': ${produced.stderr}`);
  const plan = join(c.dir, 'plan.json');
  writeFileSync(plan, JSON.stringify({ version: 1, partitions: [{ topic: 'moved', partition: 0, replicas: [3, 1] }, { topic: 'moved', partition: 1, replicas: [2, 3] }] }));
  await kts(['reassign', '--zookeeper', c.zk, '--execute', '--reassignment-json-file', plan]);
  await kts(['reassign', '--zookeeper', c.zk, '--verify', '--reassignment-json-file', plan, '--wait']);
  // Verified against a plan half done (moved-1 asks for other replicas): one completed, one not.
  const checked = join(c.dir, 'check.json');
  writeFileSync(checked, JSON.stringify({ version: 1, partitions: [{ topic: 'moved', partition: 0, replicas: [3, 1] }, { topic: 'moved', partition: 1, replicas: [1, 2] }] }));
  const [kafkaVerify, ktsVerify] = [
    await kafka11Tool('kafka-reassign-partitions.sh', ['--zookeeper', c.zk, '--verify', '--reassignment-json-file', checked]),
    await kts(['reassign', '--zookeeper', c.zk, '--verify', '--reassignment-json-file', checked]),
  ];
  t.same(verifyFacts(kafkaVerify), { 'moved-0': 'completed', 'moved-1': 'not completed' }, `Kafka 1.1's kafka-reassign-partitions.sh --verify:\n${kafkaVerify}`);
  t.same(verifyFacts(ktsVerify), verifyFacts(kafkaVerify), `kts reassign --verify says the same:\n${ktsVerify}`);

  // The group: offsets committed by a real client (kafkajs) half way through each partition of 'mixed'.
  const kafka = new kafkajs.Kafka({ brokers: c.bootstrap.split(','), logLevel: kafkajs.logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  const ends = await admin.fetchTopicOffsets('mixed');
  const partitions = ends.map((e) => ({ partition: e.partition, offset: String(Math.floor(Number(e.high) / 2)) }));
  await admin.setOffsets({ groupId: 'facts', topic: 'mixed', partitions });
  const expectedGroup = Object.fromEntries(ends.map((e) => {
    const current = Math.floor(Number(e.high) / 2);
    return [`mixed-${e.partition}`, `${current} ${e.high} ${Number(e.high) - current}`];
  }));
  const kafkaGroup = await kafka11Tool('kafka-consumer-groups.sh', ['--bootstrap-server', c.bootstrap, '--describe', '--group', 'facts']);
  const ktsGroup = await kts(['consumer-groups', '--bootstrap-server', c.bootstrap, '--describe', '--group', 'facts']);
  t.same(groupFacts(kafkaGroup, 'facts', 'mixed'), expectedGroup, `Kafka 1.1's kafka-consumer-groups.sh --describe shows the committed offsets, log end offsets and lag:\n${kafkaGroup}`);
  t.same(groupFacts(ktsGroup, 'facts', 'mixed'), expectedGroup, `kts consumer-groups --describe shows the same:\n${ktsGroup}`);

  // Topics: the same leaders, replicas and ISR. Every ISR is full first (the reassigned replicas caught up).
  await waitFor('every ISR of mixed, moved and __consumer_offsets to be full', async () => {
    const facts = topicFacts(await kts(['topics', '--bootstrap-server', c.bootstrap, '--describe']));
    const parts = Object.entries(facts).filter(([k]) => /-\d+$/.test(k));
    return parts.length === 5 + 4 && parts.every(([, v]) => { const m = /replicas (\S+) isr (\S+)/.exec(v)!; return m[1]!.split(',').sort().join(',') === m[2]; }) ? true : undefined;
  }, 60_000);
  const kafkaTopics = await kafka11Tool('kafka-topics.sh', ['--zookeeper', c.zk, '--describe']);
  // The answering broker's metadata can be a moment behind ZooKeeper: compare until they agree (bounded).
  let ktsTopics = '';
  await waitFor('kts topics --describe to agree with kafka-topics.sh', async () => {
    ktsTopics = await kts(['topics', '--bootstrap-server', c.bootstrap, '--describe']);
    return JSON.stringify(topicFacts(ktsTopics)) === JSON.stringify(topicFacts(kafkaTopics)) ? true : undefined;
  }, 30_000).catch(() => undefined);
  const kafkaFacts = topicFacts(kafkaTopics);
  const partitionsOf = (topic: string, n: number): string[] => [topic, ...Array.from({ length: n }, (_, p) => `${topic}-${p}`)];
  t.same(Object.keys(kafkaFacts).sort(), [...partitionsOf('__consumer_offsets', 4), ...partitionsOf('mixed', 3), ...partitionsOf('moved', 2)].sort(), `Kafka 1.1's kafka-topics.sh --zookeeper --describe lists the three topics:\n${kafkaTopics}`);
  t.match(kafkaFacts['moved-0'], /^leader \d replicas 3,1 isr 1,3$/, 'moved-0 is on the kts broker and Kafka broker 1 now');
  t.same(topicFacts(ktsTopics), kafkaFacts, `kts topics --describe gives the same topics, configs, leaders, replicas and ISR:\n${ktsTopics}`);
  t.comment(`the tools compared in ${Math.round((performance.now() - startedAt) / 1000)} s (four Kafka 1.1 tool JVMs)`);
}
