// A `kts server-start` with two log dirs, moving a partition between them while kafkajs
// writes to it with acks=all, SIGKILLed at each step of the move (KTS_LOG_DIR_MOVE_CRASH_AT):
// after a restart the move completes, every acknowledged record is there once, and exactly
// one copy of the partition remains. Real broker processes, kafkajs, kcat.
import t, { type Test } from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import kafkajs from 'kafkajs';
import { KTS_BIN, runKts } from '../helpers/run-kts.js';
import { kcat, needsKcat } from '../helpers/kcat.js';
import { tempDir } from '../cli/helpers.js';
import { LOG_DIR_MOVE_STEPS, MOVE_PROGRESS_FILE, parseFutureDirName } from '../../src/storage/log-dir-move.js';

const { Kafka, logLevel } = kafkajs;

interface Server {
  child: ChildProcess;
  bootstrap: string;
  exited: Promise<number | null>;
  /** What the broker printed so far (stdout and stderr). */
  output(): string;
}

/** Start `kts server-start` on log dirs `a,b`; resolves once it serves (its kts-server.json names its pid). */
async function startServer(t: Test, a: string, b: string, crashAt = ''): Promise<Server> {
  const child = spawn(process.execPath, [KTS_BIN, 'server-start', '--override', 'listeners=PLAINTEXT://127.0.0.1:0', '--override', `log.dirs=${a},${b}`], {
    env: { ...process.env, KTS_LOG_DIR_MOVE_CRASH_AT: crashAt },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
  child.stdout!.on('data', (d: Buffer) => { err += d.toString(); });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const file = join(a, 'kts-server.json');
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`kts server-start exited: ${err}`);
    try {
      const info = JSON.parse(readFileSync(file, 'utf8')) as { pid: number; listeners: string[] };
      if (info.pid === child.pid) return { child, bootstrap: info.listeners[0]!.replace('PLAINTEXT://', ''), exited, output: () => err };
    } catch {
      // Not written yet (or the killed server's, being replaced).
    }
    await sleep(50);
  }
}

// Each test's own t.setTimeout(600_000) does not extend the file's 120 s (package.json): only the root's does.
t.setTimeout(600_000);

t.test('SIGKILL of a broker at each step of a log-dir move under acks=all writes: nothing lost, one copy', { skip: needsKcat }, async (t) => {
  t.setTimeout(600_000);
  const seedRoot = await tempDir(t);
  const seed = join(seedRoot, 'a');
  t.equal((await runKts(`topics --create --topic m --partitions 1 --config segment.bytes=40000 --data-dir ${seed}`)).code, 0);
  const seeded = Array.from({ length: 2000 }, (_, i) => `seed-${i} ${'s'.repeat(60)}`);
  t.equal((await runKts(`console-producer --topic m --data-dir ${seed}`, { stdin: `${seeded.join('\n')}\n` })).code, 0);

  for (const step of LOG_DIR_MOVE_STEPS) {
    const root = await tempDir(t, 'kts-move-kill-');
    const [a, b] = [join(root, 'a'), join(root, 'b')];
    cpSync(seed, a, { recursive: true });
    const server = await startServer(t, a, b, step);
    const kafka = new Kafka({ clientId: `move-kill-${step}`, brokers: [server.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 } });
    const producer = kafka.producer({ allowAutoTopicCreation: false, maxInFlightRequests: 1 });
    await producer.connect();
    const acked: string[] = [];
    let writing = true;
    const writer = (async () => {
      for (let i = 0; writing; i++) {
        const batch = Array.from({ length: 20 }, (_, j) => `${step}-${i * 20 + j}`);
        try {
          await producer.send({ topic: 'm', acks: -1, messages: batch.map((value) => ({ value })) });
          acked.push(...batch);
        } catch {
          return; // The broker died: what was not acknowledged is not checked.
        }
      }
    })();
    while (acked.length < 100) await sleep(10);
    writeFileSync(join(root, 'move.json'), JSON.stringify({ version: 1, partitions: [{ topic: 'm', partition: 0, replicas: [1], log_dirs: [b] }] }));
    // The broker may die before it answers: the move was asked for either way.
    await runKts(`reassign --execute --reassignment-json-file move.json --bootstrap-server ${server.bootstrap} --command-property default.api.timeout.ms=5000`, { cwd: root }).catch(() => undefined);
    t.equal(await server.exited, null, `${step}: the broker was killed at the step`);
    writing = false;
    await writer;
    await producer.disconnect().catch(() => undefined);

    const again = await startServer(t, a, b);
    const verify = await runKts(`reassign --verify --wait --reassignment-json-file move.json --bootstrap-server ${again.bootstrap}`, { cwd: root });
    t.match(verify.stdout, 'Reassignment of replica m-0-1 completed successfully.', `${step}: after the restart the move completes`);
    const copies = [a, b].map((d) => (existsSync(d) ? readdirSync(d).filter((n) => /^m-0(\.[0-9a-f]{32}-future)?$/.test(n)) : []));
    t.same(copies, [[], ['m-0']], `${step}: exactly one copy, in the target dir`);
    const read = await kcat(['-b', again.bootstrap, '-C', '-t', 'm', '-e', '-q', '-f', '%s\n'], undefined, 60_000);
    const values = read.stdout.split('\n').filter((l) => l !== '');
    t.same(values.slice(0, seeded.length), seeded.map((s) => s), `${step}: the records from before the move, in order`);
    const counts = new Map<string, number>();
    for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
    t.same(acked.filter((v) => counts.get(v) !== 1), [], `${step}: each of the ${acked.length} records acknowledged during the move is there exactly once`);
    again.child.kill('SIGTERM');
    t.equal(await again.exited, 0, `${step}: the restarted broker stops cleanly`);
  }
});

/** The segments of the partition dir `dir`, concatenated in offset order. */
function segmentBytes(dir: string): Buffer {
  return Buffer.concat(readdirSync(dir).filter((f) => f.endsWith('.log')).sort().map((f) => readFileSync(join(dir, f))));
}

/** The progress record of the move of m-0 into `dir`, once one names at least `segments` segments. */
async function progressRecord(dir: string, segments: number, server: Server): Promise<{ futureDir: string; recorded: { baseOffset: number; bytes: number }[] }> {
  for (;;) {
    const name = existsSync(dir) ? readdirSync(dir).find((n) => parseFutureDirName(n)?.[0] === 'm') : undefined;
    if (name === undefined && existsSync(join(dir, 'm-0'))) throw new Error(`the move finished before ${segments} segments were seen recorded:\n${server.output()}`);
    if (server.child.exitCode !== null) throw new Error(`the broker exited:\n${server.output()}`);
    try {
      const doc = JSON.parse(readFileSync(join(dir, name ?? '', MOVE_PROGRESS_FILE), 'utf8')) as { segments: { baseOffset: number; bytes: number }[] };
      if (doc.segments.length >= segments) return { futureDir: join(dir, name!), recorded: doc.segments };
    } catch {
      // No record yet, or being replaced: look again.
    }
    await sleep(20);
  }
}

t.test('a throttled log-dir move in a broker SIGKILLed mid-copy goes on from its progress record after the restart', { skip: needsKcat }, async (t) => {
  t.setTimeout(600_000);
  const root = await tempDir(t, 'kts-move-resume-');
  const [a, b] = [join(root, 'a'), join(root, 'b')];
  t.equal((await runKts(`topics --create --topic m --partitions 1 --config segment.bytes=100000 --data-dir ${a}`)).code, 0);
  const seeded = Array.from({ length: 3000 }, (_, i) => `seed-${i} ${'s'.repeat(500)}`);
  t.equal((await runKts(`console-producer --topic m --data-dir ${a}`, { stdin: `${seeded.join('\n')}\n` })).code, 0);
  const server = await startServer(t, a, b);
  t.teardown(() => {
    if (t.passing()) return;
    t.comment(`broker output:\n${server.output()}`);
  });
  writeFileSync(join(root, 'move.json'), JSON.stringify({ version: 1, partitions: [{ topic: 'm', partition: 0, replicas: [1], log_dirs: [b] }] }));
  // About 1.6 MB at 100,000 B/s: the copy takes at least 16 s, in 50 ms slices (a tick's
  // credit is capped, so a starved broker copies slower, never in a burst).
  const execute = await runKts(`reassign --execute --reassignment-json-file move.json --replica-alter-log-dirs-throttle 100000 --bootstrap-server ${server.bootstrap}`, { cwd: root });
  t.equal(execute.code, 0, `reassign --execute starts the move: ${execute.stderr}`);
  // Records written while the copy runs, acknowledged by the ISR (acks=-1).
  const kafka = new Kafka({ clientId: 'move-resume', brokers: [server.bootstrap], logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ allowAutoTopicCreation: false, idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const acked: string[] = [];
  for (let i = 0; i < 10; i++) {
    const batch = Array.from({ length: 20 }, (_, j) => `during-${i * 20 + j}`);
    await producer.send({ topic: 'm', acks: -1, messages: batch.map((value) => ({ value })) });
    acked.push(...batch);
  }
  await producer.disconnect();
  const { futureDir, recorded } = await progressRecord(b, 2, server);
  const firstCopy = join(futureDir, `${String(recorded[0]!.baseOffset).padStart(20, '0')}.log`);
  const firstInode = statSync(firstCopy).ino;
  server.child.kill('SIGKILL');
  t.equal(await server.exited, null, 'the broker was killed mid-copy');
  t.ok(existsSync(join(a, 'm-0')) && existsSync(futureDir), 'the partition in its dir, its future log beside it');
  const source = segmentBytes(join(a, 'm-0'));

  const again = await startServer(t, a, b);
  // The rest unthrottled: whole segments copied off the event loop, after the kept ones.
  const unthrottle = await runKts(`configs --alter --entity-type brokers --entity-name 1 --delete-config replica.alter.log.dirs.io.max.bytes.per.second --bootstrap-server ${again.bootstrap}`);
  t.equal(unthrottle.code, 0, `the throttle is lifted: ${unthrottle.stderr}`);
  const verify = await runKts(`reassign --verify --wait --reassignment-json-file move.json --bootstrap-server ${again.bootstrap}`, { cwd: root });
  t.match(verify.stdout, 'Reassignment of replica m-0-1 completed successfully.', 'after the restart the move completes');
  const kept = /m-0: resuming the move to \S+ \((\d+) bytes copied before the stop or crash are kept\)/.exec(again.output());
  t.ok(kept !== null && Number(kept[1]) >= recorded.reduce((n, e) => n + e.bytes, 0), `the copy went on from the record, not from the start (${kept?.[1] ?? 'no'} bytes kept)`);
  t.equal(statSync(join(b, 'm-0', basename(firstCopy))).ino, firstInode, 'the first recorded segment was not copied again');
  t.same([existsSync(join(a, 'm-0')), readdirSync(b).filter((n) => parseFutureDirName(n) !== undefined)], [false, []], 'one copy, in the target dir');
  t.ok(segmentBytes(join(b, 'm-0')).equals(source), 'the moved partition is byte-identical to the log the killed broker left');
  const read = await kcat(['-b', again.bootstrap, '-C', '-t', 'm', '-e', '-q', '-f', '%s\n'], undefined, 60_000);
  t.same(read.stdout.split('\n').filter((l) => l !== ''), [...seeded, ...acked], 'every record once, in order: none lost, none duplicated');
  again.child.kill('SIGTERM');
  t.equal(await again.exited, 0, 'the restarted broker stops cleanly');
});
