/**
 * Record schemas of the `__transaction_state` internal topic, as Kafka's transaction
 * coordinator writes them: key = int16 version 0 + TransactionLogKey (transactional id);
 * value = int16 version + TransactionLogValue (v0 classic, v1 flexible with tagged fields),
 * null value = the transactional id was removed. A transactional id lives on partition
 * abs(javaHashCode(id)) % transaction.state.log.num.partitions.
 */
import { message, f, arr, type MessageSchema } from '../schema.js';
import { Reader } from '../reader.js';
import { Writer } from '../writer.js';
import { offsetsPartitionFor } from './consumer-offsets.js';

export interface TransactionLogKey {
  transactionalId: string;
}
export interface TransactionLogPartitions {
  topic: string;
  partitionIds: number[];
}
export interface TransactionLogValue {
  producerId: number;
  previousProducerId?: number;
  nextProducerId?: number;
  producerEpoch: number;
  transactionTimeoutMs: number;
  /** Kafka's TransactionState id: 0 Empty, 1 Ongoing, 2 PrepareCommit, 3 PrepareAbort, 4 CompleteCommit, 5 CompleteAbort, 6 Dead, 7 PrepareEpochFence. */
  transactionStatus: number;
  transactionPartitions: TransactionLogPartitions[] | null;
  transactionLastUpdateTimestampMs: number;
  transactionStartTimestampMs: number;
  clientTransactionVersion?: number;
}

export const transactionLogKey = message<TransactionLogKey>({
  name: 'TransactionLogKey', type: 'data', validVersions: '0', flexibleVersions: 'none',
  fields: [f('transactionalId', 'string', '0')],
});

export const transactionLogValue = message<TransactionLogValue>({
  name: 'TransactionLogValue', type: 'data', validVersions: '0-1', flexibleVersions: '1+',
  fields: [
    f('producerId', 'int64', '0+'),
    f('previousProducerId', 'int64', '1+', { tag: 0, default: -1 }),
    f('nextProducerId', 'int64', '1+', { tag: 1, default: -1 }),
    f('producerEpoch', 'int16', '0+'),
    f('transactionTimeoutMs', 'int32', '0+'),
    f('transactionStatus', 'int8', '0+'),
    arr('transactionPartitions', '0+', [f('topic', 'string', '0+'), f('partitionIds', '[]int32', '0+')], { nullable: true }),
    f('transactionLastUpdateTimestampMs', 'int64', '0+'),
    f('transactionStartTimestampMs', 'int64', '0+'),
    f('clientTransactionVersion', 'int16', '1+', { tag: 2, default: 0 }),
  ],
});

/** The value version kts writes: v0, what Kafka writes for classic (pre-KIP-890) transactions. */
export const TRANSACTION_LOG_VALUE_VERSION = 0;

function encodeVersioned<T>(schema: MessageSchema<T>, version: number, value: T): Buffer {
  const w = new Writer(64);
  w.int16(version);
  schema.encode(w, version, value);
  return w.toBuffer();
}

export function encodeTransactionLogKey(key: TransactionLogKey): Buffer {
  return encodeVersioned(transactionLogKey, 0, key);
}

export function encodeTransactionLogValue(value: TransactionLogValue, version = TRANSACTION_LOG_VALUE_VERSION): Buffer {
  return encodeVersioned(transactionLogValue, version, value);
}

/** Decodes a key; throws ProtocolError (with position) on bad bytes or an unknown version. */
export function decodeTransactionLogKey(buf: Buffer): TransactionLogKey {
  const r = new Reader(buf);
  const version = r.int16();
  if (version !== 0) return r.fail(`unknown __transaction_state key version ${version}`, 0);
  return transactionLogKey.decode(r, version);
}

/** Decodes a value; newer versions are read with the newest known one (they only add tagged fields). */
export function decodeTransactionLogValue(buf: Buffer): { version: number; value: TransactionLogValue } {
  const r = new Reader(buf);
  const version = r.int16();
  if (version < 0) return r.fail(`TransactionLogValue version ${version} is invalid`, 0);
  return { version, value: transactionLogValue.decode(r, Math.min(version, transactionLogValue.maxVersion)) };
}

/** The `__transaction_state` partition of a transactional id (same hashing as groups). */
export function transactionLogPartitionFor(transactionalId: string, partitionCount: number): number {
  return offsetsPartitionFor(transactionalId, partitionCount);
}
