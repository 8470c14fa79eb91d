/**
 * Every kts command in remote mode against one broker: each step either works (its output
 * checked) or, on a broker too old for it, refuses naming the Kafka version it needs.
 * Run against Kafka 1.1 (remote-kafka11.test.ts) and a kts broker (remote-kts.test.ts).
 * New commands add a step here.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';
import { spawn } from 'node:child_process';
import { KTS_BIN, runKts, type KtsResult } from '../helpers/run-kts.js';

type Tap = Test;

export interface MatrixTarget {
  /** 'kafka-1.1' answers older API versions and lacks newer APIs. */
  kind: 'kafka-1.1' | 'kts';
  bootstrap: string;
  brokerId: number;
  /** A client properties file (TLS, SASL) every command gets as --command-config. */
  commandConfig?: string;
}

/** What a step must do on an old broker: work, or refuse naming this release. */
type Outcome = 'works' | { refuses: RegExp };

export async function runMatrix(t: Tap, target: MatrixTarget): Promise<void> {
  const old = target.kind === 'kafka-1.1';
  const dir = mkdtempSync(join(tmpdir(), 'kts-matrix-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const b = `--bootstrap-server ${target.bootstrap}${target.commandConfig ? ` --command-config ${target.commandConfig}` : ''}`;
  const kts = (cmd: string, stdin?: string): Promise<KtsResult> => runKts(`${cmd} ${b}`, { cwd: dir, stdin });
  /** Runs a step; a refusal must exit 1 and name the version. Returns the result when it worked. */
  const step = async (tt: Tap, cmd: string, outcome: Outcome, stdin?: string): Promise<KtsResult | null> => {
    const r = await kts(cmd, stdin);
    if (outcome === 'works') {
      tt.equal(r.code, 0, `${cmd}: exit 0 (stderr: ${r.stderr.trim()})`);
      tt.ok(!/Cannot read properties|undefined/.test(r.stderr), `${cmd}: no crash`);
      return r;
    }
    tt.equal(r.code, 1, `${cmd}: refused with exit 1`);
    tt.match(r.stderr, outcome.refuses, `${cmd}: names the version it needs`);
    return null;
  };
  const newer = (release: string, kafka11: Outcome = { refuses: new RegExp(`needs Kafka ${release.replace('.', '\\.')} or newer`) }): Outcome =>
    old ? kafka11 : 'works';

  await t.test('topics', async (t) => {
    const created = await step(t, 'topics --create --topic m1 --partitions 2', 'works');
    t.match(created?.stdout, 'Created topic m1.');
    await step(t, 'topics --create --topic m2 --partitions 1 --replication-factor 1 --config retention.ms=100000', 'works');
    const list = await step(t, 'topics --list', 'works');
    t.match(list?.stdout, /^m1$/m);
    const described = await step(t, 'topics --describe --topic m1 --json', 'works');
    const [view] = JSON.parse(described?.stdout ?? '[]') as { topicId: string | null; partitionCount: number; replicationFactor: number }[];
    t.equal(view?.partitionCount, 2);
    t.equal(view?.replicationFactor, 1, 'the broker default replication factor was applied');
    if (old) t.equal(view?.topicId, null, 'no topic ids before Kafka 2.8: null, not all zeros');
    else t.match(view?.topicId, /^[A-Za-z0-9_-]{22}$/);
    const text = await step(t, 'topics --describe --topic m1', 'works');
    t.equal(/TopicId/.test(text?.stdout ?? ''), !old);
    await step(t, 'topics --alter --topic m1 --partitions 3', 'works');
  });

  await t.test('configs', async (t) => {
    await step(t, 'configs --alter --entity-type topics --entity-name m2 --add-config retention.ms=5000,cleanup.policy=compact', 'works');
    await step(t, 'configs --alter --entity-type topics --entity-name m2 --delete-config cleanup.policy', 'works');
    const topic = await step(t, 'configs --describe --entity-type topics --entity-name m2', 'works');
    t.match(topic?.stdout, 'retention.ms=5000');
    t.notMatch(topic?.stdout, 'cleanup.policy=compact');
    await step(t, `configs --describe --entity-type brokers --entity-name ${target.brokerId}`, 'works');
  });

  await t.test('console producer and consumer, without and with a group', async (t) => {
    await step(t, 'console-producer --topic m1 --property parse.key=true', 'works', 'a\t1\nb\t2\nc\t3\nd\t4\n');
    const plain = await step(t, 'console-consumer --topic m1 --from-beginning --max-messages 4 --timeout-ms 30000', 'works');
    t.same(plain?.stdout.trim().split('\n').sort(), ['1', '2', '3', '4']);
    const grouped = await step(t, 'console-consumer --topic m1 --group mg --from-beginning --max-messages 4 --timeout-ms 30000', 'works');
    t.same(grouped?.stdout.trim().split('\n').sort(), ['1', '2', '3', '4']);
    await step(t, 'console-producer --topic m1 --transactional-id mtx', 'works', 'x\ny\n');
    const committed = await step(t, 'console-consumer --topic m1 --from-beginning --max-messages 6 --isolation-level read_committed --timeout-ms 30000', 'works');
    t.equal(committed?.stdout.trim().split('\n').length, 6);
  });

  await t.test('consumer-groups', async (t) => {
    const list = await step(t, 'consumer-groups --list', 'works');
    t.match(list?.stdout, /^mg$/m);
    const describe = await step(t, 'consumer-groups --describe --group mg', 'works');
    t.match(describe?.stdout, /mg\s+m1\s+\d/);
    await step(t, 'consumer-groups --reset-offsets --group mg --topic m1 --to-earliest --execute', 'works');
    await step(t, 'consumer-groups --delete-offsets --group mg --topic m1', newer('2.4'));
    await step(t, 'consumer-groups --delete --group mg', 'works');
  });

  await t.test('get-offsets, delete-records, log-dirs', async (t) => {
    const latest = await step(t, 'get-offsets --topic m1', 'works');
    const total = (latest?.stdout.trim().split('\n') ?? []).reduce((n, line) => n + Number(line.split(':')[2]), 0);
    t.ok(total >= 6, `get-offsets sums the log end offsets (${total})`);
    await step(t, 'get-offsets --topic m1 --time -2', 'works');
    const missing = await kts('get-offsets --topic no-such-topic');
    t.equal(missing.code, 1, 'an unknown topic exits 1');
    t.match(missing.stderr, 'Could not match any topic-partitions');
    const file = join(dir, 'delete.json');
    writeFileSync(file, JSON.stringify({ version: 1, partitions: [{ topic: 'm2', partition: 0, offset: 0 }] }));
    await step(t, `delete-records --offset-json-file ${file}`, 'works');
    const dirs = await step(t, `log-dirs --describe --broker-list ${target.brokerId} --topic-list m1`, 'works');
    t.match(dirs?.stdout, '"partition":"m1-0"');
  });

  await t.test('replica tools', async (t) => {
    const versions = await step(t, 'broker-api-versions', 'works');
    t.match(versions?.stdout, new RegExp(`\\(id: ${target.brokerId} rack: null\\) -> \\(\\n\\tProduce\\(0\\): \\d+ to \\d+ \\[usable: \\d+\\],`));
    const elected = await step(t, 'leader-election --election-type preferred --topic m1 --partition 0', newer('2.2'));
    if (!old) t.match(elected?.stdout, 'Valid replica already elected for partitions m1-0');
    await step(t, 'reassign --list', newer('2.4'));
    const plan = join(dir, 'plan.json');
    writeFileSync(plan, JSON.stringify({ version: 1, partitions: [{ topic: 'm1', partition: 0, replicas: [target.brokerId] }] }));
    const verified = await step(t, `reassign --verify --reassignment-json-file ${plan} --preserve-throttles`, 'works');
    t.match(verified?.stdout, 'Reassignment of partition m1-0 is completed.');
  });

  await t.test('transactions', async (t) => {
    await step(t, 'transactions list', newer('3.0'));
    await step(t, 'transactions describe --transactional-id mtx', newer('3.0'));
    await step(t, 'transactions describe-producers --topic m1 --partition 0', newer('3.0'));
  });

  await t.test('perf tools', async (t) => {
    const produced = await step(t, 'producer-perf-test --topic m2 --num-records 200 --record-size 20 --throughput -1', 'works');
    t.match(produced?.stdout, '200 records sent');
    const consumed = await step(t, 'consumer-perf-test --topic m2 --messages 100', 'works');
    t.match(consumed?.stdout, 'data.consumed.in.nMsg');
    const latency = await runKts(['e2e-latency', target.bootstrap, 'm2', '20', '1', '10', ...(target.commandConfig ? [target.commandConfig] : [])], { cwd: dir });
    t.equal(latency.code, 0, `e2e-latency: ${latency.stderr}`);
    t.match(latency.stdout, 'Avg latency');
  });

  await t.test('acls, replica-verification', async (t) => {
    // Without an authorizer on the broker Kafka answers SECURITY_DISABLED: said as such.
    const acls = await kts('acls --list');
    t.ok(acls.code === 0 || /No Authorizer is configured/.test(acls.stderr), `acls --list works or says the broker has no authorizer: ${acls.stderr.trim()}`);
    t.ok(!/Cannot read properties|undefined/.test(acls.stderr), 'acls --list: no crash');
    const verified = await step(t, 'replica-verification --topics-include m1 --time -2 --once', 'works');
    t.match(verified?.stdout, /max lag is 0 for partition/);
  });

  await t.test('ui (its HTTP API, read-only)', async (t) => {
    const history = join(dir, 'ui-history');
    const extra = target.commandConfig ? ['--command-config', target.commandConfig] : [];
    const child = spawn(process.execPath, [KTS_BIN, 'ui', '--bootstrap-server', target.bootstrap, '--listen', '127.0.0.1:0', '--read-only', '--history-dir', history, ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    t.teardown(async () => {
      child.kill('SIGINT');
      await exited;
    });
    let out = '';
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /kts ui serving (http:\/\/\S+\/) /.exec(out);
        if (m) resolve(m[1]!);
      });
      void exited.then(() => reject(new Error(`kts ui exited: ${out}`)));
    });
    const get = async (path: string): Promise<{ status: number; body: unknown }> => {
      const res = await fetch(new URL(path, url));
      return { status: res.status, body: (await res.json()) as unknown };
    };
    for (const path of ['api/overview', 'api/brokers', 'api/topics', 'api/topics/m1', 'api/groups', 'api/alerts']) {
      const r = await get(path);
      t.equal(r.status, 200, `GET /${path}: ${JSON.stringify(r.body).slice(0, 300)}`);
    }
    const topics = (await get('api/topics')).body as { name?: string; topic?: string }[];
    t.ok(topics.some((x) => (x.name ?? x.topic) === 'm1'), 'the topics page lists m1');
    const reassignments = await get('api/reassignments');
    if (old) t.match(JSON.stringify(reassignments.body), /needs Kafka 2\.4 or newer/, 'reassignments: names the release it needs');
    else t.equal(reassignments.status, 200);
  });

  await t.test('topics --delete', async (t) => {
    await step(t, 'topics --delete --topic m2', 'works');
  });
}
