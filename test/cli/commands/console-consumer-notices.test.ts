// What the console consumer says instead of failing or jumping silently: a topic that
// does not exist yet is waited for (as Kafka's consumer retries metadata), and an --offset
// out of range is reported on stderr before auto.offset.reset applies.
import t from 'tap';
import { runKts } from '../../helpers/run-kts.js';
import { startCliBroker } from '../helpers.js';

t.test('a missing topic is waited for until it is created', async (t) => {
  const b = await startCliBroker(t);
  const bs = `--bootstrap-server ${b.bootstrap}`;
  let resolveSaid!: () => void;
  const said = new Promise<void>((r) => (resolveSaid = r));
  const consumer = runKts(`console-consumer --topic later --from-beginning --max-messages 1 --timeout-ms 30000 ${bs}`, {
    onStderr: (text) => {
      if (text.includes('does not exist (yet)')) resolveSaid();
    },
  });
  // Create the topic only once the consumer says it is waiting for it.
  await said;
  t.equal((await runKts(`topics --create --topic later ${bs}`)).code, 0);
  t.equal((await runKts(`console-producer --topic later ${bs}`, { stdin: 'hello\n' })).code, 0);
  const r = await consumer;
  t.equal(r.code, 0, r.stderr);
  t.equal(r.stdout, 'hello\n');
});

t.test('without the topic, --timeout-ms ends the wait with a notice, not an error', async (t) => {
  const b = await startCliBroker(t);
  const r = await runKts(`console-consumer --topic never --timeout-ms 300 --bootstrap-server ${b.bootstrap}`);
  t.equal(r.code, 0);
  t.match(r.stderr, 'topic never does not exist (yet): waiting for it to be created');
  t.match(r.stderr, 'Processed a total of 0 messages');
});

t.test('an --offset past the end is reported before the consumer starts at the end', async (t) => {
  const b = await startCliBroker(t);
  const bs = `--bootstrap-server ${b.bootstrap}`;
  await runKts(`topics --create --topic o ${bs}`);
  await runKts(`console-producer --topic o ${bs}`, { stdin: 'a\nb\n' });
  const r = await runKts(`console-consumer --topic o --partition 0 --offset 99 --timeout-ms 300 ${bs}`);
  t.equal(r.code, 0);
  t.match(r.stderr, 'offset 99 is out of range for o-0 (log start offset 0, log end offset 2)');
  const inRange = await runKts(`console-consumer --topic o --partition 0 --offset 1 --max-messages 1 ${bs}`);
  t.equal(inRange.stdout, 'b\n');
  t.notMatch(inRange.stderr, 'out of range');
});
