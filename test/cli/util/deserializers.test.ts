// Kafka's built-in deserializers, the --formatter class names, and get-offsets skipping a bad partition.
import t from 'tap';
import { bytesToString, deserializerFor, javaDoubleString, javaFloatString } from '../../../src/cli/util/deserializers.js';
import { formatterKind, loggingLine } from '../../../src/cli/util/message-formatter.js';
import { offsetsOrSkip } from '../../../src/cli/commands/get-offsets.js';
import { KafkaError, ErrorCode } from '../../../src/protocol/errors.js';
import type { ListOffsetsResult, TopicPartition } from '../../../src/client/index.js';

const S = 'org.apache.kafka.common.serialization.';
const run = (cls: string, bytes: Buffer | null): string | null => {
  const out = deserializerFor(S + cls, 'value.deserializer')(bytes);
  return out === null ? null : out.toString('utf8');
};
const be = (n: number, write: (b: Buffer) => void): Buffer => {
  const b = Buffer.alloc(n);
  write(b);
  return b;
};

t.test('numbers are big-endian and print as Java prints them', async (t) => {
  t.equal(run('IntegerDeserializer', be(4, (b) => b.writeInt32BE(-42))), '-42');
  t.equal(run('ShortDeserializer', be(2, (b) => b.writeInt16BE(7))), '7');
  t.equal(run('LongDeserializer', be(8, (b) => b.writeBigInt64BE(-9007199254740993n))), '-9007199254740993');
  t.equal(run('DoubleDeserializer', be(8, (b) => b.writeDoubleBE(1))), '1.0');
  t.equal(run('DoubleDeserializer', be(8, (b) => b.writeDoubleBE(0.1))), '0.1');
  t.equal(run('FloatDeserializer', be(4, (b) => b.writeFloatBE(0.1))), '0.1');
  t.equal(run('FloatDeserializer', be(4, (b) => b.writeFloatBE(2.5))), '2.5');
  t.throws(() => run('IntegerDeserializer', Buffer.from([1, 2, 3])), /Size of data received by IntegerDeserializer is not 4/);
  t.throws(() => run('LongDeserializer', Buffer.alloc(4)), /is not 8/);
  t.equal(run('IntegerDeserializer', null), null, 'null stays null');
});

t.test('Java Double.toString and Float.toString layout', async (t) => {
  t.equal(javaDoubleString(1e7), '1.0E7');
  t.equal(javaDoubleString(123456.789), '123456.789');
  t.equal(javaDoubleString(0.0001), '1.0E-4');
  t.equal(javaDoubleString(-1.5e-10), '-1.5E-10');
  t.equal(javaDoubleString(0), '0.0');
  t.equal(javaDoubleString(-0), '-0.0');
  t.equal(javaDoubleString(NaN), 'NaN');
  t.equal(javaDoubleString(-Infinity), '-Infinity');
  t.equal(javaFloatString(3.4028234663852886e38), '3.4028235E38');
  t.equal(javaFloatString(1e10), '1.0E10');
});

t.test('string, bytes, byte array, UUID and Void', async (t) => {
  t.equal(run('StringDeserializer', Buffer.from('héllo')), 'héllo');
  t.equal(run('ByteArrayDeserializer', Buffer.from('raw')), 'raw');
  t.equal(bytesToString(Buffer.from([0x41, 0x00, 0x5c, 0xff, 0x7e])), 'A\\x00\\x5C\\xFF~');
  t.equal(run('BytesDeserializer', Buffer.from([0x61, 0x0a])), 'a\\x0A');
  t.equal(run('UUIDDeserializer', Buffer.from('123E4567-E89B-12D3-A456-426614174000')), '123e4567-e89b-12d3-a456-426614174000');
  t.throws(() => run('UUIDDeserializer', Buffer.from('nope')), /Error parsing data into UUID/);
  t.equal(run('VoidDeserializer', null), null);
  t.throws(() => run('VoidDeserializer', Buffer.from('x')), /Data should be null for a VoidDeserializer/);
  t.equal(deserializerFor('LongDeserializer', 'key.deserializer')(be(8, (b) => b.writeBigInt64BE(5n)))!.toString(), '5', 'bare class name');
  t.throws(() => deserializerFor('com.example.AvroDeserializer', 'key.deserializer'), /unsupported deserializer class 'com.example.AvroDeserializer'/);
  t.throws(() => deserializerFor('toString', 'key.deserializer'), /unsupported/);
});

t.test('formatter class names', async (t) => {
  t.equal(formatterKind('org.apache.kafka.tools.consumer.DefaultMessageFormatter'), 'default');
  t.equal(formatterKind('kafka.tools.DefaultMessageFormatter'), 'default');
  t.equal(formatterKind('kafka.tools.LoggingMessageFormatter'), 'logging');
  t.equal(formatterKind('NoOpMessageFormatter'), 'noop');
  t.throws(() => formatterKind('org.apache.kafka.tools.consumer.OffsetsMessageFormatter'), /unsupported --formatter class/);
  const rec = { topic: 't', partition: 0, offset: 1, timestampMs: 5, timestampType: 'CreateTime' as const, leaderEpoch: 0, key: null, value: Buffer.from('v'), headers: [] };
  t.equal(loggingLine(rec), 'CreateTime:5, key:null, value:v');
  t.equal(loggingLine({ ...rec, timestampType: 'NoTimestampType' }), 'key:null, value:v');
});

t.test('get-offsets skips a partition that fails and prints the others', async (t) => {
  const calls: number[] = [];
  const admin = {
    async listOffsets(qs: readonly (TopicPartition & { spec: unknown })[]): Promise<ListOffsetsResult[]> {
      calls.push(qs.length);
      if (qs.some((q) => q.partition === 1)) throw new KafkaError(ErrorCode.NOT_LEADER_OR_FOLLOWER, 'ListOffsets for t-1');
      return qs.map((q) => ({ topic: q.topic, partition: q.partition, offset: 10 + q.partition, timestampMs: -1, leaderEpoch: 0 }));
    },
  };
  const skipped: string[] = [];
  const tps = [0, 1, 2].map((partition) => ({ topic: 't', partition }));
  const out = await offsetsOrSkip(admin, tps, 'latest', (m) => skipped.push(m));
  t.same(out.map((r) => [r.partition, r.offset]), [[0, 10], [2, 12]]);
  t.equal(skipped.length, 1);
  t.match(skipped[0], /^Skip getting offsets for topic-partition t-1 due to error: /);
  t.same(calls, [3, 1, 1, 1], 'one round for all, then one per partition');
  t.same(await offsetsOrSkip(admin, [], 'latest', () => t.fail('nothing to skip')), []);
});
