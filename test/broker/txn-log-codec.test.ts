// __transaction_state record codecs: Kafka's byte layout for key v0 and value v0 (checked
// against hand-built bytes), v1 tagged fields, partition placement, and typed errors on
// truncated or unknown input.
import t from 'tap';
import {
  decodeTransactionLogKey,
  decodeTransactionLogValue,
  encodeTransactionLogKey,
  encodeTransactionLogValue,
  transactionLogPartitionFor,
  type TransactionLogValue,
} from '../../src/protocol/internal/transaction-log.js';

const value: TransactionLogValue = {
  producerId: 7,
  producerEpoch: 3,
  transactionTimeoutMs: 60_000,
  transactionStatus: 1,
  transactionPartitions: [{ topic: 'ab', partitionIds: [0, 2] }],
  transactionLastUpdateTimestampMs: 1000,
  transactionStartTimestampMs: 900,
};

t.test('key v0 and value v0 bytes are Kafka\'s', async (t) => {
  t.same([...encodeTransactionLogKey({ transactionalId: 'tx' })], [0, 0, 0, 2, 0x74, 0x78]);
  const expected = Buffer.concat([
    Buffer.from([0, 0]), // version
    Buffer.from([0, 0, 0, 0, 0, 0, 0, 7]), // producer id
    Buffer.from([0, 3]), // epoch
    Buffer.from([0, 0, 0xea, 0x60]), // timeout
    Buffer.from([1]), // status
    Buffer.from([0, 0, 0, 1, 0, 2, 0x61, 0x62, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 2]), // partitions
    Buffer.from([0, 0, 0, 0, 0, 0, 0x03, 0xe8]),
    Buffer.from([0, 0, 0, 0, 0, 0, 0x03, 0x84]),
  ]);
  t.same(encodeTransactionLogValue(value), expected);
  t.same(decodeTransactionLogValue(expected), { version: 0, value: { ...value, previousProducerId: -1, nextProducerId: -1, clientTransactionVersion: 0 } }, 'v1-only fields read as their defaults');
  t.equal(decodeTransactionLogKey(encodeTransactionLogKey({ transactionalId: 'tx' })).transactionalId, 'tx');
});

t.test('value v1 carries tagged fields; null partitions', async (t) => {
  const v1 = { ...value, previousProducerId: 5, nextProducerId: 9, clientTransactionVersion: 2, transactionPartitions: null };
  const decoded = decodeTransactionLogValue(encodeTransactionLogValue(v1, 1));
  t.equal(decoded.version, 1);
  t.same([decoded.value.previousProducerId, decoded.value.nextProducerId, decoded.value.clientTransactionVersion, decoded.value.transactionPartitions], [5, 9, 2, null]);
});

t.test('bad input throws with a position, never allocates from a bogus length', async (t) => {
  const good = encodeTransactionLogValue(value);
  for (let cut = 0; cut < good.length; cut++) t.throws(() => decodeTransactionLogValue(good.subarray(0, cut)), `truncated at ${cut}`);
  t.throws(() => decodeTransactionLogKey(Buffer.from([0, 1, 0, 0])), /key version 1/);
  const huge = Buffer.from(good);
  huge.writeInt32BE(0x7fffffff, 2 + 8 + 2 + 4 + 1);
  t.throws(() => decodeTransactionLogValue(huge));
});

t.test('partition of a transactional id: abs(javaHashCode) % n', async (t) => {
  t.equal(transactionLogPartitionFor('tx', 50), ((0x74 * 31 + 0x78) % 50));
  t.ok(transactionLogPartitionFor('polygenelubricants', 50) >= 0, 'Integer.MIN_VALUE hash maps to 0, not a negative partition');
  t.equal(transactionLogPartitionFor('polygenelubricants', 50), 0);
});
