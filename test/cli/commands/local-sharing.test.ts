// Local mode shared by several processes (issue 17): a console-consumer owns the data dir
// and serves the producer and topics --describe of other processes over its Unix socket;
// when the owner is SIGKILLed the next command (or a waiting process) takes over, and no
// acknowledged record is lost. Real kts subprocesses only.
import t, { type Test } from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KTS_BIN, runKtsProcess } from '../../helpers/run-kts.js';
import { tempDir } from '../helpers.js';
import { waitFor } from '../../helpers/cluster-checks.js';

interface Running {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<number | null>;
}

function startKts(t: Test, args: string[]): Running {
  const child = spawn(process.execPath, [KTS_BIN, ...args], { env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Waits for `cond` (the test's own 120 s timeout bounds it) and notes in the output what it waited for. */
async function waited(t: Test, what: string, cond: () => boolean): Promise<void> {
  await waitFor(what, cond, 120_000);
  t.comment(`waited: ${what}`);
}

function lockPid(dir: string): number | undefined {
  try {
    return (JSON.parse(readFileSync(join(dir, '.lock'), 'utf8')) as { pid?: number }).pid;
  } catch {
    return undefined;
  }
}

const lines = (from: number, to: number): string => Array.from({ length: to - from + 1 }, (_, i) => `${from + i}\n`).join('');
const sortedValues = (text: string): number[] => text.split('\n').filter((l) => l !== '').map(Number).sort((a, b) => a - b);
const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

t.test('a console-consumer owns the data dir; producer and topics --describe run beside it; SIGKILL of the owner loses nothing', async (t) => {
  t.setTimeout(120_000);
  const dir = await tempDir(t, 'kts-share-');
  const dd = ['--data-dir', dir];
  const created = await runKtsProcess(['topics', '--create', '--topic', 't', '--partitions', '2', ...dd]);
  t.equal(created.code, 0, created.stderr);

  const owner = startKts(t, ['console-consumer', '--topic', 't', '--from-beginning', ...dd]);
  await waited(t, 'the consumer owns the data dir and serves it', () => lockPid(dir) === owner.child.pid && existsSync(join(dir, 'kts.sock')));

  const produced = await runKtsProcess(['console-producer', '--topic', 't', ...dd], { stdin: lines(1, 100) });
  t.equal(produced.code, 0, produced.stderr);
  t.notMatch(produced.stderr, /locked/);
  const described = await runKtsProcess(['topics', '--describe', '--topic', 't', ...dd]);
  t.equal(described.code, 0, described.stderr);
  t.match(described.stdout, /Topic: t\tTopicId: \S+\tPartitionCount: 2/);
  t.equal(lockPid(dir), owner.child.pid, 'the owner stayed the owner: the others went through its socket');

  await waited(t, 'the owner consumed the 100 records', () => sortedValues(owner.stdout()).length === 100);
  t.same(sortedValues(owner.stdout()), range(1, 100));

  owner.child.kill('SIGKILL');
  await owner.exited;
  t.ok(existsSync(join(dir, '.lock')), 'the killed owner left its lock behind');

  const after = await runKtsProcess(['console-producer', '--topic', 't', ...dd], { stdin: lines(101, 150) });
  t.equal(after.code, 0, `the next command takes the data dir over: ${after.stderr}`);
  const all = await runKtsProcess(['console-consumer', '--topic', 't', '--from-beginning', '--max-messages', '150', '--timeout-ms', '20000', ...dd]);
  t.equal(all.code, 0, all.stderr);
  t.same(sortedValues(all.stdout), range(1, 150), 'every acknowledged record is there');
  t.notOk(existsSync(join(dir, '.lock')), 'lock released');
  t.notOk(existsSync(join(dir, 'kts.sock')), 'socket removed');
});

t.test('a waiting process takes over when the owner dies, and keeps consuming', async (t) => {
  t.setTimeout(120_000);
  const dir = await tempDir(t, 'kts-share-');
  const dd = ['--data-dir', dir];
  const created = await runKtsProcess(['topics', '--create', '--topic', 't', ...dd]);
  t.equal(created.code, 0, created.stderr);

  const owner = startKts(t, ['console-consumer', '--topic', 't', '--from-beginning', ...dd]);
  await waited(t, 'the first consumer owns the data dir', () => lockPid(dir) === owner.child.pid && existsSync(join(dir, 'kts.sock')));
  const second = startKts(t, ['console-consumer', '--topic', 't', '--from-beginning', ...dd]);
  const first = await runKtsProcess(['console-producer', '--topic', 't', ...dd], { stdin: lines(1, 10) });
  t.equal(first.code, 0, first.stderr);
  await waited(t, 'both consumers have the first 10', () => sortedValues(second.stdout()).length === 10 && sortedValues(owner.stdout()).length === 10);

  owner.child.kill('SIGKILL');
  await owner.exited;
  const more = await runKtsProcess(['console-producer', '--topic', 't', ...dd], { stdin: lines(11, 20) });
  t.equal(more.code, 0, more.stderr);
  await waited(t, 'the second consumer goes on after the owner died', () => sortedValues(second.stdout()).length === 20);
  t.same(sortedValues(second.stdout()), range(1, 20));
  // The producer may have been first to take over; once it exits the consumer does.
  await waited(t, 'the waiting consumer owns the data dir', () => lockPid(dir) === second.child.pid);
  t.pass('the waiting consumer took the data dir over');

  second.child.kill('SIGTERM');
  await second.exited;
  t.notOk(existsSync(join(dir, '.lock')), 'a graceful stop releases the lock');
});
