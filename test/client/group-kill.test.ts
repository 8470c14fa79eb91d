// A group consumer process killed with SIGKILL: its partitions stay with the dead member
// until the session timeout, then the group rebalances without it, and a restarted
// consumer process resumes exactly from the committed offsets (no record lost or repeated,
// since the child commits before it prints).
import t from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { connect, startTestBroker } from './helpers.js';
import { waitFor } from '../helpers/cluster-checks.js';

const CHILD = fileURLToPath(new URL('./group-child.ts', import.meta.url));

function startChild(args: string[]): { child: ChildProcess; lines: string[]; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let partial = '';
  child.stdout!.on('data', (d: Buffer) => {
    const parts = (partial + d.toString()).split('\n');
    partial = parts.pop()!;
    lines.push(...parts);
  });
  child.stderr!.on('data', () => undefined);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, lines, exited };
}

t.test('SIGKILL: partitions move after the session timeout, a restart resumes from commits', async (t) => {
  const broker = await startTestBroker(t, ['group.initial.rebalance.delay.ms=0', 'group.min.session.timeout.ms=1000', 'offsets.topic.num.partitions=2']);
  const client = await connect(t, broker);
  await client.admin.createTopics([{ topic: 'jobs', numPartitions: 2 }]);
  const p = client.producer({ 'linger.ms': '0' });
  const all = Array.from({ length: 40 }, (_, i) => `job-${i}`);
  for (const [i, v] of all.entries()) await p.send({ topic: 'jobs', partition: i % 2, value: v });
  await p.close();

  const first = startChild([broker.bootstrap, 'workers', 'jobs', '10', 'hang']);
  t.teardown(() => first.child.kill('SIGKILL'));
  await waitFor('the first process to read 10 records', () => first.lines.length >= 10, 15_000);
  first.child.kill('SIGKILL');
  await first.exited;
  const before = [...first.lines];

  const d = await client.groups.describeGroup('workers');
  t.equal(d.members.length, 1, 'the killed member is still in the group until its session times out');
  await waitFor('the session timeout to remove it', async () => (await client.groups.describeGroup('workers')).members.length === 0, 15_000);

  const committed = await client.groups.fetchOffsets('workers');
  t.equal(committed.reduce((n, o) => n + o.offset, 0), before.length, 'every printed record was committed');

  const second = startChild([broker.bootstrap, 'workers', 'jobs', String(all.length - before.length)]);
  t.teardown(() => second.child.kill('SIGKILL'));
  t.equal(await second.exited, 0, 'the restarted consumer read the rest and exited');
  const after = second.lines;
  t.same(after.filter((v) => before.includes(v)), [], 'nothing read twice');
  t.same([...before, ...after].sort(), [...all].sort(), 'nothing lost');
});
