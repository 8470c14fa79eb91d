/**
 * dump-log on what real clients wrote through a real kts broker: kafkajs (gzip,
 * idempotent) and kcat/librdkafka (snappy, lz4, zstd) produce to a topic, kafkajs commits
 * group offsets; the broker is stopped and its partition directories are dumped.
 */
import t from 'tap';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CompressionTypes, Kafka, logLevel } from 'kafkajs';
import { buildBrokerConfig } from '../../src/broker/config.js';
import { startBroker } from '../../src/broker/broker.js';
import { runKts } from '../helpers/run-kts.js';

const hasKcat = spawnSync('sh', ['-c', 'command -v kcat']).status === 0;

/** Async: the broker runs in this process and must keep answering while kcat runs. */
function kcatProduce(bootstrap: string, codec: string, lines: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('kcat', ['-P', '-b', bootstrap, '-t', 'dumped', '-p', '0', '-z', codec, '-K', ':'], { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`kcat -z ${codec} exited ${code}: ${stderr}`));
    });
    child.stdin.end(lines.join('\n') + '\n');
  });
}

t.test('segments written by kafkajs and kcat through a kts broker', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'kts-dump-log-interop-'));
  t.teardown(() => rm(dataDir, { recursive: true, force: true }));
  const config = buildBrokerConfig({ dataDir, env: {}, overrides: ['listeners=PLAINTEXT://127.0.0.1:0', 'num.partitions=1', 'offsets.topic.num.partitions=1'] });
  const broker = await startBroker(config, { listen: true });
  t.teardown(() => broker.stop());
  const bootstrap = `127.0.0.1:${broker.boundPorts[0]!.port}`;

  const kafka = new Kafka({ clientId: 'dump-log-test', brokers: [bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'dumped', numPartitions: 1 }] });
  const producer = kafka.producer({ idempotent: true });
  await producer.connect();
  await producer.send({ topic: 'dumped', compression: CompressionTypes.GZIP, messages: [{ key: 'kjs-1', value: 'from kafkajs', headers: { origin: 'kafkajs' } }, { key: 'kjs-2', value: 'again' }] });
  await producer.send({ topic: 'dumped', messages: [{ key: null, value: 'plain kafkajs' }] });
  await producer.disconnect();
  const codecs = hasKcat ? ['snappy', 'lz4', 'zstd'] : [];
  // Compressible values: librdkafka sends a batch uncompressed when compression would not shrink it.
  for (const codec of codecs) await kcatProduce(bootstrap, codec, [`kc-${codec}:from kcat ${codec} ${'x'.repeat(400)}`, `kc-${codec}-2:second ${codec} ${'y'.repeat(400)}`]);
  await admin.setOffsets({ groupId: 'dump-group', topic: 'dumped', partitions: [{ partition: 0, offset: '2' }] });
  await admin.disconnect();
  await broker.stop();

  const partition = join(dataDir, 'dumped-0');
  const files = await readdir(partition);
  t.ok(files.some((f) => f.endsWith('.log')), `partition files: ${files.join(' ')}`);
  const check = await runKts(['dump-log', '--files', partition, '--check', '--deep-iteration']);
  t.equal(check.code, 0, check.stdout);
  const data = await runKts(['dump-log', '--files', partition, '--print-data-log']);
  t.equal(data.code, 0, data.stderr);
  t.match(data.stdout, /compresscodec: gzip crc: \d+ isvalid: true/);
  t.match(data.stdout, /producerId: \d+ producerEpoch: 0 /);
  t.match(data.stdout, /headerKeys: \[origin\] key: kjs-1 payload: from kafkajs/);
  t.match(data.stdout, /key: kjs-2 payload: again/);
  t.match(data.stdout, /\| offset: 2 CreateTime: \d+ keySize: -1 valueSize: 13 sequence: 2 headerKeys: \[\] payload: plain kafkajs/);
  for (const codec of codecs) {
    t.match(data.stdout, new RegExp(`compresscodec: ${codec} crc: \\d+ isvalid: true`), codec);
    t.match(data.stdout, new RegExp(`key: kc-${codec} payload: from kcat ${codec} x{400}\n`), codec);
  }

  const offsets = join(dataDir, '__consumer_offsets-0');
  const o = await runKts(['dump-log', '--files', offsets, '--offsets-decoder']);
  t.equal(o.code, 0, o.stderr);
  t.match(o.stdout, /key: \{"type":"[01]","data":\{"group":"dump-group","topic":"dumped","partition":0\}\} payload: \{"version":"\d","data":\{"offset":2,/);
});
