// Partition limits, driven by kafkajs' admin client against a real kts broker: a
// CreateTopics / CreatePartitions above max.broker.partitions or above what `ulimit -n`
// allows is refused up front with POLICY_VIOLATION naming the limit and leaves nothing
// behind; a creation failing midway removes what it created.
import t, { type Test } from 'tap';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import kafkajs, { type Admin } from 'kafkajs';
import { runBroker, tempDir } from './helpers.js';
import { startChildBroker } from '../helpers/child-broker.js';
import { runKts } from '../helpers/run-kts.js';

const { Kafka, logLevel } = kafkajs;
const built = existsSync(fileURLToPath(new URL('../../dist/kts.cjs', import.meta.url)));
const hasPrlimit = existsSync('/usr/bin/prlimit') && existsSync('/proc/self/limits');

async function adminFor(t: Test, bootstrap: string): Promise<Admin> {
  const admin = new Kafka({ clientId: 'limits-test', brokers: [bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 } }).admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  return admin;
}

/** The first per-topic error of a rejected admin call (kafkajs wraps them in an aggregate). */
async function rejection(promise: Promise<unknown>): Promise<{ type?: string; message: string }> {
  try {
    await promise;
  } catch (err) {
    const e = err as { errors?: { type?: string; message: string }[]; type?: string; message: string };
    return e.errors?.[0] ?? e;
  }
  throw new Error('expected the call to be refused');
}

const partitionDirs = (dir: string, topic: string): string[] => readdirSync(dir).filter((n) => n.startsWith(`${topic}-`));

t.test('30,000 partitions in one CreateTopics or CreatePartitions are refused and leave nothing', async (t) => {
  const b = await runBroker(t);
  const admin = await adminFor(t, b.bootstrap);
  const refused = await rejection(admin.createTopics({ topics: [{ topic: 'huge', numPartitions: 30_000 }] }));
  t.equal(refused.type, 'POLICY_VIOLATION');
  // kafkajs shows its own text per error code; kts's CLI shows the broker's message.
  const cli = await runKts(`topics --create --topic huge --partitions 30000 --bootstrap-server ${b.bootstrap}`);
  t.equal(cli.code, 1);
  t.match(cli.stderr, /POLICY_VIOLATION: create topic huge: Cannot create 30000 partition\(s\): this broker has 0 and would have 30000, above max\.broker\.partitions=20000\. .*raise max\.broker\.partitions/);
  t.same(partitionDirs(b.dataDir, 'huge'), [], 'no partition directory was created');
  t.notOk((await admin.listTopics()).includes('huge'));

  await admin.createTopics({ topics: [{ topic: 'grow', numPartitions: 1 }] });
  const grow = await rejection(admin.createPartitions({ topicPartitions: [{ topic: 'grow', count: 30_000 }] }));
  t.equal(grow.type, 'POLICY_VIOLATION');
  const cli2 = await runKts(`topics --alter --topic grow --partitions 30000 --bootstrap-server ${b.bootstrap}`);
  t.match(cli2.stderr, /this broker has 1 and would have 30000, above max\.broker\.partitions=20000/);
  t.same(partitionDirs(b.dataDir, 'grow'), ['grow-0']);
  const meta = await admin.fetchTopicMetadata({ topics: ['grow'] });
  t.equal(meta.topics[0]!.partitions.length, 1);
});

t.test('max.broker.partitions counts every topic; validate-only is checked the same way', async (t) => {
  const b = await runBroker(t, ['max.broker.partitions=8']);
  const admin = await adminFor(t, b.bootstrap);
  await admin.createTopics({ topics: [{ topic: 'a', numPartitions: 5 }] });
  const b4 = await rejection(admin.createTopics({ topics: [{ topic: 'b', numPartitions: 4 }] }));
  t.equal(b4.type, 'POLICY_VIOLATION');
  const cli = await runKts(`topics --create --topic b --partitions 4 --bootstrap-server ${b.bootstrap}`);
  t.match(cli.stderr, /this broker has 5 and would have 9, above max\.broker\.partitions=8/);
  t.equal((await rejection(admin.createTopics({ validateOnly: true, topics: [{ topic: 'b', numPartitions: 4 }] }))).type, 'POLICY_VIOLATION');
  await admin.createTopics({ topics: [{ topic: 'b', numPartitions: 3 }] });
  const more = await rejection(admin.createPartitions({ topicPartitions: [{ topic: 'a', count: 6 }] }));
  t.equal(more.type, 'POLICY_VIOLATION');
  t.same(partitionDirs(b.dataDir, 'a').sort(), ['a-0', 'a-1', 'a-2', 'a-3', 'a-4']);
  // A deleted topic's partitions count against nothing, even while their dirs wait for file.delete.delay.ms.
  await admin.deleteTopics({ topics: ['a'] });
  await admin.createTopics({ topics: [{ topic: 'c', numPartitions: 5 }] });
  t.equal(partitionDirs(b.dataDir, 'c').length, 5, "a deleted topic's partitions no longer count");
  t.equal((await rejection(admin.createTopics({ topics: [{ topic: 'd', numPartitions: 1 }] }))).type, 'POLICY_VIOLATION', 'the limit still holds (3 + 5 = 8)');
});

t.test('a CreateTopics failing midway removes the partitions it created', async (t) => {
  const b = await runBroker(t);
  const admin = await adminFor(t, b.bootstrap);
  // A stray file where partition 3's directory must go makes the creation fail there.
  writeFileSync(`${b.dataDir}/stray-3`, 'not a directory');
  const failed = await rejection(admin.createTopics({ topics: [{ topic: 'stray', numPartitions: 6 }] }));
  t.ok(failed.type !== undefined && failed.type !== 'POLICY_VIOLATION', `refused with ${failed.type}: ${failed.message}`);
  t.same(partitionDirs(b.dataDir, 'stray'), ['stray-3'], 'partitions 0-2 were removed; the stray file is untouched');
  t.notOk((await admin.listTopics()).includes('stray'));
  // Nothing half-made blocks a later creation once the obstacle is gone.
  await admin.createTopics({ topics: [{ topic: 'fine', numPartitions: 2 }] });
  t.same(partitionDirs(b.dataDir, 'fine').sort(), ['fine-0', 'fine-1']);
});

t.test('partitions that would not fit in the descriptor limit (ulimit -n) are refused, naming it', { skip: !built ? 'run `npm run build` first' : !hasPrlimit ? 'needs prlimit and /proc' : false }, async (t) => {
  const dataDir = await tempDir(t);
  // 400 descriptors and a cache of up to 300: 40 partitions may hold 120 files open, plus the
  // 256 kept for connections that is 376 and fits; 60 partitions would need 436.
  const b = await startChildBroker(t, { dataDir, maxOpenFiles: 400, overrides: ['log.open.files.max=300'] });
  t.teardown(() => b.stop());
  const admin = await adminFor(t, b.bootstrap);
  await admin.createTopics({ topics: [{ topic: 'ok', numPartitions: 40 }] });
  const refused = await rejection(admin.createTopics({ topics: [{ topic: 'over', numPartitions: 20 }] }));
  t.equal(refused.type, 'POLICY_VIOLATION');
  const cli = await runKts(`topics --create --topic over --partitions 20 --bootstrap-server ${b.bootstrap}`);
  t.match(cli.stderr, /60 partitions may keep 180 files open \(log\.open\.files\.max=300\) plus 256 for connections, above the process limit of 400 open files \(ulimit -n\)/);
  t.same(partitionDirs(dataDir, 'over'), []);
});
