// Drives a real kts broker with kcat (librdkafka): every codec, keyed records on the
// partition Java's murmur2 picks, consume back exactly, offsets by timestamp.
import t from 'tap';
import { hasKcat, kcat } from '../helpers/kcat.js';
import { Kafka, logLevel } from 'kafkajs';
import { partitionForKey } from '../../src/client/partitioner.js';
import { runBroker, type RunningBroker } from './helpers.js';


async function createTopic(b: RunningBroker, topic: string, numPartitions: number): Promise<void> {
  const admin = new Kafka({ clientId: 'kts-test', brokers: [b.bootstrap], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions }] });
  } finally {
    await admin.disconnect();
  }
}

t.test('kcat', { skip: hasKcat ? false : 'kcat is not installed (apt-get install -y kcat)' }, async (t) => {
  const b = await runBroker(t, ['num.partitions=1']);
  const base = ['-b', b.bootstrap, '-X', 'api.version.request=true'];

  for (const codec of ['none', 'gzip', 'snappy', 'lz4', 'zstd']) {
    await t.test(`produce with -z ${codec}, acks=all, consume back exactly`, async (t) => {
      const topic = `codec-${codec}`;
      await createTopic(b, topic, 1);
      const lines = Array.from({ length: 200 }, (_, i) => `k${i % 7}:${codec} record ${i} ${'x'.repeat(i % 50)}`);
      const produced = await kcat([...base, '-P', '-t', topic, '-z', codec, '-K', ':', '-X', 'linger.ms=5', '-X', 'acks=all'], lines.join('\n') + '\n');
      t.equal(produced.code, 0, produced.stderr);
      const consumed = await kcat([...base, '-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%k:%s\\n']);
      t.equal(consumed.code, 0, consumed.stderr);
      t.same(consumed.stdout.trimEnd().split('\n'), lines);
    });
  }

  await t.test('idempotent librdkafka producer (pipelined, 5 in flight) keeps every record once, in order', async (t) => {
    const topic = 'idempotent';
    await createTopic(b, topic, 2);
    const lines = Array.from({ length: 20_000 }, (_, i) => `p${i % 2}:${i}`);
    const produced = await kcat(
      [...base, '-P', '-t', topic, '-K', ':', '-z', 'lz4', '-X', 'enable.idempotence=true', '-X', 'max.in.flight.requests.per.connection=5', '-X', 'linger.ms=1', '-X', 'batch.num.messages=200', '-X', 'partitioner=murmur2_random'],
      lines.join('\n') + '\n',
    );
    t.equal(produced.code, 0, produced.stderr);
    const consumed = await kcat([...base, '-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%p %k %s\\n']);
    const rows = consumed.stdout.trimEnd().split('\n').map((l) => l.split(' '));
    t.equal(rows.length, lines.length, 'no loss, no duplicates');
    for (const p of ['0', '1']) {
      const values = rows.filter((r) => r[0] === p).map((r) => Number(r[2]));
      t.same(values, [...values].sort((a, c) => a - c), `partition ${p} in produce order`);
    }
  });

  await t.test('keyed records land on the partition murmur2 picks', async (t) => {
    const topic = 'keyed';
    await createTopic(b, topic, 5);
    const keys = Array.from({ length: 60 }, (_, i) => `user-${i * 31}`);
    const produced = await kcat(
      [...base, '-P', '-t', topic, '-K', '=', '-X', 'partitioner=murmur2_random'],
      keys.map((k) => `${k}=v-${k}`).join('\n') + '\n',
    );
    t.equal(produced.code, 0, produced.stderr);
    const consumed = await kcat([...base, '-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%p %k\\n']);
    const seen = consumed.stdout.trimEnd().split('\n').map((l) => l.split(' '));
    t.equal(seen.length, keys.length);
    for (const [p, key] of seen) t.equal(Number(p), partitionForKey(Buffer.from(key!), 5), `partition of ${key}`);
  });

  await t.test('offsets by timestamp (kcat -Q) and metadata (kcat -L)', async (t) => {
    const topic = 'times';
    await createTopic(b, topic, 1);
    const input = ['1000', '2000', '3000'].map((ts) => `k:v${ts}`).join('\n') + '\n';
    const produced = await kcat([...base, '-P', '-t', topic, '-K', ':'], input);
    t.equal(produced.code, 0, produced.stderr);
    const latest = await kcat([...base, '-Q', '-t', `${topic}:0:-1`]);
    t.match(latest.stdout, /offset 3/);
    const earliest = await kcat([...base, '-Q', '-t', `${topic}:0:-2`]);
    t.match(earliest.stdout, /offset 0/);
    const future = await kcat([...base, '-Q', '-t', `${topic}:0:${Date.now() + 3_600_000}`]);
    t.match(future.stdout, /offset -1/);
    const meta = await kcat([...base, '-L', '-t', topic]);
    t.match(meta.stdout, /1 brokers:/);
    t.match(meta.stdout, /partition 0, leader 1, replicas: 1, isrs: 1/);
  });

  await t.test('acks=0 producing works and a consumer long-polls for new data', async (t) => {
    const topic = 'acks0';
    await createTopic(b, topic, 1);
    const consumer = kcat([...base, '-C', '-t', topic, '-o', 'beginning', '-c', '3', '-q', '-f', '%s\\n'], undefined, 20_000);
    await new Promise((r) => setTimeout(r, 300));
    const produced = await kcat([...base, '-P', '-t', topic, '-X', 'acks=0'], 'one\ntwo\nthree\n');
    t.equal(produced.code, 0, produced.stderr);
    const got = await consumer;
    t.same(got.stdout.trimEnd().split('\n'), ['one', 'two', 'three']);
  });
});
