// Commands that only read leave a data dir exactly as they found it (issue 17): every file's
// bytes and modification time, the clean-shutdown marker included; and a reader killed
// with SIGKILL leaves a marker that still tells the truth, while a writer killed the same
// way leaves none, so the next open recovers.
import t, { type Test } from 'tap';
import { spawn } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KTS_BIN, runKts, runKtsProcess } from '../../helpers/run-kts.js';
import { tempDir } from '../helpers.js';

const MARKER = '.kafka_cleanshutdown';

/**
 * Every entry under `dir`, `dir` itself included, with its modification and change times, and
 * a file's bytes: a directory's times change when an entry is created or removed in it (even a
 * `.lock` or socket created and removed again), and sockets and lock files count, so one left
 * behind shows.
 */
function files(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const times = (path: string): string => {
    const st = statSync(path);
    return `mtime ${st.mtimeMs} ctime ${st.ctimeMs}`;
  };
  const walk = (d: string): void => {
    out.set(`${d.slice(dir.length)}/`, `${times(d)} entries ${readdirSync(d).sort().join(',')}`);
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      const st = statSync(path);
      if (st.isDirectory()) walk(path);
      else if (st.isFile()) out.set(path.slice(dir.length), `${times(path)} ${readFileSync(path).toString('base64')}`);
      else out.set(path.slice(dir.length), `${times(path)} not a regular file`);
    }
  };
  walk(dir);
  return out;
}

/** The entries of `before` and `after` that differ (created, removed, or changed). */
function changed(before: Map<string, string>, after: Map<string, string>): string[] {
  return [...new Set([...before.keys(), ...after.keys()])].filter((f) => before.get(f) !== after.get(f));
}

async function ok(t: Test, cmd: string, stdin?: string): Promise<string> {
  const r = await runKts(cmd, stdin === undefined ? {} : { stdin });
  t.equal(r.code, 0, `${cmd}: ${r.stderr}`);
  return r.stdout;
}

// Several kts processes per test on a loaded machine: more than tap's default.
t.setTimeout(600_000);
const root = t;

let template: Promise<string> | undefined;

/**
 * A data dir with what reads could disturb: two topics, a topic config, producer snapshots,
 * a transaction, a group's commits. Written once per file, each test gets its own copy.
 */
async function populatedDataDir(t: Test): Promise<string> {
  template ??= (async () => {
    const dir = await tempDir(root, 'kts-read-only-template-');
    const dd = `--data-dir ${dir}`;
    await ok(t, `topics --create --topic t --partitions 2 --config retention.ms=86400000 ${dd}`);
    await ok(t, `console-producer --topic t ${dd}`, 'a\nb\nc\n');
    await ok(t, `console-producer --topic t --transactional-id tx ${dd}`, 'd\ne\n');
    await ok(t, `console-consumer --topic t --from-beginning --group g --max-messages 5 ${dd}`);
    return dir;
  })();
  const dir = join(await tempDir(t, 'kts-read-only-'), 'data');
  cpSync(await template, dir, { recursive: true });
  return dir;
}

t.test('commands that only read leave every file of a data dir as it was, the clean-shutdown marker included', async (t) => {
  t.setTimeout(300_000);
  const dir = await populatedDataDir(t);
  const dd = `--data-dir ${dir}`;
  t.ok(existsSync(join(dir, MARKER)), 'the writers closed cleanly');
  const before = files(dir);
  const commands = [
    'topics --list',
    'topics --describe',
    'topics --describe --topic t',
    'console-consumer --topic t --from-beginning --max-messages 5',
    'console-consumer --topic t --from-beginning --max-messages 5 --isolation-level read_committed',
    'get-offsets',
    'get-offsets --topic t --time -2',
    'log-dirs --describe',
    'configs --describe --entity-type topics --entity-name t',
    'configs --describe --entity-type brokers --entity-name 1',
    'consumer-groups --list',
    'consumer-groups --describe --group g',
    'consumer-groups --describe --all-groups --members',
    'transactions list',
  ].map((cmd) => `${cmd} ${dd}`);
  // dump-log reads files, not a data dir.
  commands.push(`dump-log --files ${join(dir, 't-0')} --deep-iteration`, `dump-log --files ${join(dir, 't-1')} --check`);
  for (const cmd of commands) {
    const r = await runKts(cmd);
    t.equal(r.code, 0, `${cmd}: ${r.stderr}`);
    t.same(changed(before, files(dir)), [], `${cmd}: no file created, removed or rewritten, and no entry of the data dir (its mtime and ctime unchanged)`);
  }
});

t.test('a console-consumer left running owns the data dir without an entry in it; a producer writing through it is the first write', async (t) => {
  t.setTimeout(300_000);
  const dir = await populatedDataDir(t);
  const dd = ['--data-dir', dir];
  const before = files(dir);
  const reader = spawn(process.execPath, [KTS_BIN, 'console-consumer', '--topic', 't', '--from-beginning', ...dd], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.teardown(() => {
    if (reader.exitCode === null && reader.signalCode === null) reader.kill('SIGKILL');
  });
  const exited = new Promise<number | null>((resolve) => reader.on('exit', (code) => resolve(code)));
  let out = '';
  let err = '';
  reader.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const waiters: Array<() => void> = [];
  reader.stdout.on('data', (c: Buffer) => {
    out += c.toString();
    for (const wake of waiters.splice(0)) wake();
  });
  const lines = (): string[] => out.split('\n').filter(Boolean);
  const printed = async (n: number): Promise<void> => {
    while (lines().length < n) await new Promise<void>((resolve) => waiters.push(resolve));
  };
  await printed(5);
  t.same(changed(before, files(dir)), [], 'the consumer owns the data dir and has read it: no entry created, mtime and ctime unchanged');

  // Another reader goes through the owner's socket, which is not in the data dir.
  const described = await runKtsProcess(['topics', '--describe', '--topic', 't', ...dd]);
  t.equal(described.code, 0, described.stderr);
  t.match(described.stdout, /Topic: t\tTopicId: \S+\tPartitionCount: 2/);
  t.same(changed(before, files(dir)), [], 'topics --describe beside it changed nothing either');

  // issue 17's scenario: a producer in another terminal writes through the consumer.
  const produced = await runKtsProcess(['console-producer', '--topic', 't', ...dd], { stdin: 'f\n' });
  t.equal(produced.code, 0, produced.stderr);
  await printed(6);
  t.equal(lines()[5], 'f', 'the consumer got the record written through it');
  const lock = JSON.parse(readFileSync(join(dir, '.lock'), 'utf8')) as { pid: number };
  t.equal(lock.pid, reader.pid, 'the write was the first: the owner took the lock then, the producer went through it');
  t.same(readdirSync(dir).filter((name) => !before.has(`/${name}`) && !before.has(`/${name}/`)), ['.lock'], 'the lock is the only new entry: the socket is elsewhere');

  reader.kill('SIGTERM');
  t.equal(await exited, 0, err);
  t.notOk(existsSync(join(dir, '.lock')), 'a graceful stop releases the lock');
});

t.test('a reader holds its data dir without a lock file, and still alone: a server naming it among its log dirs and a detach of its second dir are refused', async (t) => {
  t.setTimeout(300_000);
  const dir = await populatedDataDir(t);
  const disk2 = join(await tempDir(t, 'kts-read-only-disk2-'), 'd');
  const planFile = (name: string, logDir: string): string => {
    const path = join(dir, '..', name);
    writeFileSync(path, JSON.stringify({ version: 1, partitions: [{ topic: 't', partition: 1, replicas: [1], log_dirs: [logDir] }] }));
    return path;
  };
  // The second dir stays attached, empty, once t-1 has moved there and back.
  await ok(t, `reassign --execute --reassignment-json-file ${planFile('there.json', disk2)} --data-dir ${dir}`);
  await ok(t, `reassign --execute --reassignment-json-file ${planFile('back.json', dir)} --data-dir ${dir}`);
  const reader = spawn(process.execPath, [KTS_BIN, 'console-consumer', '--topic', 't', '--from-beginning', '--data-dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.teardown(() => {
    if (reader.exitCode === null && reader.signalCode === null) reader.kill('SIGKILL');
  });
  const exited = new Promise<number | null>((resolve) => reader.on('exit', (code) => resolve(code)));
  let out = '';
  await new Promise<void>((resolve) => {
    reader.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.split('\n').length > 5) resolve();
    });
  });
  t.notOk(existsSync(join(dir, '.lock')), 'the reader owns the data dir without a lock file');
  // A log dir of the same cluster, so that only the reader's hold can refuse the server.
  const other = await tempDir(t, 'kts-read-only-other-');
  writeFileSync(join(other, 'meta.properties'), readFileSync(join(dir, 'meta.properties'), 'utf8').replace(/^directory\.id=.*\n/m, ''));
  const server = await runKtsProcess(['server-start', '--override', `log.dirs=${other},${dir}`, '--override', 'listeners=PLAINTEXT://127.0.0.1:0'], { timeoutMs: 120_000 });
  t.not(server.code, 0, 'a server with the data dir as its second log dir does not start');
  t.match(server.stderr, `log dir ${dir} is locked`);
  const detach = await runKtsProcess(['log-dirs', '--detach-log-dir', disk2, '--data-dir', dir]);
  t.not(detach.code, 0, 'detaching a dir of the data dir while it is open is refused');
  t.match(detach.stderr, `log dir ${dir} is locked`);
  t.notOk(existsSync(join(dir, '.lock')), 'still no lock file');
  reader.kill('SIGTERM');
  t.equal(await exited, 0);
  const detached = await runKtsProcess(['log-dirs', '--detach-log-dir', disk2, '--data-dir', dir]);
  t.equal(detached.code, 0, `once the reader is gone the detach goes through: ${detached.stderr}`);
});

t.test('a data dir spread over two log dirs (kts reassign added the second): reads change no file in either', async (t) => {
  t.setTimeout(300_000);
  const dir = await populatedDataDir(t);
  const disk2 = await tempDir(t, 'kts-read-only-disk2-');
  const plan = join(disk2, '..', `${disk2.split('/').pop()}-plan.json`);
  writeFileSync(plan, JSON.stringify({ version: 1, partitions: [{ topic: 't', partition: 1, replicas: [1], log_dirs: [join(disk2, 'd')] }] }));
  t.teardown(() => rmSync(plan, { force: true }));
  await ok(t, `reassign --execute --reassignment-json-file ${plan} --data-dir ${dir}`);
  const both = (): Map<string, string> => new Map([...files(dir)].concat([...files(join(disk2, 'd'))].map(([k, v]) => [`disk2${k}`, v])));
  const before = both();
  t.ok(before.has('disk2/t-1/00000000000000000000.log'), 't-1 lives in the second dir');
  for (const cmd of ['topics --describe', 'console-consumer --topic t --from-beginning --max-messages 5', 'get-offsets', 'log-dirs --describe']) {
    const r = await runKts(`${cmd} --data-dir ${dir}`);
    t.equal(r.code, 0, `${cmd}: ${r.stderr}`);
    t.same(changed(before, both()), [], `${cmd}: no file or entry of either log dir changed`);
  }
});

t.test("a Kafka 0.10.0 meta.properties (version 0, no cluster.id) is left as it was by reads and completed by the first write", async (t) => {
  t.setTimeout(300_000);
  const dir = await populatedDataDir(t);
  const dd = `--data-dir ${dir}`;
  const old = 'version=0\nbroker.id=1\n';
  writeFileSync(join(dir, 'meta.properties'), old);
  const before = files(dir);
  for (const cmd of ['topics --describe', 'console-consumer --topic t --from-beginning --max-messages 5', 'get-offsets', 'consumer-groups --describe --group g']) {
    const r = await runKts(`${cmd} ${dd}`);
    t.equal(r.code, 0, `${cmd}: ${r.stderr}`);
    t.same(changed(before, files(dir)), [], `${cmd}: no file changed, meta.properties included`);
  }
  await ok(t, `console-producer --topic t ${dd}`, 'f\n');
  t.match(readFileSync(join(dir, 'meta.properties'), 'utf8'), /\nversion=0\nbroker\.id=1\ncluster\.id=[A-Za-z0-9_-]{22}\n$/, 'the first write adds a cluster id, keeping version 0');
});

t.test('a reader killed with SIGKILL leaves the marker true; a writer killed leaves none and the next open recovers', async (t) => {
  t.setTimeout(300_000);
  const dir = await populatedDataDir(t);
  const before = files(dir);
  const endOffsetsSum = async (): Promise<number> => {
    const r = await runKtsProcess(['get-offsets', '--topic', 't', '--data-dir', dir]);
    return r.code !== 0 ? -1 : r.stdout.split('\n').filter(Boolean).reduce((n, l) => n + Number(l.split(':')[2]), 0);
  };
  const written = await endOffsetsSum();
  // A console-consumer without a group owns the data dir and waits for records.
  const reader = spawn(process.execPath, [KTS_BIN, 'console-consumer', '--topic', 't', '--from-beginning', '--data-dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.teardown(() => {
    if (reader.exitCode === null && reader.signalCode === null) reader.kill('SIGKILL');
  });
  const exited = new Promise((resolve) => reader.on('exit', resolve));
  let out = '';
  await new Promise<void>((resolve) => {
    reader.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.split('\n').length > 5) resolve();
    });
  });
  reader.kill('SIGKILL');
  await exited;
  t.same(changed(before, files(dir)), [], 'the dead reader left nothing behind, no lock or socket either; the marker still vouches for untouched files');

  // A writer owning the dir: its first write removes the marker before any log byte changes.
  const writer = spawn(process.execPath, [KTS_BIN, 'console-producer', '--topic', 't', '--data-dir', dir], { stdio: ['pipe', 'pipe', 'pipe'] });
  t.teardown(() => {
    if (writer.exitCode === null && writer.signalCode === null) writer.kill('SIGKILL');
  });
  const writerExited = new Promise((resolve) => writer.on('exit', resolve));
  writer.stdin.write('f\n');
  // Kill it once the record reached the log (the end offsets of t moved past 5), stdin still open.
  while ((await endOffsetsSum()) !== written + 1);
  t.notOk(existsSync(join(dir, MARKER)), 'no marker while a writer has changed the logs');
  writer.kill('SIGKILL');
  await writerExited;
  t.notOk(existsSync(join(dir, MARKER)), 'no marker after the writer was killed');
  const all = await runKtsProcess(['console-consumer', '--topic', 't', '--from-beginning', '--max-messages', '6', '--timeout-ms', '20000', '--data-dir', dir]);
  t.equal(all.code, 0, all.stderr);
  t.same(all.stdout.split('\n').filter(Boolean).sort(), ['a', 'b', 'c', 'd', 'e', 'f'], 'the next open recovered every record');
  t.ok(existsSync(join(dir, MARKER)), 'a clean close after recovery writes the marker again');
});
