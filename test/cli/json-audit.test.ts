// The --json audit (issue 17): every command that prints data has --json; a command that
// answers once prints one compact JSON document, a command that streams prints one document
// per line; with --json a failure is one JSON document on stderr and a non-zero exit.
import t, { type Test } from 'tap';
import { commands } from '../../src/cli/registry.js';
import { runKts } from '../helpers/run-kts.js';
import { startCliBroker, tempDir } from './helpers.js';

/** Commands that print no data (they run a process, or a web server); the reason is the value. */
const NO_DATA: Record<string, string> = {
  'server-start': 'runs a broker; prints only its readiness line',
  'server-stop': 'signals a broker',
  'zookeeper-start': 'runs ZooKeeper',
  'zookeeper-stop': 'signals ZooKeeper',
  ui: 'serves a web console',
};

t.test('every command that prints data has --json', async (t) => {
  for (const c of commands) {
    if (NO_DATA[c.name] !== undefined) t.notOk('json' in c.options, `${c.name}: ${NO_DATA[c.name]}, so no --json`);
    else t.ok('json' in c.options, `${c.name} has --json`);
  }
});

/** Every line of `text` is one compact JSON document; returns them. */
function documents(t: Test, text: string, what: string): unknown[] {
  const lines = text.split('\n').filter((l) => l !== '');
  return lines.map((line) => {
    const doc: unknown = JSON.parse(line);
    t.equal(line, JSON.stringify(doc), `${what}: compact`);
    return doc;
  });
}

t.test('one document per answer, one per line for streams, numbers as numbers', async (t) => {
  const dir = await tempDir(t);
  const dd = `--data-dir ${dir}`;
  t.equal((await runKts(`topics --create --topic j --partitions 2 ${dd}`)).code, 0);
  t.equal((await runKts(`console-producer --topic j --partition 0 ${dd}`, { stdin: 'a\nb\n' })).code, 0);
  const single = [
    'topics --list',
    'topics --describe --topic j',
    'get-offsets --topic j',
    'consumer-groups --list',
    'configs --describe --entity-type topics --entity-name j',
    'log-dirs --describe',
    'transactions list',
    'e2e-latency local lat 3 all 10',
  ];
  for (const cmd of [...single.map((c) => `${c} ${dd}`), 'version']) {
    const r = await runKts(`${cmd} --json`);
    t.equal(r.code, 0, `${cmd}: ${r.stderr}`);
    t.equal(documents(t, r.stdout, cmd).length, 1, `${cmd}: one document`);
  }
  const offsets = documents(t, (await runKts(`get-offsets --topic j ${dd} --json`)).stdout, 'get-offsets')[0];
  t.same(offsets, [{ topic: 'j', partition: 0, offset: 2 }, { topic: 'j', partition: 1, offset: 0 }]);
  const latency = documents(t, (await runKts(`e2e-latency local lat 3 all 10 ${dd} --json`)).stdout, 'e2e-latency')[0] as { records: number; latencyMs: Record<string, unknown> };
  t.equal(latency.records, 3);
  t.type(latency.latencyMs.p99Ms, 'number');

  const consumed = await runKts(`console-consumer --topic j --partition 0 --offset earliest --max-messages 2 ${dd} --json`);
  t.same(documents(t, consumed.stdout, 'console-consumer').map((d) => (d as { value: string }).value), ['a', 'b']);
});

t.test('replica-verification --json: one document per report line', async (t) => {
  const b = await startCliBroker(t);
  const bs = `--bootstrap-server ${b.bootstrap}`;
  t.equal((await runKts(`topics --create --topic rv --partitions 1 ${bs}`)).code, 0);
  t.equal((await runKts(`console-producer --topic rv ${bs}`, { stdin: 'x\ny\n' })).code, 0);
  const r = await runKts(`replica-verification ${bs} --topics-include rv --time -2 --once --json`);
  t.equal(r.code, 0, r.stderr);
  const docs = documents(t, r.stdout, 'replica-verification') as { event: string; time: string }[];
  t.same(docs.map((d) => d.event), ['started', 'max-lag']);
  t.match(docs[1], { event: 'max-lag', maxLag: 0, topic: 'rv', partition: 0, offset: 2, partitions: 1 });
});

t.test('with --json a failure is one JSON document on stderr', async (t) => {
  const dir = await tempDir(t);
  const dd = `--data-dir ${dir}`;
  t.equal((await runKts(`topics --create --topic j ${dd}`)).code, 0);
  const failing = [
    'topics --describe --topic missing',
    'get-offsets --topic missing',
    'configs --describe --entity-type topics --entity-name missing',
    'e2e-latency local lat 0 all 10',
    'topics --crete --topic x',
  ];
  for (const cmd of failing) {
    const r = await runKts(`${cmd} ${dd} --json`);
    t.not(r.code, 0, `${cmd} fails`);
    t.equal(r.stdout, '', `${cmd}: nothing on stdout`);
    const docs = documents(t, r.stderr, cmd) as { error?: { code?: unknown; message?: unknown } }[];
    t.equal(docs.length, 1, `${cmd}: one document`);
    t.type(docs[0]?.error?.code, 'string', `${cmd}: error code`);
    t.type(docs[0]?.error?.message, 'string', `${cmd}: error message`);
  }
});
