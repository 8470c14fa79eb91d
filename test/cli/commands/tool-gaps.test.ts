// console-consumer --formatter and deserializers, console-producer --line-reader, and
// topics --partition-size-limit-per-response, in-process against a real kts broker over TCP.
import t from 'tap';
import { runKts } from '../../helpers/run-kts.js';
import { startCliBroker } from '../helpers.js';

const b64 = (b: Buffer): string => b.toString('base64');
const int32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};
const int64 = (n: bigint): Buffer => {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(n);
  return b;
};

t.test('console-consumer formatters and deserializers', async (t) => {
  const b = await startCliBroker(t);
  const bs = `--bootstrap-server ${b.bootstrap}`;
  t.equal((await runKts(`topics --create --topic nums --partitions 1 ${bs}`)).code, 0);
  const rec = { key: b64(int32(7)), keyEncoding: 'base64', value: b64(int64(-42n)), valueEncoding: 'base64', headers: [], timestamp: 1700000000000 };
  const p = await runKts(`console-producer --topic nums --input-format json ${bs}`, { stdin: JSON.stringify(rec) + '\n' });
  t.equal(p.code, 0, p.stderr);
  const read = `console-consumer --topic nums --from-beginning --until-end ${bs}`;

  const typed = await runKts(
    `${read} --property print.key=true --key-deserializer org.apache.kafka.common.serialization.IntegerDeserializer --value-deserializer org.apache.kafka.common.serialization.LongDeserializer`,
  );
  t.equal(typed.code, 0, typed.stderr);
  t.equal(typed.stdout, '7\t-42\n');

  const byProperty = await runKts(`${read} --property value.deserializer=org.apache.kafka.common.serialization.BytesDeserializer`);
  t.equal(byProperty.stdout, '\\xFF\\xFF\\xFF\\xFF\\xFF\\xFF\\xFF\\xD6\n');

  const wrongSize = await runKts(`${read} --value-deserializer org.apache.kafka.common.serialization.IntegerDeserializer`);
  t.equal(wrongSize.code, 1);
  t.match(wrongSize.stderr, /Size of data received by IntegerDeserializer is not 4/);
  const skipped = await runKts(`${read} --value-deserializer org.apache.kafka.common.serialization.IntegerDeserializer --skip-message-on-error`);
  t.equal(skipped.code, 0, skipped.stderr);
  t.equal(skipped.stdout, '');
  t.match(skipped.stderr, /skipping the record at nums-0 offset 0/);

  const logging = await runKts(`${read} --formatter kafka.tools.LoggingMessageFormatter --value-deserializer org.apache.kafka.common.serialization.LongDeserializer`);
  t.equal(logging.code, 0, logging.stderr);
  t.equal(logging.stdout, '-42\n');
  t.match(logging.stderr, /^CreateTime:1700000000000, key:/m);

  const noop = await runKts(`${read} --formatter org.apache.kafka.tools.consumer.NoOpMessageFormatter`);
  t.equal(noop.code, 0, noop.stderr);
  t.equal(noop.stdout, '');
  t.equal(noop.stderr, 'Processed a total of 1 messages\n');

  const dflt = await runKts(`${read} --formatter org.apache.kafka.tools.consumer.DefaultMessageFormatter --value-deserializer org.apache.kafka.common.serialization.LongDeserializer`);
  t.equal(dflt.stdout, '-42\n');
});

t.test('unsupported formatter, deserializer, systest events and line reader are refused', async (t) => {
  const b = await startCliBroker(t);
  const bs = `--bootstrap-server ${b.bootstrap}`;
  const otherFormatter = await runKts(`console-consumer --topic x --formatter org.apache.kafka.tools.consumer.OffsetsMessageFormatter ${bs}`);
  t.equal(otherFormatter.code, 2);
  t.match(otherFormatter.stderr, /unsupported --formatter class 'org.apache.kafka.tools.consumer.OffsetsMessageFormatter'/);
  t.match(otherFormatter.stderr, /NoOpMessageFormatter/);
  const otherDeserializer = await runKts(`console-consumer --topic x --key-deserializer com.example.AvroDeserializer ${bs}`);
  t.equal(otherDeserializer.code, 2);
  t.match(otherDeserializer.stderr, /unsupported deserializer class 'com.example.AvroDeserializer'/);
  const systest = await runKts(`console-consumer --topic x --enable-systest-events ${bs}`);
  t.equal(systest.code, 2);
  t.match(systest.stderr, /--enable-systest-events is not supported/);
  const socketBuffer = await runKts(`console-producer --topic x --socket-buffer-size 102400 ${bs}`, { stdin: 'a\n' });
  t.equal(socketBuffer.code, 2);
  t.match(socketBuffer.stderr, /--socket-buffer-size is not supported by kts/);
  const withJson = await runKts(`console-consumer --topic x --json --formatter kafka.tools.NoOpMessageFormatter ${bs}`);
  t.equal(withJson.code, 2);

  t.equal((await runKts(`topics --create --topic lines --partitions 1 ${bs}`)).code, 0);
  const reader = await runKts(`console-producer --topic lines --line-reader org.apache.kafka.tools.LineMessageReader ${bs}`, { stdin: 'a\nb\n' });
  t.equal(reader.code, 0, reader.stderr);
  const back = await runKts(`console-consumer --topic lines --from-beginning --until-end ${bs}`);
  t.equal(back.stdout, 'a\nb\n');
  const otherReader = await runKts(`console-producer --topic lines --line-reader com.example.CsvReader ${bs}`, { stdin: 'a\n' });
  t.equal(otherReader.code, 2);
  t.match(otherReader.stderr, /unsupported --line-reader class 'com.example.CsvReader'/);
  t.match(otherReader.stderr, /org.apache.kafka.tools.LineMessageReader/);
});

t.test('topics --describe --partition-size-limit-per-response gives the same output', async (t) => {
  const b = await startCliBroker(t);
  const bs = `--bootstrap-server ${b.bootstrap}`;
  t.equal((await runKts(`topics --create --topic paged --partitions 3 ${bs}`)).code, 0);
  const plain = await runKts(`topics --describe --topic paged ${bs}`);
  t.equal(plain.code, 0, plain.stderr);
  const paged = await runKts(`topics --describe --topic paged --partition-size-limit-per-response 1 ${bs}`);
  t.equal(paged.code, 0, paged.stderr);
  t.equal(paged.stdout, plain.stdout);
  t.equal(paged.stdout.split('\n').filter((l) => l.startsWith('\tTopic: paged')).length, 3);
  t.equal((await runKts(`topics --describe --partition-size-limit-per-response 0 ${bs}`)).code, 2);
  t.equal((await runKts(`topics --list --partition-size-limit-per-response 5 ${bs}`)).code, 2);
});
