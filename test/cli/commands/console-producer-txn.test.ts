// console-producer --transactional-id against a real kts broker: input committed as one
// transaction at end of input; Ctrl-C or a bad line aborts it (exit 1), and a
// read_committed console-consumer sees exactly the committed records.
import t from 'tap';
import { PassThrough } from 'node:stream';
import { runKts } from '../../helpers/run-kts.js';
import { openClient } from '../../../src/client/index.js';
import { startCliBroker } from '../helpers.js';

const OVERRIDES = ['transaction.state.log.num.partitions=1'];

async function readCommitted(bs: string, topic: string): Promise<string> {
  // A plain record after the transactions: read_committed reaching it has seen everything before.
  await runKts(`console-producer --topic ${topic} ${bs}`, { stdin: 'end\n' });
  const c = await runKts(`console-consumer --topic ${topic} --from-beginning --until-end --isolation-level read_committed ${bs}`);
  return c.stdout;
}

t.test('committed at end of input; a bad line aborts with exit 1', async (t) => {
  const b = await startCliBroker(t, OVERRIDES);
  const bs = `--bootstrap-server ${b.bootstrap}`;
  t.equal((await runKts(`topics --create --topic t --partitions 2 ${bs}`)).code, 0);
  const ok = await runKts(`console-producer --topic t --transactional-id cp-1 --property parse.key=true ${bs}`, { stdin: 'a\t1\nb\t2\nc\t3\n' });
  t.equal(ok.code, 0, ok.stderr);
  const bad = await runKts(`console-producer --topic t --transactional-id cp-1 --property parse.key=true ${bs}`, { stdin: 'x\t1\nno-separator\ny\t2\n' });
  t.equal(bad.code, 1);
  t.match(bad.stderr, /transaction aborted \(1 records did not parse/);
  const out = await readCommitted(bs, 't');
  t.same(out.split('\n').filter((l) => l !== '').sort(), ['1', '2', '3', 'end']);
});

t.test('Ctrl-C aborts the open transaction', async (t) => {
  const b = await startCliBroker(t, OVERRIDES);
  const bs = `--bootstrap-server ${b.bootstrap}`;
  t.equal((await runKts(`topics --create --topic i --partitions 1 ${bs}`)).code, 0);
  const stdin = new PassThrough();
  stdin.write('u1\nu2\n');
  // Interrupt once both records are in the log (read_uncommitted sees them): stdin stays open.
  const client = await openClient({ bootstrapServer: b.bootstrap, config: { 'auto.offset.reset': 'earliest' } });
  t.teardown(() => client.close());
  const seen = (async () => {
    const consumer = client.consumer();
    consumer.assign([{ topic: 'i', partition: 0 }]);
    let n = 0;
    while (n < 2) n += (await consumer.poll(200)).length;
  })();
  const r = await runKts(`console-producer --topic i --transactional-id cp-2 --timeout 0 ${bs}`, { stdin, interruptWhen: seen });
  stdin.end();
  t.equal(r.code, 1);
  t.match(r.stderr, /transaction aborted \(interrupted\)/);
  t.equal(await readCommitted(bs, 'i'), 'end\n', 'nothing of the aborted transaction is visible');
});

t.test('--transactional-id needs idempotence', async (t) => {
  const b = await startCliBroker(t, OVERRIDES);
  const bs = `--bootstrap-server ${b.bootstrap}`;
  await runKts(`topics --create --topic n ${bs}`);
  const r = await runKts(`console-producer --topic n --transactional-id x --request-required-acks 1 ${bs}`, { stdin: 'a\n' });
  t.equal(r.code, 2, r.stderr);
  t.match(r.stderr, /requires idempotence/);
});
