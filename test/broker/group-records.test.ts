// __consumer_offsets record codecs: exact bytes of Kafka's schemas (key/value versions
// the coordinator writes), decoding of older/newer value versions, bad bytes become a
// typed error with a position, and the group → partition mapping (Java's hashCode).
import t from 'tap';
import {
  decodeConsumerOffsetsKey,
  decodeGroupMetadataValue,
  decodeOffsetCommitValue,
  encodeGroupMetadataKey,
  encodeGroupMetadataValue,
  encodeOffsetCommitKey,
  encodeOffsetCommitValue,
  consumerOffsetsValueVersions,
  javaStringHashCode,
  offsetsPartitionFor,
} from '../../src/protocol/internal/consumer-offsets.js';
import { parseIbp } from '../../src/protocol/inter-broker-protocol.js';
import { CorruptDataError } from '../../src/util/errors.js';

t.test('OffsetCommitKey v1 and OffsetCommitValue v3 bytes', async (t) => {
  const key = encodeOffsetCommitKey({ group: 'g', topic: 't', partition: 2 });
  t.same([...key], [0, 1, 0, 1, 0x67, 0, 1, 0x74, 0, 0, 0, 2]);
  const value = encodeOffsetCommitValue({ offset: 5, leaderEpoch: 7, metadata: 'm', commitTimestamp: 1000 });
  t.same([...value], [0, 3, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 7, 0, 1, 0x6d, 0, 0, 0, 0, 0, 0, 0x03, 0xe8]);
  t.same(decodeConsumerOffsetsKey(key), { kind: 'offset', version: 1, key: { group: 'g', topic: 't', partition: 2 } });
  t.match(decodeOffsetCommitValue(value), { version: 3, value: { offset: 5, leaderEpoch: 7, metadata: 'm', commitTimestamp: 1000 } });
});

t.test('older and newer value versions decode', async (t) => {
  // v1 carries expireTimestamp and no leader epoch.
  const v1 = Buffer.from([0, 1, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
  t.match(decodeOffsetCommitValue(v1).value, { offset: 9, metadata: '', commitTimestamp: 1, expireTimestamp: -1 });
  // v4 is flexible: compact string, then an empty tagged-field section.
  const v4 = Buffer.from([0, 4, 0, 0, 0, 0, 0, 0, 0, 3, 0xff, 0xff, 0xff, 0xff, 1, 0, 0, 0, 0, 0, 0, 0, 2, 0]);
  t.match(decodeOffsetCommitValue(v4).value, { offset: 3, leaderEpoch: -1, metadata: '', commitTimestamp: 2 });
});

t.test('GroupMetadataKey v2 and GroupMetadataValue v3 round trip', async (t) => {
  const key = encodeGroupMetadataKey({ group: 'grp' });
  t.same([...key], [0, 2, 0, 3, 0x67, 0x72, 0x70]);
  t.same(decodeConsumerOffsetsKey(key), { kind: 'group', version: 2, key: { group: 'grp' } });
  const value = {
    protocolType: 'consumer',
    generation: 4,
    protocol: 'range',
    leader: 'm-1',
    currentStateTimestamp: 123,
    members: [{ memberId: 'm-1', groupInstanceId: 'i-1', clientId: 'c', clientHost: '/127.0.0.1', rebalanceTimeout: 300000, sessionTimeout: 45000, subscription: Buffer.from([1, 2]), assignment: Buffer.from([3]) }],
  };
  t.same(decodeGroupMetadataValue(encodeGroupMetadataValue(value)), { version: 3, value });
});

t.test('bad bytes are a typed error with a position, never a crash', async (t) => {
  t.throws(() => decodeConsumerOffsetsKey(Buffer.from([0, 1, 0, 9, 0x67])), { name: 'ProtocolDecodeError' });
  t.throws(() => decodeConsumerOffsetsKey(Buffer.from([0, 7, 0, 0])), { name: 'ProtocolDecodeError' }, 'unknown key version');
  t.throws(() => decodeOffsetCommitValue(Buffer.from([0, 3, 0, 0])), { name: 'ProtocolDecodeError' });
  t.throws(() => decodeGroupMetadataValue(Buffer.from([0, 3, 0, 1, 0x63, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0x7f, 0xff, 0xff, 0xff])), { name: 'ProtocolDecodeError' }, 'member count larger than the bytes left');
  for (let seed = 0; seed < 300; seed++) {
    const bytes = Buffer.from(Array.from({ length: seed % 40 }, (_, i) => (seed * 31 + i * 17) & 0xff));
    for (const decode of [decodeConsumerOffsetsKey, decodeOffsetCommitValue, decodeGroupMetadataValue]) {
      try {
        decode(bytes);
      } catch (err) {
        if (!(err instanceof CorruptDataError)) throw err;
      }
    }
  }
});

t.test("group partition = abs(Java hashCode) % N", async (t) => {
  t.equal(javaStringHashCode(''), 0);
  t.equal(javaStringHashCode('hello'), 99162322);
  t.equal(javaStringHashCode('Aa'), javaStringHashCode('BB'));
  t.equal(javaStringHashCode('polygenelubricants'), -2147483648, 'the classic Integer.MIN_VALUE hash');
  t.equal(offsetsPartitionFor('polygenelubricants', 50), 0, 'Utils.abs(MIN_VALUE) is 0');
  t.equal(offsetsPartitionFor('hello', 50), 99162322 % 50);
  t.ok(offsetsPartitionFor('some-group', 7) < 7);
});

t.test('inter.broker.protocol.version picks the value versions that brokers of that version can load', async (t) => {
  const at = (ibp: string | undefined) => consumerOffsetsValueVersions(ibp === undefined ? undefined : parseIbp(ibp));
  t.same(at(undefined), { offsetCommit: 3, groupMetadata: 3 }, 'no IBP: the newest');
  t.same(at('1.1'), { offsetCommit: 1, groupMetadata: 1 }, 'Kafka 1.1 knows v0-v1 only');
  t.same(at('0.10.0'), { offsetCommit: 1, groupMetadata: 0 });
  t.same(at('2.1-IV0'), { offsetCommit: 2, groupMetadata: 2 });
  t.same(at('2.1'), { offsetCommit: 3, groupMetadata: 2 });
  t.same(at('2.3'), { offsetCommit: 3, groupMetadata: 3 });
  // Kafka 1.1's layout of OffsetCommitValue v1: offset, metadata, commit and expire timestamps.
  const v1 = encodeOffsetCommitValue({ offset: 5, metadata: '', commitTimestamp: 1000, expireTimestamp: 2000 }, 1);
  t.same([...v1], [0, 1, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0x03, 0xe8, 0, 0, 0, 0, 0, 0, 0x07, 0xd0]);
  t.match(decodeOffsetCommitValue(v1), { version: 1, value: { offset: 5, commitTimestamp: 1000, expireTimestamp: 2000 } });
  const group = encodeGroupMetadataValue({ protocolType: 'consumer', generation: 1, protocol: 'range', leader: 'm', members: [] }, 1);
  t.equal(group.readInt16BE(0), 1);
  t.match(decodeGroupMetadataValue(group), { version: 1, value: { protocolType: 'consumer', generation: 1, protocol: 'range', leader: 'm' } });
});
