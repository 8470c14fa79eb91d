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
 * Every entry under `dir` with its modification time, and a file's bytes: sockets (`kts.sock`)
 * and lock files count, so one left behind shows; directories count by their files.
 */
function files(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      const st = statSync(path);
      if (st.isDirectory()) walk(path);
      else if (st.isFile()) out.set(path.slice(dir.length), `${st.mtimeMs} ${readFileSync(path).toString('base64')}`);
      else out.set(path.slice(dir.length), `${st.mtimeMs} not a regular file`);
    }
  };
  walk(dir);
  return out;
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
    const after = files(dir);
    const changed = [...new Set([...before.keys(), ...after.keys()])].filter((f) => before.get(f) !== after.get(f));
    t.same(changed, [], `${cmd}: no file created, removed or rewritten`);
    t.notOk(existsSync(join(dir, '.lock')) || existsSync(join(dir, 'kts.sock')), `${cmd}: no .lock or kts.sock left behind`);
  }
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
    const after = both();
    t.same([...new Set([...before.keys(), ...after.keys()])].filter((f) => before.get(f) !== after.get(f)), [], `${cmd}: no file of either log dir changed`);
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
    const after = files(dir);
    t.same([...new Set([...before.keys(), ...after.keys()])].filter((f) => before.get(f) !== after.get(f)), [], `${cmd}: no file changed, meta.properties included`);
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
  const after = files(dir);
  after.delete('/.lock');
  after.delete('/kts.sock');
  t.same(after, before, 'only the dead reader\'s lock and socket are left; the marker still vouches for untouched files');

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
