// kcat (librdkafka) balanced consumers (-G) against a real kts broker: the group reads
// every record once, commits on exit, and a second run resumes from the commit.
import t from 'tap';
import { spawn, spawnSync } from 'node:child_process';
import { Kafka, logLevel } from 'kafkajs';
import { runBroker } from './helpers.js';

const hasKcat = spawnSync('kcat', ['-V']).status === 0;

function kcat(args: string[], input?: string, timeoutMs = 20_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('kcat', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() });
    });
    child.stdin.end(input ?? '');
  });
}

t.test('kcat -G consumes in a group and resumes from its commits', { skip: hasKcat ? false : 'kcat is not installed' }, async (t) => {
  const b = await runBroker(t, ['group.initial.rebalance.delay.ms=0', 'offsets.topic.num.partitions=3']);
  const admin = new Kafka({ clientId: 'kts-test', brokers: [b.bootstrap], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await admin.createTopics({ topics: [{ topic: 'events', numPartitions: 3 }] });
  const base = ['-b', b.bootstrap];
  const lines = Array.from({ length: 30 }, (_, i) => `k${i}:record ${i}`);
  const produced = await kcat([...base, '-P', '-t', 'events', '-K', ':'], lines.join('\n') + '\n');
  t.equal(produced.code, 0, produced.stderr);

  const group = ['-G', 'kcat-group', '-X', 'auto.offset.reset=earliest', '-e', '-q', '-f', '%s\\n', 'events'];
  const first = await kcat([...base, ...group]);
  t.equal(first.code, 0, first.stderr);
  t.same(first.stdout.trimEnd().split('\n').sort(), lines.map((l) => l.split(':')[1]).sort(), 'every record once');

  const committed = await admin.fetchOffsets({ groupId: 'kcat-group', topics: ['events'] });
  t.equal(committed[0]!.partitions.reduce((n, p) => n + Number(p.offset), 0), 30, 'kcat committed its position');

  await kcat([...base, '-P', '-t', 'events'], 'later 1\nlater 2\n');
  const second = await kcat([...base, ...group]);
  t.equal(second.code, 0, second.stderr);
  t.same(second.stdout.trimEnd().split('\n').sort(), ['later 1', 'later 2'], 'the second run starts at the commits');
});
