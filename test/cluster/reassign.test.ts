// kts reassign on a 3-broker kts cluster (real ZooKeeper, brokers as real processes): a
// topic of 3 partitions on brokers [1,2] with 20,000 records moves to [2,3] with a throttle
// while kafkajs writes with acks=all; --verify --wait reports completion and clears the
// throttles; broker 3's replicas are byte-identical to the leader's; broker 1 no longer has
// the partition dirs; no acknowledged record is lost.
import t from 'tap';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import kafkajs from 'kafkajs';
import { startKtsCluster } from '../helpers/kts-cluster.js';
import { needsZookeeper } from '../helpers/zookeeper.js';
import { kcat, needsKcat } from '../helpers/kcat.js';
import { runKts } from '../helpers/run-kts.js';
import { waitFor } from '../helpers/cluster-checks.js';

// Real broker processes (and JVMs) start slowly on a busy machine: more than tap's default 120 s.
t.setTimeout(600_000);

const { Kafka, logLevel } = kafkajs;
const built = existsSync(fileURLToPath(new URL('../../dist/kts.cjs', import.meta.url)));
const skip = needsZookeeper || needsKcat || (built ? false : 'dist/kts.cjs is missing: run `npm run build` first');

interface Described { partition: number; leader: number; replicas: number[]; isr: number[] }

async function describe(bootstrap: string, topic: string): Promise<Described[]> {
  const r = await runKts(['topics', '--describe', '--topic', topic, '--bootstrap-server', bootstrap, '--json']);
  if (r.code !== 0) return [];
  const parsed = JSON.parse(r.stdout) as Array<{ partitions: Described[] }>;
  return parsed[0]?.partitions ?? [];
}

function segmentBytes(dir: string): Buffer {
  return Buffer.concat(readdirSync(dir).filter((f) => f.endsWith('.log')).sort().map((f) => readFileSync(join(dir, f))));
}

t.test('3 brokers: [1,2] -> [2,3] under a throttle while kafkajs writes with acks=all', { skip }, async (t) => {
  const cluster = await startKtsCluster(t);
  const bootstrap = cluster.bootstrap();
  const kts = (args: string[]) => runKts([...args, '--bootstrap-server', bootstrap], { cwd: cluster.zk.dir });
  const created = await kts(['topics', '--create', '--topic', 'mv', '--replica-assignment', '1:2,2:1,1:2']);
  t.equal(created.code, 0, created.stderr);
  await waitFor('an ISR of 2 everywhere', async () => {
    const p = await describe(bootstrap, 'mv');
    return p.length === 3 && p.every((x) => x.isr.length === 2) ? true : undefined;
  }, 60_000);
  const lines = Array.from({ length: 20_000 }, (_, i) => `k${i}:${'v'.repeat(80)}-${i}`).join('\n') + '\n';
  const produced = await kcat(['-P', '-b', bootstrap, '-t', 'mv', '-K', ':', '-X', 'acks=all'], lines, 60_000);
  t.equal(produced.code, 0, produced.stderr);

  const kafka = new Kafka({ clientId: 'reassign-writer', brokers: bootstrap.split(','), logLevel: logLevel.NOTHING, retry: { retries: 20, initialRetryTime: 100 } });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  t.teardown(() => producer.disconnect());
  const acked: string[] = [];
  let writing = true;
  const writer = (async () => {
    for (let i = 0; writing; i++) {
      const value = `during-${i}`;
      try {
        await producer.send({ topic: 'mv', acks: -1, messages: [{ key: `d${i}`, value }] });
        acked.push(value);
      } catch {
        // Not acknowledged: nothing to check for it.
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  })();

  const plan = join(cluster.zk.dir, 'plan.json');
  writeFileSync(plan, JSON.stringify({ version: 1, partitions: [0, 1, 2].map((p) => ({ topic: 'mv', partition: p, replicas: [2, 3] })) }));
  const throttle = 500_000;
  const startedMs = Date.now();
  const exec = await kts(['reassign', '--execute', '--reassignment-json-file', plan, '--throttle', String(throttle)]);
  t.equal(exec.code, 0, exec.stderr);
  t.match(exec.stdout, `The inter-broker throttle limit was set to ${throttle} B/s\nSuccessfully started partition reassignments for mv-0,mv-1,mv-2\n`);
  const cfg = await kts(['configs', '--describe', '--entity-type', 'topics', '--entity-name', 'mv']);
  t.match(cfg.stdout, /leader\.replication\.throttled\.replicas=0:1,0:2,1:1,1:2,2:1,2:2/, 'leader throttle on the source replicas');
  t.match(cfg.stdout, /follower\.replication\.throttled\.replicas=0:3,1:3,2:3/, 'follower throttle on the new replicas');
  const during = await kts(['reassign', '--list']);
  t.equal(during.code, 0, during.stderr);

  const verified = await kts(['reassign', '--verify', '--reassignment-json-file', plan, '--wait']);
  const tookMs = Date.now() - startedMs;
  writing = false;
  await writer;
  t.match(verified.stdout, 'Status of partition reassignment:\nReassignment of partition mv-0 is completed.\nReassignment of partition mv-1 is completed.\nReassignment of partition mv-2 is completed.\n');
  await t.test('--verify clears the throttles once done', async (t) => {
    t.equal(verified.code, 0, verified.stderr);
    t.match(verified.stdout, /Clearing broker-level throttles on brokers 1,2,3\nClearing topic-level throttles on topic mv\n/);
  });
  let described: { brokers: { broker: number; logDirs: { partitions: { partition: string; size: number }[] }[] }[] } | undefined;
  const bytesToCopy = await waitFor('sizes', async () => {
    described = JSON.parse((await kts(['log-dirs', '--describe', '--topic-list', 'mv', '--json'])).stdout) as typeof described;
    return described!.brokers.find((b) => b.broker === 3)?.logDirs.flatMap((d) => d.partitions).reduce((n, p) => n + p.size, 0);
  }, 60_000);
  t.same(described!.brokers.map((b) => b.broker), [1, 2, 3], 'kts log-dirs --describe answers for every broker of the cluster');
  t.same(described!.brokers.find((b) => b.broker === 3)!.logDirs.flatMap((d) => d.partitions.map((p) => p.partition)).sort(), ['mv-0', 'mv-1', 'mv-2'], 'broker 3 reports the replicas it received');
  t.comment(`${bytesToCopy} bytes copied to broker 3 in ${tookMs} ms at a ${throttle} B/s throttle`);
  await t.test('the throttle was in force', async (t) => {
    t.ok(tookMs >= (1000 * bytesToCopy) / throttle, `the move took at least size / throttle (${tookMs} ms >= ${Math.round((1000 * bytesToCopy) / throttle)} ms)`);
  });

  const after = await waitFor('replicas [2,3] with a full ISR', async () => {
    const p = await describe(bootstrap, 'mv');
    return p.length === 3 && p.every((x) => x.replicas.join(',') === '2,3' && x.isr.length === 2) ? p : undefined;
  }, 60_000);
  t.ok(after.every((p) => p.leader === 2 || p.leader === 3), 'leaders among the target replicas');
  await waitFor('broker 1 deletes its replicas', () => (readdirSync(cluster.brokers.get(1)!.dir).some((n) => /^mv-\d+$/.test(n)) ? undefined : true), 60_000);
  for (const p of after) {
    const leaderDir = join(cluster.brokers.get(p.leader)!.dir, `mv-${p.partition}`);
    const other = p.leader === 2 ? 3 : 2;
    const size = await waitFor(`mv-${p.partition}: identical replicas`, () => {
      const a = segmentBytes(leaderDir);
      const b = segmentBytes(join(cluster.brokers.get(other)!.dir, `mv-${p.partition}`));
      return a.equals(b) && a.length > 0 ? a.length : undefined;
    }, 60_000);
    t.ok(size > 0, `mv-${p.partition}: broker 3's replica is byte-identical to the leader's (${size} bytes)`);
  }
  const consumed = await kcat(['-C', '-b', bootstrap, '-t', 'mv', '-e', '-q', '-f', '%s\n'], undefined, 60_000);
  const values = new Set(consumed.stdout.trim().split('\n'));
  t.equal([...values].filter((v) => v.startsWith('v')).length, 20_000, 'the 20,000 records before the move are all there');
  t.same(acked.filter((v) => !values.has(v)), [], `every record acknowledged during the move (${acked.length}) is there`);
});
