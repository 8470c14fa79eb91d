// Local mode shared by several processes (issue 17): a console-consumer owns the data dir
// and serves the producer and topics --describe of other processes over its Unix socket
// (in this user's socket directory, not in the data dir; the owner takes `.lock` with the
// first write);
// when the owner is SIGKILLed the next command (or a waiting process) takes over, and no
// acknowledged record is lost. Real kts subprocesses only.
import t, { type Test } from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { KTS_BIN, runKtsProcess } from '../../helpers/run-kts.js';
import { tempDir } from '../helpers.js';
import { waitFor } from '../../helpers/cluster-checks.js';
import { localSocketPath } from '../../../src/net/local-socket.js';

interface Running {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<number | null>;
}

function startKts(t: Test, args: string[], env: Record<string, string> = {}): Running {
  const child = spawn(process.execPath, [KTS_BIN, ...args], { env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
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
  await waited(t, 'the consumer owns the data dir and serves it', () => existsSync(localSocketPath(dir)));

  const produced = await runKtsProcess(['console-producer', '--topic', 't', ...dd], { stdin: lines(1, 100) });
  t.equal(produced.code, 0, produced.stderr);
  t.notMatch(produced.stderr, /locked/);
  const described = await runKtsProcess(['topics', '--describe', '--topic', 't', ...dd]);
  t.equal(described.code, 0, described.stderr);
  t.match(described.stdout, /Topic: t\tTopicId: \S+\tPartitionCount: 2/);
  t.equal(lockPid(dir), owner.child.pid, 'the owner stayed the owner (it took the lock with the first write): the others went through its socket');

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
  t.notOk(existsSync(localSocketPath(dir)), 'socket removed');
  t.notOk(existsSync(join(dir, 'kts.sock')), 'no socket in the data dir');
});

t.test('a waiting process takes over when the owner dies, and keeps consuming', async (t) => {
  t.setTimeout(120_000);
  const dir = await tempDir(t, 'kts-share-');
  const dd = ['--data-dir', dir];
  const created = await runKtsProcess(['topics', '--create', '--topic', 't', ...dd]);
  t.equal(created.code, 0, created.stderr);

  const owner = startKts(t, ['console-consumer', '--topic', 't', '--from-beginning', ...dd]);
  await waited(t, 'the first consumer owns the data dir', () => existsSync(localSocketPath(dir)));
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
  // The producer may have been first to take over; once it exits the consumer does. A reader
  // takes the lock with its first write: a producer writing through it shows who owns.
  let next = 21;
  while (lockPid(dir) !== second.child.pid) {
    const through = await runKtsProcess(['console-producer', '--topic', 't', ...dd], { stdin: lines(next, next) });
    t.equal(through.code, 0, through.stderr);
    next++;
  }
  t.pass(`the waiting consumer took the data dir over (${next - 21} records written to see it)`);
  await waited(t, 'the second consumer has every record', () => sortedValues(second.stdout()).length === next - 1);
  t.same(sortedValues(second.stdout()), range(1, next - 1));

  second.child.kill('SIGTERM');
  await second.exited;
  t.notOk(existsSync(join(dir, '.lock')), 'a graceful stop releases the lock');
});

t.test("the owner's socket is in this user's runtime dir (0700), and a socket dir others could use is refused", async (t) => {
  t.setTimeout(120_000);
  const dir = await tempDir(t, 'kts-share-');
  const runtime = await tempDir(t, 'kts-runtime-');
  const env = { XDG_RUNTIME_DIR: runtime };
  const dd = ['--data-dir', dir];
  const created = await runKtsProcess(['topics', '--create', '--topic', 't', ...dd], { env });
  t.equal(created.code, 0, created.stderr);
  const sockets = join(runtime, 'kts');
  const owner = startKts(t, ['console-consumer', '--topic', 't', '--from-beginning', ...dd], env);
  await waited(t, 'the consumer serves the data dir from the runtime dir', () => existsSync(sockets) && readdirSync(sockets).length === 1);
  t.equal(statSync(sockets).mode & 0o777, 0o700, 'the socket dir is private');
  const [name] = readdirSync(sockets);
  t.match(name, /^[0-9a-f]{32}\.sock$/, 'named from the data dir');
  // Born 0700 under umask 077 at bind, then chmod 0600: either way closed to others.
  t.equal(statSync(join(sockets, name!)).mode & 0o077, 0, 'the socket is the user\'s alone');
  const produced = await runKtsProcess(['console-producer', '--topic', 't', ...dd], { env, stdin: lines(1, 3) });
  t.equal(produced.code, 0, produced.stderr);
  await waited(t, 'the owner consumed the records written through it', () => sortedValues(owner.stdout()).length === 3);
  t.equal(lockPid(dir), owner.child.pid, 'the producer went through the owner');
  // A command run with another runtime dir (cron, ssh, sudo -E) asks the owner where it listens.
  const elsewhere = await tempDir(t, 'kts-runtime-other-');
  const other = await runKtsProcess(['console-producer', '--topic', 't', ...dd], { env: { XDG_RUNTIME_DIR: elsewhere }, stdin: lines(4, 6) });
  t.equal(other.code, 0, other.stderr);
  await waited(t, 'the owner consumed the records of a producer with another runtime dir', () => sortedValues(owner.stdout()).length === 6);
  t.same(existsSync(join(elsewhere, 'kts')) ? readdirSync(join(elsewhere, 'kts')) : [], [], 'that producer opened no engine of its own');

  // Another user (or a careless chmod) could put its own listener in a dir open to others.
  chmodSync(sockets, 0o755);
  const refused = await runKtsProcess(['topics', '--describe', ...dd], { env });
  t.not(refused.code, 0, 'refused');
  t.match(refused.stderr, new RegExp(`${sockets}.*open to group or others`));
  chmodSync(sockets, 0o700);
  owner.child.kill('SIGTERM');
  t.equal(await owner.exited, 0, owner.stderr());
  t.same(readdirSync(sockets), [], 'a graceful stop removes the socket');
});
