// dump-log --check on segments a real Kafka 1.1 broker wrote (../shared/kafka-1.1; skipped
// when absent): zero problems on the healthy log (Kafka 1.1 indexes base offsets and the
// offset of the record with the largest timestamp), and an injected fault is caught.
import t from 'tap';
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasKcat } from '../helpers/kcat.js';
import { kafka11Skip, startKafka11, startZooKeeperFor11 } from '../helpers/kafka11.js';
import { runKts } from '../helpers/run-kts.js';

// Real broker processes (and JVMs) start slowly on a busy machine: more than tap's default 120 s.
t.setTimeout(600_000);

function kcatProduce(bootstrap: string, topic: string, input: string): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn('kcat', ['-b', bootstrap, '-P', '-t', topic, '-K:', '-X', 'batch.num.messages=3'], { stdio: ['pipe', 'ignore', 'pipe'] });
    child.on('error', reject);
    child.on('close', resolve);
    child.stdin.end(input);
  });
}

t.test('Kafka 1.1 segments check clean; a flipped byte does not', { skip: kafka11Skip || (hasKcat ? false : 'needs kcat') }, async (t) => {
  const zk = await startZooKeeperFor11(t);
  const broker = await startKafka11(t, { zookeeperConnect: zk.connect, properties: { 'log.index.interval.bytes': '100' } });
  const lines = Array.from({ length: 2000 }, (_, i) => `k${i % 7}:value-${i}`).join('\n') + '\n';
  for (let i = 0; i < 3; i++) t.equal(await kcatProduce(broker.bootstrap, 'ti', lines), 0);
  await broker.stop();
  const dir = mkdtempSync(join(tmpdir(), 'kts-k11-segments-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(join(broker.logDirs, 'ti-0'), join(dir, 'ti-0'), { recursive: true });
  const healthy = await runKts(['dump-log', '--check', '--files', join(dir, 'ti-0')]);
  t.equal(healthy.code, 0, healthy.stderr.split('\n').slice(0, 5).join('\n'));
  t.match(healthy.stderr + healthy.stdout, /No problems found/);
  const log = join(dir, 'ti-0', '00000000000000000000.log');
  const bytes = readFileSync(log);
  // Inside the records of the 10th batch (bytes a CRC covers; a batch's first 17 bytes are not).
  let at = 0;
  for (let i = 0; i < 10; i++) at += 12 + bytes.readInt32BE(at + 8);
  bytes[at + 12 + bytes.readInt32BE(at + 8) - 2] ^= 0xff;
  writeFileSync(log, bytes);
  const hurt = await runKts(['dump-log', '--check', '--files', join(dir, 'ti-0')]);
  t.equal(hurt.code, 1);
  t.match(hurt.stderr + hurt.stdout, /crc-mismatch/);
  t.notMatch(hurt.stderr + hurt.stdout, /Problem in \S+\.timeindex[^\n]*decode-error/, 'the time index is not blamed for the log');
});
