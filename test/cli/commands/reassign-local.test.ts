// kts reassign in local mode (no server): a second disk added to a data dir by a plan naming
// it, the move run to completion inside `--execute`, the dir used by every later command and
// by a `kts server-start` on the data dir (kcat and kafkajs read and write there), detaching
// refused while partitions live there; and SIGKILL of the `--execute` process at each step
// of the move: the next command resumes it, nothing is lost, exactly one copy remains.
import t from 'tap';
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import kafkajs from 'kafkajs';
import { KTS_BIN, runKts, runKtsProcess } from '../../helpers/run-kts.js';
import { kcat, needsKcat } from '../../helpers/kcat.js';
import { tempDir } from '../helpers.js';
import { LOG_DIR_MOVE_STEPS } from '../../../src/storage/log-dir-move.js';
import { localSocketPath } from '../../../src/net/local-socket.js';

const { Kafka, logLevel } = kafkajs;

interface DescribedDirs {
  brokers: { broker: number; logDirs: { logDir: string; partitions: { partition: string; isFuture: boolean }[] }[] }[];
}

/** Log dir → partitions (future ones suffixed `(future)`), from `kts log-dirs --describe --json`. */
async function describe(dataDir: string): Promise<Record<string, string[]>> {
  const r = await runKts(`log-dirs --describe --json --data-dir ${dataDir}`);
  if (r.code !== 0) throw new Error(r.stderr);
  const doc = JSON.parse(r.stdout) as DescribedDirs;
  return Object.fromEntries(doc.brokers[0]!.logDirs.map((d) => [d.logDir, d.partitions.map((p) => `${p.partition}${p.isFuture ? ' (future)' : ''}`).sort()]));
}

function plan(root: string, name: string, logDir: string, partition = 0): string {
  writeFileSync(join(root, name), JSON.stringify({ version: 1, partitions: [{ topic: 't', partition, replicas: [1], log_dirs: [logDir] }] }));
  return name;
}

/** Partition and future dirs of `t` in a log dir (what "one copy" is about). */
function copiesIn(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((n) => /^t-\d+(\.[0-9a-f]{32}-future)?$/.test(n)).sort() : [];
}

// Each test's own t.setTimeout (300-600 s) does not extend the file's 120 s (package.json): only the root's does.
t.setTimeout(600_000);

t.test('local mode: kts reassign adds a second disk to the data dir; later commands and kts server-start use it', { skip: needsKcat }, async (t) => {
  t.setTimeout(300_000);
  const root = await tempDir(t);
  const [data, disk2] = [join(root, 'data'), join(root, 'disk2')];
  const local = (cmd: string, stdin?: string) => runKts(`${cmd} --data-dir ${data}`, { cwd: root, stdin });
  t.equal((await local('topics --create --topic t --partitions 2 --config segment.bytes=100000')).code, 0);
  const lines = Array.from({ length: 3000 }, (_, i) => `r${i} ${'x'.repeat(60)}`).join('\n') + '\n';
  for (const p of [0, 1]) t.equal((await local(`console-producer --topic t --partition ${p}`, lines)).code, 0);

  const refusals: [string, string, RegExp][] = [
    ['relative.json', 'disk2', /Log dir disk2 \(for t-0-1\) is not one of broker 1's log dirs .*Log dirs are absolute paths/],
    ['nested.json', join(data, 'inner'), /Failed to move t-0-1 to its log dir .*inner: LOG_DIR_NOT_FOUND.*cannot be added to the data dir: a log dir is an absolute path to a missing or empty directory/],
  ];
  mkdirSync(join(root, 'junk'));
  writeFileSync(join(root, 'junk', 'notes.txt'), 'not a log dir');
  refusals.push(['junk.json', join(root, 'junk'), /Failed to move t-0-1 to its log dir .*junk: LOG_DIR_NOT_FOUND/]);
  const other = join(root, 'other-cluster');
  t.equal((await runKts(`topics --create --topic o --data-dir ${other}`)).code, 0);
  refusals.push(['other.json', other, /Failed to move t-0-1 to its log dir .*other-cluster: INCONSISTENT_CLUSTER_ID.*meta\.properties belongs to another cluster/]);
  for (const [name, dir, message] of refusals) {
    const r = await local(`reassign --execute --reassignment-json-file ${plan(root, name, dir)}`);
    t.equal(r.code, 1, `${name}: refused`);
    t.match(r.stderr, message, `${name}: says why`);
  }
  t.same(Object.keys(await describe(data)), [data], 'no refused dir was added');
  t.same(readdirSync(join(root, 'junk')), ['notes.txt'], 'the non-log dir is left as it was');

  const exec = await local(`reassign --execute --reassignment-json-file ${plan(root, 'move.json', disk2)}`);
  t.equal(exec.code, 0, exec.stderr);
  t.match(exec.stdout, `Successfully started moving log directory to ${disk2} for replica t-0 with broker 1 \n`);
  t.match(exec.stderr, `Log directory moves completed: t-0 is in ${disk2}`, 'the move ran to completion inside --execute');
  t.same(await describe(data), { [data]: ['t-1'], [disk2]: ['t-0'] }, 'kts log-dirs --describe lists both dirs, t-0 in the second');
  t.same(JSON.parse(readFileSync(join(data, 'kts-log-dirs.json'), 'utf8')), { version: 1, logDirs: [disk2] }, 'the second dir is recorded in the data dir');
  t.same([copiesIn(data), copiesIn(disk2)], [['t-1'], ['t-0']], 'one copy of t-0, in the second dir');
  const verify = await local('reassign --verify --reassignment-json-file move.json');
  t.match(verify.stdout, 'Reassignment of replica t-0-1 completed successfully.');

  const alone = await runKts(`topics --list --data-dir ${disk2}`);
  t.equal(alone.code, 1, 'the second dir is not a data dir of its own');
  t.match(alone.stderr, `${disk2} is a log dir of the data dir ${data} (kts reassign added it there), not a data dir of its own`);
  t.match(alone.stderr, `Use --data-dir ${data}`);
  const detach = await runKts(`log-dirs --detach-log-dir ${disk2} --data-dir ${data}`);
  t.equal(detach.code, 1, 'detaching a dir that holds partitions is refused');
  t.match(detach.stderr, `Log dir ${disk2} still holds partitions of ${data}: t-0`);
  t.match(detach.stderr, 'Move them to another log dir first');

  // A broker started on the data dir opens both dirs.
  const server = spawn(process.execPath, [KTS_BIN, 'server-start', '--data-dir', data, '--override', 'listeners=PLAINTEXT://127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let serverErr = '';
  let serverOut = '';
  server.stderr!.on('data', (d: Buffer) => { serverErr += d.toString(); });
  server.stdout!.on('data', (d: Buffer) => { serverOut += d.toString(); });
  const exited = new Promise<number | null>((resolve) => server.on('close', (code) => resolve(code)));
  t.teardown(async () => {
    server.kill('SIGTERM');
    await exited;
  });
  const serverFile = join(data, 'kts-server.json');
  for (let i = 0; i < 600 && !existsSync(serverFile) && server.exitCode === null; i++) await sleep(100);
  t.ok(existsSync(serverFile), `the server started: ${serverErr}`);
  const bootstrap = (JSON.parse(readFileSync(serverFile, 'utf8')) as { listeners: string[] }).listeners[0]!.replace('PLAINTEXT://', '');
  while (!serverOut.includes('\n')) await sleep(25);
  t.match(serverOut, `, log dir ${data},${disk2}, cluster id `, 'the readiness line names both log dirs');
  const brokerConfigs = await runKts(`configs --describe --all --entity-type brokers --entity-name 1 --bootstrap-server ${bootstrap}`);
  t.match(brokerConfigs.stdout, `log.dirs=${data},${disk2} `, 'DescribeConfigs reports both in log.dirs');
  const described = await runKts(`log-dirs --describe --json --bootstrap-server ${bootstrap}`);
  t.same((JSON.parse(described.stdout) as DescribedDirs).brokers[0]!.logDirs.map((d) => [d.logDir, d.partitions.map((p) => p.partition)]), [[data, ['t-1']], [disk2, ['t-0']]], 'the broker reports both log dirs');
  const read = await kcat(['-b', bootstrap, '-C', '-t', 't', '-p', '0', '-e', '-f', '%s\n']);
  t.equal(read.stdout.split('\n').filter((l) => l !== '').length, 3000, `kcat reads every record of t-0 from the second dir: ${read.stderr}`);
  const kafka = new Kafka({ clientId: 'reassign-local', brokers: [bootstrap], logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  for (let i = 0; i < 10; i++) await producer.send({ topic: 't', acks: -1, messages: Array.from({ length: 10 }, (_, j) => ({ partition: 0, value: `late ${i * 10 + j}` })) });
  await producer.disconnect();
  server.kill('SIGTERM');
  t.equal(await exited, 0, 'the server stops cleanly');

  // Back in local mode: t-0 is still in the second dir, with kafkajs's records.
  const consumed = await local('console-consumer --topic t --partition 0 --from-beginning --until-end');
  t.equal(consumed.stdout.split('\n').filter((l) => l !== '').length, 3100, 'local mode reads t-0 with the records kafkajs added through the server');
  const back = await local(`reassign --execute --reassignment-json-file ${plan(root, 'back.json', data)}`);
  t.equal(back.code, 0, back.stderr);
  t.same(await describe(data), { [data]: ['t-0', 't-1'], [disk2]: [] }, 'moved back');
  const detached = await runKts(`log-dirs --detach-log-dir ${disk2} --data-dir ${data}`);
  t.equal(detached.code, 0, detached.stderr);
  t.equal(detached.stdout, `Detached log dir ${disk2} from ${data}; its log dirs are now ${data}\n`);
  t.same(Object.keys(await describe(data)), [data], 'the data dir has one log dir again');
  t.notOk(existsSync(join(disk2, 'kts-log-dirs.json')), 'the detached dir no longer names the data dir');
  const all = await local('console-consumer --topic t --from-beginning --until-end');
  t.equal(all.stdout.split('\n').filter((l) => l !== '').length, 6100, 'every record is there');
});

t.test('local mode: SIGKILL of kts reassign --execute at each step of the move; the next command resumes it, one copy, nothing lost', async (t) => {
  t.setTimeout(600_000);
  const seedRoot = await tempDir(t);
  const seed = join(seedRoot, 'data');
  t.equal((await runKts(`topics --create --topic t --partitions 1 --config segment.bytes=60000 --data-dir ${seed}`)).code, 0);
  const lines = Array.from({ length: 4000 }, (_, i) => `r${i} ${'y'.repeat(50)}`).join('\n') + '\n';
  t.equal((await runKts(`console-producer --topic t --data-dir ${seed}`, { stdin: lines })).code, 0);
  const steps = [...LOG_DIR_MOVE_STEPS];
  // Two children at a time: each is a short node process, and the machine is shared.
  const todo = [...steps];
  const results = new Map<string, { root: string; code: number; stderr: string }>();
  await Promise.all([0, 1].map(async () => {
    for (let step = todo.shift(); step !== undefined; step = todo.shift()) {
      const root = await tempDir(t, 'kts-local-move-');
      cpSync(seed, join(root, 'data'), { recursive: true });
      const r = await runKtsProcess(`reassign --execute --reassignment-json-file ${plan(root, 'move.json', join(root, 'disk2'))} --data-dir ${join(root, 'data')}`, {
        cwd: root,
        env: { KTS_LOG_DIR_MOVE_CRASH_AT: step },
        timeoutMs: 120_000,
      });
      results.set(step, { root, code: r.code, stderr: r.stderr });
    }
  }));
  for (const step of steps) {
    const { root, code, stderr } = results.get(step)!;
    const [data, disk2] = [join(root, 'data'), join(root, 'disk2')];
    t.equal(code, 128, `${step}: the command was killed at the step`);
    t.notMatch(stderr, /Log directory moves completed/, `${step}: before reporting completion`);
    const verify = await runKts(`reassign --verify --wait --reassignment-json-file move.json --data-dir ${data}`, { cwd: root });
    t.equal(verify.code, 0, `${step}: ${verify.stderr}`);
    t.match(verify.stdout, 'Reassignment of replica t-0-1 completed successfully.', `${step}: --verify --wait resumes the move and reports it complete`);
    t.same([copiesIn(data), copiesIn(disk2)], [[], ['t-0']], `${step}: exactly one copy, in the second dir`);
    const consumed = await runKts(`console-consumer --topic t --from-beginning --until-end --data-dir ${data}`);
    t.equal(consumed.stdout, lines, `${step}: every record, once, in order`);
  }
});

t.test('local mode: Ctrl-C during a throttled --execute keeps what was copied; --verify --wait goes on from there', async (t) => {
  t.setTimeout(300_000);
  const root = await tempDir(t);
  const [data, disk2] = [join(root, 'data'), join(root, 'disk2')];
  const local = (cmd: string, opts: Parameters<typeof runKts>[1] = {}) => runKts(`${cmd} --data-dir ${data}`, { cwd: root, ...opts });
  t.equal((await local('topics --create --topic t --partitions 1 --config segment.bytes=50000')).code, 0);
  const lines = Array.from({ length: 3000 }, (_, i) => `r${i} ${'z'.repeat(60)}`).join('\n') + '\n';
  t.equal((await local('console-producer --topic t', { stdin: lines })).code, 0);
  // Interrupted once the future log holds something (a throttled move copies one slice per tick).
  let copying: () => void = () => {};
  const someCopied = new Promise<void>((resolve) => { copying = resolve; });
  const poll = setInterval(() => {
    const future = existsSync(disk2) ? readdirSync(disk2).find((n) => n.endsWith('-future')) : undefined;
    if (future && readdirSync(join(disk2, future)).some((f) => f.endsWith('.log') && readFileSync(join(disk2, future, f)).length > 0)) copying();
  }, 50);
  t.teardown(() => clearInterval(poll));
  const exec = await local(`reassign --execute --reassignment-json-file ${plan(root, 'move.json', disk2)} --replica-alter-log-dirs-throttle 50000`, { interruptWhen: someCopied });
  clearInterval(poll);
  t.equal(exec.code, 0, exec.stderr);
  t.match(exec.stderr, /Interrupted: t-0-1 not moved yet\. The moves start again when .* is next opened; kts reassign --verify --wait --reassignment-json-file move\.json runs them to completion\./);
  const future = readdirSync(disk2).find((n) => n.endsWith('-future'))!;
  const record = JSON.parse(readFileSync(join(disk2, future, 'kts-move-progress.json'), 'utf8')) as { segments: { bytes: number }[] };
  const kept = record.segments.reduce((n, e) => n + e.bytes, 0);
  t.ok(kept > 0, `the stop recorded ${kept} bytes copied`);
  const described = JSON.parse((await local('log-dirs --describe --json')).stdout) as DescribedDirs;
  t.same(described.brokers[0]!.logDirs.map((d) => [d.logDir, d.partitions.map((p) => `${p.partition}${p.isFuture ? ' (future)' : ''}`)]), [[data, ['t-0']], [disk2, ['t-0 (future)']]], 'the next command sees the move in progress');
  const verify = await local('reassign --verify --wait --reassignment-json-file move.json');
  t.equal(verify.code, 0, verify.stderr);
  t.match(verify.stdout, 'Reassignment of replica t-0-1 completed successfully.');
  t.match(verify.stdout, 'Clearing broker-level throttles on broker 1');
  t.same([copiesIn(data), copiesIn(disk2)], [[], ['t-0']], 'one copy, in the second dir');
  t.equal((await local('console-consumer --topic t --from-beginning --until-end')).stdout, lines, 'every record, once, in order');
});

t.test('local mode shared: a console-consumer owns the data dir; kts reassign in another process adds the disk and the owner copies', async (t) => {
  t.setTimeout(300_000);
  const root = await tempDir(t);
  const [data, disk2] = [join(root, 'data'), join(root, 'disk2')];
  t.equal((await runKts(`topics --create --topic t --partitions 1 --config segment.bytes=50000 --data-dir ${data}`)).code, 0);
  const lines = Array.from({ length: 2000 }, (_, i) => `r${i} ${'w'.repeat(60)}`).join('\n') + '\n';
  t.equal((await runKts(`console-producer --topic t --data-dir ${data}`, { stdin: lines })).code, 0);
  const owner = spawn(process.execPath, [KTS_BIN, 'console-consumer', '--topic', 't', '--from-beginning', '--data-dir', data], { env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let seen = '';
  owner.stdout!.on('data', (c: Buffer) => { seen += c.toString(); });
  const exited = new Promise<number | null>((resolve) => owner.on('exit', (code) => resolve(code)));
  t.teardown(() => {
    if (owner.exitCode === null && owner.signalCode === null) owner.kill('SIGKILL');
  });
  const lockPid = (): number | undefined => {
    try {
      return (JSON.parse(readFileSync(join(data, '.lock'), 'utf8')) as { pid?: number }).pid;
    } catch {
      return undefined;
    }
  };
  // The consumer has read everything, so it owns the data dir (without a lock file until its first write).
  while (!(existsSync(localSocketPath(data)) && seen.length === lines.length)) await sleep(25);
  // This process reaches the owner's engine over the data dir's Unix socket.
  const exec = await runKts(`reassign --execute --reassignment-json-file ${plan(root, 'move.json', disk2)} --data-dir ${data}`, { cwd: root });
  t.equal(exec.code, 0, exec.stderr);
  t.match(exec.stderr, `Log directory moves completed: t-0 is in ${disk2}`);
  t.equal(lockPid(), owner.pid, 'the consumer still owns the data dir (it did the copy)');
  t.same(JSON.parse(readFileSync(join(data, 'kts-log-dirs.json'), 'utf8')), { version: 1, logDirs: [disk2] }, 'the owner recorded the new dir');
  t.equal((await runKts(`console-producer --topic t --data-dir ${data}`, { stdin: 'after the move\n' })).code, 0);
  while (!seen.endsWith('after the move\n')) await sleep(25);
  t.equal(seen, `${lines}after the move\n`, 'the running consumer goes on reading, from the moved partition');
  owner.kill('SIGINT');
  t.equal(await exited, 0, 'the owner exits cleanly');
  t.same([copiesIn(data), copiesIn(disk2)], [[], ['t-0']], 'one copy, in the second dir');
});
