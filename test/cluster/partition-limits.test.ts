// max.broker.partitions in a cluster counts the replicas the metadata assigns to each broker
// (issue 18): a CreateTopics or CreatePartitions whose assignment would put a broker over
// the limit is refused with POLICY_VIOLATION before anything is written to ZooKeeper.
import t from 'tap';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startKtsCluster } from '../helpers/kts-cluster.js';
import { needsZookeeper } from '../helpers/zookeeper.js';
import { runKts } from '../helpers/run-kts.js';
import { describeTopic as describe, waitFor } from '../helpers/cluster-checks.js';

t.setTimeout(600_000);

const built = existsSync(fileURLToPath(new URL('../../dist/kts.cjs', import.meta.url)));
const skip = needsZookeeper || (built ? false : 'dist/kts.cjs is missing: run `npm run build` first');

t.test('2 brokers, max.broker.partitions=4: assignments are counted per broker', { skip }, async (t) => {
  const cluster = await startKtsCluster(t, [1, 2], { 'max.broker.partitions': '4' });
  const bootstrap = cluster.bootstrap();
  const create = (topic: string, partitions: number, rf: number) =>
    runKts(['topics', '--create', '--topic', topic, '--partitions', String(partitions), '--replication-factor', String(rf), '--bootstrap-server', bootstrap]);

  const a = await create('a', 3, 2);
  t.equal(a.code, 0, `3 partitions × 2 replicas: 3 on each broker (${a.stderr})`);
  const b = await create('b', 1, 2);
  t.equal(b.code, 0, `one more on each: 4 on each broker, the limit (${b.stderr})`);
  await waitFor('leaders for a and b', async () => ((await describe(bootstrap, 'b')).length === 1 ? true : undefined));

  const c = await create('c', 1, 1);
  t.not(c.code, 0, 'a fifth partition on either broker is refused');
  t.match(c.stderr, /POLICY_VIOLATION.*broker [12] has 4 and would have 5, above max\.broker\.partitions=4/, 'the message names the broker and the limit');
  const more = await runKts(['topics', '--alter', '--topic', 'a', '--partitions', '4', '--bootstrap-server', bootstrap]);
  t.not(more.code, 0, 'adding a partition to a is refused too');
  t.match(more.stderr, /POLICY_VIOLATION.*above max\.broker\.partitions=4/);

  const list = await runKts(['topics', '--list', '--bootstrap-server', bootstrap]);
  t.same(list.stdout.trim().split('\n').filter((n) => !n.startsWith('__')), ['a', 'b'], 'nothing of c was created');
  t.equal((await describe(bootstrap, 'a')).length, 3, 'a still has 3 partitions');
});
