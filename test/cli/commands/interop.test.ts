// Interop with real clients over TCP: kafkajs produces what kts console-consumer reads;
// kcat (librdkafka) reads what kts console-producer wrote.
import t from 'tap';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { runKts } from '../../helpers/run-kts.js';
import { startCliBroker } from '../helpers.js';

const execFileP = promisify(execFile);

t.test('kafkajs produces what kts console-consumer reads', async (t) => {
  const b = await startCliBroker(t);
  await runKts(`topics --create --topic interop --bootstrap-server ${b.bootstrap}`);
  const kafka = new Kafka({ brokers: [b.bootstrap], clientId: 'kts-cli-test', logLevel: logLevel.NOTHING });
  const producer = kafka.producer();
  await producer.connect();
  t.teardown(() => producer.disconnect());
  await producer.send({ topic: 'interop', messages: [{ key: 'a', value: 'from kafkajs', headers: { h: 'v' } }, { key: null, value: 'second' }] });
  const r = await runKts(`console-consumer --topic interop --from-beginning --until-end --property print.key=true --property print.headers=true --bootstrap-server ${b.bootstrap}`);
  t.equal(r.code, 0, r.stderr);
  t.equal(r.stdout, 'h:v\ta\tfrom kafkajs\nNO_HEADERS\tnull\tsecond\n');
});

const hasKcat = spawnSync('sh', ['-c', 'command -v kcat']).status === 0;
t.test('kcat reads what kts console-producer wrote', { skip: hasKcat ? false : 'kcat not installed' }, async (t) => {
  const b = await startCliBroker(t);
  await runKts(`topics --create --topic tokcat --bootstrap-server ${b.bootstrap}`);
  const p = await runKts(`console-producer --topic tokcat --property parse.key=true --bootstrap-server ${b.bootstrap}`, { stdin: 'k1\tv1\nk2\tv2\n' });
  t.equal(p.code, 0, p.stderr);
  // Asynchronously: the broker runs in this process and must keep answering.
  const r = await execFileP('kcat', ['-C', '-b', b.bootstrap, '-t', 'tokcat', '-p', '0', '-o', 'beginning', '-e', '-q', '-f', '%k=%s\\n'], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  t.equal(r.stderr, '');
  t.equal(r.stdout, 'k1=v1\nk2=v2\n');
});
