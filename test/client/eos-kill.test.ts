// Exactly-once consume-transform-produce across a SIGKILL: a processor subprocess (group
// consumer with read_committed and manual offsets + transactional producer, offsets sent
// in each transaction) is killed while a transaction is open, after some committed; a new
// processor with the same transactional id and group fences it, aborts the open
// transaction, resumes from the transactionally committed offsets and finishes. The
// output topic read with read_committed holds every input record exactly once.
import t from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { KafkaClient } from '../../src/client/index.js';
import type { ConsumerRecord } from '../../src/client/types.js';
import { connect, startTestBroker } from './helpers.js';
import { waitFor } from '../helpers/cluster-checks.js';

const PROCESSOR = fileURLToPath(new URL('./fixtures/eos-processor.ts', import.meta.url));
const PARTITIONS = 3;
const RECORDS = 2_000;
const OVERRIDES = [
  'group.initial.rebalance.delay.ms=0',
  'group.min.session.timeout.ms=1000',
  'offsets.topic.num.partitions=1',
  'transaction.state.log.num.partitions=1',
];

function startProcessor(args: string[]): { child: ChildProcess; lines: string[]; stderr: string[]; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', PROCESSOR, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const stderr: string[] = [];
  let partial = '';
  child.stdout!.on('data', (d: Buffer) => {
    const parts = (partial + d.toString()).split('\n');
    partial = parts.pop()!;
    lines.push(...parts);
  });
  child.stderr!.on('data', (d: Buffer) => stderr.push(d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, lines, stderr, exited };
}

/** Every record of `topic` up to its end offsets (the last stable offsets with read_committed). */
async function readAll(client: KafkaClient, topic: string, isolation: 'read_committed' | 'read_uncommitted'): Promise<ConsumerRecord[]> {
  const consumer = client.consumer({ 'isolation.level': isolation, 'fetch.max.wait.ms': '50' });
  try {
    const tps = Array.from({ length: PARTITIONS }, (_, partition) => ({ topic, partition }));
    consumer.assign(tps);
    await consumer.seekToBeginning(tps);
    const ends = await consumer.endOffsets(tps);
    const out: ConsumerRecord[] = [];
    const caughtUp = async (): Promise<boolean> => {
      for (const tp of tps) if ((await consumer.position(tp)) < ends.get(`${topic}:${tp.partition}`)!) return false;
      return true;
    };
    await waitFor(`reading ${topic} (${isolation})`, async () => {
      out.push(...(await consumer.poll(100)));
      return caughtUp();
    }, 20_000);
    return out;
  } finally {
    await consumer.close();
  }
}

t.test('SIGKILL mid-transaction: the restarted processor yields every input record exactly once', async (t) => {
  const broker = await startTestBroker(t, OVERRIDES);
  const client = await connect(t, broker);
  await client.admin.createTopics([
    { topic: 'in', numPartitions: PARTITIONS },
    { topic: 'out', numPartitions: PARTITIONS },
  ]);
  const p = client.producer({ 'linger.ms': '5' });
  const inputs = Array.from({ length: RECORDS }, (_, i) => `rec-${i}`);
  for (const [i, v] of inputs.entries()) p.sendWithCallback({ topic: 'in', partition: i % PARTITIONS, key: String(i), value: v });
  await p.flush();
  await p.close();

  const args = [broker.bootstrap, 'eos-group', 'in', 'out', 'eos-txn', String(PARTITIONS)];
  const first = startProcessor([...args, '5']);
  t.teardown(() => first.child.kill('SIGKILL'));
  await waitFor('the first processor to commit 5 transactions and open a sixth', () => first.lines.includes('open'), 20_000).catch((e: Error) => {
    throw new Error(`${e.message}; it printed ${JSON.stringify(first.lines)}, stderr: ${first.stderr.join('').slice(0, 2000)}`);
  });
  first.child.kill('SIGKILL');
  await first.exited;
  t.equal(first.lines.filter((l) => l.startsWith('committed')).length, 5, 'five transactions committed before the kill');

  const committedBefore = await readAll(client, 'out', 'read_committed');
  t.ok(committedBefore.length > 0 && committedBefore.length < RECORDS, `some output committed before the kill (${committedBefore.length})`);

  // The dead member holds its partitions until its session times out.
  await waitFor('the killed member to time out', async () => (await client.groups.describeGroup('eos-group')).members.length === 0, 20_000);

  const second = startProcessor(args);
  t.teardown(() => second.child.kill('SIGKILL'));
  let exitCode: number | null | undefined;
  void second.exited.then((c) => (exitCode = c));
  await waitFor('the second processor to finish', () => exitCode !== undefined, 20_000).catch((e: Error) => {
    throw new Error(`${e.message}; it printed ${second.lines.length} lines, stderr: ${second.stderr.join('').slice(0, 2000)}`);
  });
  t.equal(exitCode, 0, `the second processor finished (stderr: ${second.stderr.join('').slice(0, 2000)})`);

  const committed = await readAll(client, 'out', 'read_committed');
  const values = committed.map((r) => r.value!.toString());
  const seen = new Map<string, number>();
  for (const v of values) seen.set(v, (seen.get(v) ?? 0) + 1);
  const duplicates = [...seen].filter(([, n]) => n > 1).map(([v]) => v);
  const missing = inputs.filter((v) => !seen.has(`out:${v}`));
  t.same(duplicates.slice(0, 10), [], 'no output record twice');
  t.same(missing.slice(0, 10), [], 'no input record lost');
  t.equal(values.length, RECORDS, 'exactly one output per input');
  for (const r of committed) {
    const i = Number(r.value!.toString().slice('out:rec-'.length));
    if (r.partition !== i % PARTITIONS) {
      t.fail(`out:rec-${i} landed on partition ${r.partition}`);
      break;
    }
  }

  // The open transaction's records are in the log, aborted: a read_uncommitted reader may see them.
  const uncommitted = await readAll(client, 'out', 'read_uncommitted');
  t.ok(uncommitted.length >= RECORDS, `read_uncommitted sees at least the committed records (${uncommitted.length})`);

  const offsets = await client.groups.fetchOffsets('eos-group');
  t.equal(offsets.reduce((n, o) => n + o.offset, 0), RECORDS, 'the group committed the input end offsets');
});
