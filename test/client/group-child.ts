// A group consumer in its own process for the SIGKILL test: commits after every poll,
// then prints the values it read, one per line. After `stopAfter` records it closes and
// exits; with `hang` it stops polling there instead and waits (heartbeats go on) to be killed.
import { openClient } from '../../src/client/index.js';

const [bootstrap, group, topic, stopAfterText, mode] = process.argv.slice(2);
const stopAfter = Number(stopAfterText ?? '0');
const client = await openClient({ bootstrapServer: bootstrap!, config: { 'client.id': 'child' } });
const consumer = client.groupConsumer({
  'group.id': group!,
  'session.timeout.ms': '2000',
  'heartbeat.interval.ms': '200',
  'max.poll.interval.ms': '30000',
  'enable.auto.commit': 'false',
  'auto.offset.reset': 'earliest',
  'max.poll.records': '2',
  'fetch.max.wait.ms': '50',
});
consumer.subscribe([topic!]);
let read = 0;
while (read < stopAfter) {
  const records = await consumer.poll(200);
  if (records.length === 0) continue;
  await consumer.commitSync();
  process.stdout.write(records.map((r) => `${r.value!.toString()}\n`).join(''));
  read += records.length;
}
if (mode === 'hang') await new Promise(() => setInterval(() => undefined, 1000));
await consumer.close();
await client.close();
