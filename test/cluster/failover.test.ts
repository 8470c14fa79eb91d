// Failover under load: the leader of a partition is SIGKILLed and restarted three times while
// an idempotent kafkajs producer writes with acks=all (min.insync.replicas=2). Every
// acknowledged record must read back exactly once at its acknowledged offset, the replicas
// must hold the same bytes, and the ISR must return to 3.
import t from 'tap';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import kafkajs from 'kafkajs';
import { startKtsCluster } from '../helpers/kts-cluster.js';
import { needsZookeeper } from '../helpers/zookeeper.js';
import { kcat, needsKcat } from '../helpers/kcat.js';
import { runKts } from '../helpers/run-kts.js';
import { describeTopic, replicaBytes, waitFor } from '../helpers/cluster-checks.js';

// Real broker processes (and JVMs) start slowly on a busy machine: more than tap's default 120 s.
t.setTimeout(600_000);

const built = existsSync(fileURLToPath(new URL('../../dist/kts.cjs', import.meta.url)));
const skip = needsZookeeper || needsKcat || (built ? false : 'dist/kts.cjs is missing: run `npm run build` first');

t.test('leader SIGKILLed and restarted 3 times under idempotent acks=all load: nothing acknowledged is lost', { skip }, async (t) => {
  const cluster = await startKtsCluster(t);
  const bootstrap = cluster.bootstrap();
  const topic = 'payments';
  const created = await runKts(['topics', '--create', '--topic', topic, '--partitions', '1', '--replication-factor', '3', '--config', 'min.insync.replicas=2', '--bootstrap-server', bootstrap]);
  t.equal(created.code, 0, `created: ${created.stderr}`);
  await waitFor('an ISR of 3', async () => ((await describeTopic(bootstrap, topic))[0]?.isr.length === 3 ? true : undefined));

  const kafka = new kafkajs.Kafka({ brokers: bootstrap.split(','), clientId: 'failover-test', logLevel: kafkajs.logLevel.NOTHING, retry: { retries: 40, initialRetryTime: 100, maxRetryTime: 1000 } });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  t.teardown(() => producer.disconnect().catch(() => undefined));

  const acked = new Map<string, number>();
  let failed = 0;
  let stop = false;
  let seq = 0;
  const load = (async () => {
    while (!stop) {
      const values = Array.from({ length: 20 }, () => `v${seq++}`);
      try {
        const [r] = await producer.send({ topic, acks: -1, messages: values.map((value) => ({ value })) });
        const base = Number(r!.baseOffset);
        values.forEach((v, i) => acked.set(v, base + i));
      } catch {
        failed++;
      }
    }
  })();

  for (let round = 1; round <= 3; round++) {
    await new Promise((r) => setTimeout(r, 1500));
    const leader = (await describeTopic(cluster.bootstrap(), topic))[0]!.leader;
    const before = acked.size;
    await cluster.brokers.get(leader)!.kill();
    await waitFor(`a new leader after killing broker ${leader}`, async () => {
      const p = (await describeTopic(cluster.bootstrap(), topic))[0];
      return p && p.leader >= 0 && p.leader !== leader ? true : undefined;
    });
    await waitFor('acknowledged writes to go on under the new leader', async () => (acked.size > before + 100 ? true : undefined));
    await cluster.start(leader);
    await waitFor(`broker ${leader} back in the ISR`, async () => ((await describeTopic(cluster.bootstrap(), topic))[0]?.isr.length === 3 ? true : undefined), 60_000);
    t.pass(`round ${round}: killed leader ${leader}, writes went on, the ISR is 3 again`);
  }
  stop = true;
  await load;
  t.ok(acked.size > 600, `${acked.size} records acknowledged (${failed} sends failed)`);

  const read = await kcat(['-C', '-b', cluster.bootstrap(), '-t', topic, '-p', '0', '-o', 'beginning', '-e', '-q', '-f', '%o %s\\n'], undefined, 60_000);
  const atOffset = new Map<number, string>();
  const seen = new Map<string, number>();
  for (const line of read.stdout.split('\n')) {
    const m = /^(\d+) (v\d+)$/.exec(line);
    if (!m) continue;
    atOffset.set(Number(m[1]), m[2]!);
    seen.set(m[2]!, (seen.get(m[2]!) ?? 0) + 1);
  }
  const lost = [...acked].filter(([v, offset]) => atOffset.get(offset) !== v);
  t.same(lost.slice(0, 5), [], 'every acknowledged record is at its acknowledged offset');
  t.same([...seen].filter(([, n]) => n > 1).slice(0, 5), [], 'no record is written twice (idempotence across failovers)');

  const replicas = await waitFor('identical replicas', async () => {
    const bytes = [...cluster.brokers.values()].map((b) => replicaBytes(b.dir, topic, 0));
    return bytes.every((b) => b.equals(bytes[0]!)) ? bytes[0]!.length : undefined;
  });
  t.ok(replicas > 0, `the three replicas hold the same ${replicas} bytes`);
});
