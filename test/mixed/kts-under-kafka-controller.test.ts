// Issue 13, "kts under a Kafka controller": two Apache Kafka 1.1 brokers (the first is the
// controller) and one kts broker on one real ZooKeeper. A topic made by Kafka's own
// kafka-topics.sh (replication factor 3) gets replicas on both sides; kcat writes with
// acks=all; every replica, Kafka's and kts's, ends with the same segment bytes. Then a
// rolling migration step: Kafka broker 2 is replaced by kts on the same log dir. Skips
// without ../shared/kafka-1.1, Java, ZooKeeper or kcat.
import t from 'tap';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { kafka11Skip, startKafka11 } from '../helpers/kafka11.js';
import { needsZookeeper, startZooKeeper } from '../helpers/zookeeper.js';
import { kcat, needsKcat } from '../helpers/kcat.js';
import { startBrokerProcess } from '../helpers/kts-cluster.js';
import { replicaBytes, waitFor as waitForProbe } from '../helpers/cluster-checks.js';

// Real broker processes (and JVMs) start slowly on a busy machine: more than tap's default 120 s.
t.setTimeout(600_000);

/** waitFor that says, on timeout, what the replicas held (sizes and the first differing byte). */
let replicaDirs: string[] = [];
async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs?: number): Promise<T> {
  try {
    return await waitForProbe(what, probe, timeoutMs);
  } catch (err) {
    const m = /mixed-(\d+)/.exec(what);
    if (m) {
      const bytes = replicaDirs.map((d) => replicaBytes(d, 'mixed', Number(m[1])));
      const first = bytes.map((b) => b.findIndex((x, i) => x !== bytes[0]![i]));
      throw new Error(`${(err as Error).message}; sizes ${bytes.map((b) => b.length).join(', ')}; first difference at ${first.join(', ')}`);
    }
    throw err;
  }
}

const built = existsSync(fileURLToPath(new URL('../../dist/kts.cjs', import.meta.url)));
const skip = kafka11Skip || needsZookeeper || needsKcat || (built ? false : 'dist/kts.cjs is missing: run `npm run build` first');
const run = promisify(execFile);

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
  const k1 = await startKafka11(t, { brokerId: 1, zookeeperConnect: zk.connect, properties: { 'replica.lag.time.max.ms': '10000' } });
  const k2 = await startKafka11(t, { brokerId: 2, zookeeperConnect: zk.connect, properties: { 'replica.lag.time.max.ms': '10000' } });
  const dir = mkdtempSync(join(tmpdir(), 'kts-mixed-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const kts = await startBrokerProcess(t, 3, dir, zk.connect, { 'replica.lag.time.max.ms': '10000' });
  const bootstrap = [k1.bootstrap, k2.bootstrap, kts.bootstrap].join(',');
  replicaDirs = [k1.logDirs, k2.logDirs, dir];

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
    const size = await waitFor(`identical replicas of mixed-${p}`, async () => {
      const bytes = [k1.logDirs, k2.logDirs, dir].map((d) => replicaBytes(d, 'mixed', p));
      // A partition may get no keyless records (sticky partitioning): identical then means empty everywhere.
      return bytes.every((b) => b.equals(bytes[0]!)) ? bytes[0]!.length : undefined;
    }, 60_000);
    t.pass(`mixed-${p} (leader ${parts.get(p)!.leader}): ${size} bytes, the same on Kafka brokers 1, 2 and kts broker 3`);
  }

  // Rolling migration: Kafka broker 2 stops (controlled shutdown); kts starts as broker 2 on
  // its log dir, loads what Kafka wrote, rejoins the ISR and replicates new writes.
  await k2.stop();
  const migrated = await startBrokerProcess(t, 2, k2.logDirs, zk.connect, { 'replica.lag.time.max.ms': '10000' });
  await waitFor('broker 2 (now kts) back in every ISR', async () => {
    const p = await partitions(k1.bootstrap, 'mixed');
    return p.size === 3 && [...p.values()].every((x) => x.isr.includes(2)) ? true : undefined;
  }, 120_000);
  const more = Array.from({ length: 2000 }, (_, i) => `n${i}`).join('\n') + '\n';
  const bootstrap2 = [k1.bootstrap, migrated.bootstrap, kts.bootstrap].join(',');
  const produced2 = await kcat(['-P', '-b', bootstrap2, '-t', 'mixed', '-X', 'acks=all'], more, 120_000);
  t.equal(produced2.code, 0, `kcat acks=all after the migration: ${produced2.stderr}`);
  const read2 = await kcat(['-C', '-b', bootstrap2, '-t', 'mixed', '-o', 'beginning', '-e', '-q'], undefined, 60_000);
  t.equal(read2.stdout.trim().split('\n').length, 7000, 'old and new records read back');
  for (const p of [0, 1, 2]) {
    const size = await waitFor(`identical replicas of mixed-${p} after the migration`, async () => {
      const bytes = [k1.logDirs, k2.logDirs, dir].map((d) => replicaBytes(d, 'mixed', p));
      // A partition may get no keyless records (sticky partitioning): identical then means empty everywhere.
      return bytes.every((b) => b.equals(bytes[0]!)) ? bytes[0]!.length : undefined;
    }, 60_000);
    t.pass(`mixed-${p}: ${size} bytes, the same on Kafka broker 1 and kts brokers 2 (on Kafka's old log dir) and 3`);
  }

  // And back: kts broker 2 stops, Kafka 1.1 starts again on the log dir kts wrote to.
  t.equal(await migrated.stop(), 0, 'kts broker 2 stops cleanly (controlled shutdown)');
  const back = await startKafka11(t, { brokerId: 2, zookeeperConnect: zk.connect, logDirs: k2.logDirs, properties: { 'replica.lag.time.max.ms': '10000' } });
  await waitFor('broker 2 (Kafka again) back in every ISR', async () => {
    const p = await partitions(k1.bootstrap, 'mixed');
    return p.size === 3 && [...p.values()].every((x) => x.isr.includes(2)) ? true : undefined;
  }, 120_000);
  const bootstrap3 = [k1.bootstrap, back.bootstrap, kts.bootstrap].join(',');
  const last = Array.from({ length: 1000 }, (_, i) => `o${i}`).join('\n') + '\n';
  const produced3 = await kcat(['-P', '-b', bootstrap3, '-t', 'mixed', '-X', 'acks=all'], last, 120_000);
  t.equal(produced3.code, 0, `kcat acks=all after going back: ${produced3.stderr}`);
  const read3 = await kcat(['-C', '-b', bootstrap3, '-t', 'mixed', '-o', 'beginning', '-e', '-q'], undefined, 60_000);
  t.equal(read3.stdout.trim().split('\n').length, 8000, 'every record of the three phases reads back');
  for (const p of [0, 1, 2]) {
    const size = await waitFor(`identical replicas of mixed-${p} after going back`, async () => {
      const bytes = [k1.logDirs, k2.logDirs, dir].map((d) => replicaBytes(d, 'mixed', p));
      // A partition may get no keyless records (sticky partitioning): identical then means empty everywhere.
      return bytes.every((b) => b.equals(bytes[0]!)) ? bytes[0]!.length : undefined;
    }, 60_000);
    t.pass(`mixed-${p}: ${size} bytes, the same on Kafka brokers 1 and 2 (back on its log dir) and kts broker 3`);
  }
});
