// An acks=all produce waiting for a follower that stopped fetching is answered when the
// leader shrinks the ISR (replica.lag.time.max.ms), not at its timeout. The leader's own ISR
// shrink moved the high watermark without waking the delayed produce, so a producer sending
// one request at a time (kafkajs) waited its whole request timeout (30 s by default): the
// "30 s acknowledgement pause" seen after some steps of issue 13's rolling migration.
// Three kts brokers on a real ZooKeeper; the follower is paused (SIGSTOP) for less than its
// ZooKeeper session, so the controller does not take it out of the ISR: only the leader does.
import t, { type Test } from 'tap';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import kafkajs from 'kafkajs';
import { startKtsCluster } from '../helpers/kts-cluster.js';
import { needsZookeeper } from '../helpers/zookeeper.js';
import { runKts } from '../helpers/run-kts.js';
import { waitFor } from '../helpers/cluster-checks.js';
import { KafkaZkClient } from '../../src/zk/index.js';
import { memoryLogger } from '../../src/util/logger.js';

t.setTimeout(600_000);

const built = existsSync(fileURLToPath(new URL('../../dist/kts.cjs', import.meta.url)));
const skip = needsZookeeper || (built ? false : 'dist/kts.cjs is missing: run `npm run build` first');

/**
 * The produce request's timeout: longer than the test, so only a wake-up can answer it
 * (at its expiry kts would answer with the high watermark of then, and hide the bug).
 */
const PRODUCE_TIMEOUT_MS = 1_000_000;
/** A generous wait for the acknowledgement (the ISR shrink takes about 2 s, even on a loaded machine). */
const ACK_WAIT_MS = 180_000;

t.test('acks=all completes when the leader drops a stalled follower from the ISR', { skip, timeout: 300_000 }, async (t: Test) => {
  const cluster = await startKtsCluster(t, [1, 2, 3], {
    'replica.lag.time.max.ms': '1500',
    // Longer than the pause: the controller must not see broker 3 die.
    'zookeeper.session.timeout.ms': '120000',
    'auto.leader.rebalance.enable': 'false',
  });
  const logs = (): string => [...cluster.brokers.values()].map((b) => `broker ${b.id} log (last 4 kB):\n${b.output().slice(-4096)}`).join('\n');
  const zk = await KafkaZkClient.connect({ connect: cluster.zk.connect, sessionTimeoutMs: 10_000, connectionTimeoutMs: 10_000, log: memoryLogger() });
  t.teardown(() => zk.close());
  const topic = 'shrink';
  const created = await runKts(['topics', '--create', '--topic', topic, '--replica-assignment', '1:2:3', '--config', 'min.insync.replicas=2', '--bootstrap-server', cluster.bootstrap()]);
  t.equal(created.code, 0, created.stderr);
  const state = async () => (await zk.getPartitionStates([{ topic, partition: 0 }])).get(`${topic}-0`)?.state;
  await waitFor('an ISR of 1,2,3', async () => ((await state())?.isr.length === 3 ? true : undefined), 90_000);

  const kafka = new kafkajs.Kafka({ brokers: [cluster.brokers.get(1)!.bootstrap], clientId: 'isr-shrink', logLevel: kafkajs.logLevel.NOTHING, requestTimeout: PRODUCE_TIMEOUT_MS, retry: { retries: 0 } });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  // Not awaited: on failure a request is still pending and disconnect would wait for it.
  t.teardown(() => void producer.disconnect().catch(() => undefined));
  await producer.send({ topic, acks: -1, timeout: PRODUCE_TIMEOUT_MS, messages: [{ value: 'before', partition: 0 }] });

  const paused = cluster.brokers.get(3)!.child.pid!;
  process.kill(paused, 'SIGSTOP');
  t.teardown(() => process.kill(paused, 'SIGCONT'));
  try {
    const sent = producer.send({ topic, acks: -1, timeout: PRODUCE_TIMEOUT_MS, messages: [{ value: 'while-3-is-paused', partition: 0 }] });
    let timer: NodeJS.Timeout | undefined;
    const notWoken = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no acknowledgement after ${ACK_WAIT_MS} ms: the shrunk ISR did not wake the waiting produce`)), ACK_WAIT_MS);
    });
    const [meta] = await Promise.race([sent, notWoken]).finally(() => clearTimeout(timer));
    t.equal(meta?.errorCode, 0, 'the acks=all record is acknowledged');
    t.same((await state())?.isr, [1, 2], 'once the leader took broker 3 out of the ISR (ZooKeeper)');
  } catch (err) {
    t.fail(`acks=all produce failed: ${(err as Error).name}: ${(err as Error).message}; ISR ${JSON.stringify((await state())?.isr)}\n${logs()}`);
  }
});
