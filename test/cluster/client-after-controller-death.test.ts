// Regression: after the controller and a follower were SIGKILLed, `kts topics --describe`
// kept dialling the dead controller for a whole api timeout (60 s): the client's retries never
// refreshed metadata. Now each retry learns the cluster again, and the describe shows the
// leader's ISR shrink as soon as the new controller publishes it.
import t from 'tap';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import kafkajs from 'kafkajs';
import { startKtsCluster } from '../helpers/kts-cluster.js';
import { needsZookeeper } from '../helpers/zookeeper.js';
import { runKts } from '../helpers/run-kts.js';
import { describeTopic, waitFor } from '../helpers/cluster-checks.js';

// Real broker processes (and JVMs) start slowly on a busy machine: more than tap's default 120 s.
t.setTimeout(600_000);

const built = existsSync(fileURLToPath(new URL('../../dist/kts.cjs', import.meta.url)));
const skip = needsZookeeper || (built ? false : 'dist/kts.cjs is missing: run `npm run build` first');

t.test('the controller and a follower die: the survivor leads, becomes controller, and describe shows its ISR of 1', { skip }, async (t) => {
  const cluster = await startKtsCluster(t);
  const admin = new kafkajs.Kafka({ brokers: cluster.bootstrap().split(','), logLevel: kafkajs.logLevel.NOTHING }).admin();
  await admin.connect();
  const controller = (await admin.describeCluster()).controller!;
  await admin.disconnect();
  const [leader, follower] = [1, 2, 3].filter((id) => id !== controller) as [number, number];
  const r = await runKts(['topics', '--create', '--topic', 'survivor', '--replica-assignment', `${leader}:${controller}:${follower}`, '--bootstrap-server', cluster.bootstrap()]);
  t.equal(r.code, 0, r.stderr);
  await waitFor('an ISR of 3', async () => ((await describeTopic(cluster.bootstrap(), 'survivor'))[0]?.isr.length === 3 ? true : undefined));
  await cluster.brokers.get(controller)!.kill();
  await cluster.brokers.get(follower)!.kill();
  const p = await waitFor('an ISR of 1', async () => {
    const d = (await describeTopic(cluster.bootstrap(), 'survivor'))[0];
    return d?.isr.length === 1 ? d : undefined;
  });
  t.same({ leader: p.leader, isr: p.isr }, { leader, isr: [leader] }, `broker ${leader} leads alone`);
});
