// console-consumer --group against a real kts broker: offsets are committed and resumed,
// and a kafkajs group consumer reads what kts console-producer wrote.
import t from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import { runKts } from '../../helpers/run-kts.js';
import { startCliBroker } from '../helpers.js';

t.test('console-consumer --group commits offsets; a kafkajs group consumer reads what kts produced', async (t) => {
  const b = await startCliBroker(t, ['group.initial.rebalance.delay.ms=0']);
  const bs = `--bootstrap-server ${b.bootstrap}`;
  await runKts(`topics --create --topic grp ${bs}`);
  t.equal((await runKts(`console-producer --topic grp ${bs}`, { stdin: 'r1\nr2\nr3\n' })).code, 0);
  const first = await runKts(`console-consumer --topic grp --group g1 --from-beginning --max-messages 3 ${bs}`);
  t.equal(first.code, 0, first.stderr);
  t.equal(first.stdout, 'r1\nr2\nr3\n');
  t.equal((await runKts(`console-producer --topic grp ${bs}`, { stdin: 'r4\n' })).code, 0);
  const resumed = await runKts(`console-consumer --topic grp --group g1 --from-beginning --max-messages 1 ${bs}`);
  t.equal(resumed.code, 0, resumed.stderr);
  t.equal(resumed.stdout, 'r4\n', 'resumes at the committed offset');

  const kafka = new Kafka({ brokers: [b.bootstrap], clientId: 'kts-cli-test', logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: 'kafkajs-g', sessionTimeout: 10_000, heartbeatInterval: 500 });
  await consumer.connect();
  t.teardown(() => consumer.disconnect());
  await consumer.subscribe({ topic: 'grp', fromBeginning: true });
  const seen: string[] = [];
  await new Promise<void>((resolve, reject) => {
    consumer
      .run({
        eachMessage: async ({ message }) => {
          seen.push(message.value?.toString() ?? 'null');
          if (seen.length === 4) resolve();
        },
      })
      .catch(reject);
  });
  t.same(seen, ['r1', 'r2', 'r3', 'r4']);
});
