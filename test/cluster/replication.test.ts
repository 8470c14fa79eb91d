// A 3-broker kts cluster on a real ZooKeeper: topic creation through any broker, leaders
// spread, ISR of 3, acks=all writes with kcat, kafkajs and kts's console-producer replicated byte for byte to
// every replica; a replication factor above the live brokers is refused.
import t from 'tap';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startKtsCluster } from '../helpers/kts-cluster.js';
import { needsZookeeper } from '../helpers/zookeeper.js';
import { kcat, needsKcat } from '../helpers/kcat.js';
import { runKts } from '../helpers/run-kts.js';
import kafkajs from 'kafkajs';
import { describeTopic as describe, waitFor } from '../helpers/cluster-checks.js';

// Real broker processes (and JVMs) start slowly on a busy machine: more than tap's default 120 s.
t.setTimeout(600_000);

const built = existsSync(fileURLToPath(new URL('../../dist/kts.cjs', import.meta.url)));
const skip = needsZookeeper || needsKcat || (built ? false : 'dist/kts.cjs is missing: run `npm run build` first');

t.test('3 brokers: rf=3 topic, ISR of 3, acks=all writes replicated everywhere', { skip }, async (t) => {
  const cluster = await startKtsCluster(t);
  const bootstrap = cluster.bootstrap();
  const created = await runKts(['topics', '--create', '--topic', 'orders', '--partitions', '3', '--replication-factor', '3', '--config', 'min.insync.replicas=2', '--bootstrap-server', bootstrap]);
  t.equal(created.code, 0, `topic created: ${created.stderr}`);
  const parts = await waitFor('an ISR of 3 on every partition', async () => {
    const p = await describe(bootstrap, 'orders');
    return p.length === 3 && p.every((x) => x.isr.length === 3) ? p : undefined;
  });
  t.same(new Set(parts.map((p) => p.leader)).size, 3, 'leaders are spread over the three brokers');

  const lines = Array.from({ length: 10_000 }, (_, i) => `k${i % 97}:value-${i}`).join('\n') + '\n';
  const produced = await kcat(['-P', '-b', bootstrap, '-t', 'orders', '-K', ':', '-X', 'acks=all', '-X', 'enable.idempotence=true'], lines, 60_000);
  t.equal(produced.code, 0, `kcat produced: ${produced.stderr}`);
  // kafkajs (acks=-1, idempotent) and kts's own console-producer (acks=all) write 10,000 more each.
  const kafka = new kafkajs.Kafka({ brokers: bootstrap.split(','), clientId: 'replication-test', logLevel: kafkajs.logLevel.NOTHING });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  for (let i = 0; i < 10_000; i += 1000) {
    await producer.send({ topic: 'orders', acks: -1, messages: Array.from({ length: 1000 }, (_, j) => ({ key: `j${(i + j) % 89}`, value: `kafkajs-${i + j}` })) });
  }
  await producer.disconnect();
  const ktsLines = Array.from({ length: 10_000 }, (_, i) => `kts-${i}`).join('\n') + '\n';
  const ktsProduced = await runKts(['console-producer', '--topic', 'orders', '--bootstrap-server', bootstrap, '--request-required-acks', 'all'], { stdin: ktsLines });
  t.equal(ktsProduced.code, 0, `kts console-producer acks=all: ${ktsProduced.stderr}`);
  const consumed = await kcat(['-C', '-b', bootstrap, '-t', 'orders', '-e', '-q', '-f', '%s\n'], undefined, 60_000);
  t.equal(consumed.stdout.trim().split('\n').length, 30_000, 'every record of kcat, kafkajs and kts reads back');

  const tooMany = await runKts(['topics', '--create', '--topic', 'too-wide', '--partitions', '1', '--replication-factor', '4', '--bootstrap-server', bootstrap]);
  t.not(tooMany.code, 0, 'a replication factor above the live brokers is refused');
  t.match(tooMany.stderr, /INVALID_REPLICATION_FACTOR.*only 3 broker/, 'INVALID_REPLICATION_FACTOR names the broker count');

  // Followers catch up to the leader; then every replica's segment holds the same bytes.
  for (const p of [0, 1, 2]) {
    const files = [...cluster.brokers.values()].map((b) => join(b.dir, `orders-${p}`, '00000000000000000000.log'));
    const same = await waitFor(`identical replicas of orders-${p}`, async () => {
      const bytes = files.map((f) => readFileSync(f));
      return bytes.every((b) => b.equals(bytes[0]!)) && bytes[0]!.length > 0 ? bytes[0]!.length : undefined;
    });
    t.ok(same > 0, `orders-${p}: ${same} bytes, identical on brokers 1, 2 and 3`);
  }
});
