/**
 * Read-only decoders for the records of Kafka's internal topics, as dump-log prints
 * them: `--offsets-decoder` (__consumer_offsets: offset commits and group metadata, as
 * `{"type":"<key version>","data":{...}}` / `{"version":"<v>","data":{...}}` JSON) and
 * `--transaction-log-decoder` (__transaction_state, Kafka's
 * `transaction_metadata::transactionalId=...` text). Schemas: kafka-protocol/internal-topics.
 */
import { SchemaReader, type Json } from './schema-reader.js';
import { errorMessage } from '../../util/errors.js';
import type { RecordInfo } from '../batch.js';

export interface ParsedRecord {
  key?: string;
  payload?: string;
}

export type RecordParser = (record: RecordInfo) => ParsedRecord;

function offsetCommitKey(r: SchemaReader): Json {
  return { group: r.string(), topic: r.string(), partition: r.int32() };
}

function offsetCommitValue(r: SchemaReader, v: number): Json {
  const out: Record<string, Json> = { offset: r.int64() };
  if (v >= 3) out.leaderEpoch = r.int32();
  out.metadata = r.string();
  out.commitTimestamp = r.int64();
  if (v === 1) out.expireTimestamp = r.int64();
  r.taggedFields();
  return out;
}

function groupMember(r: SchemaReader, v: number): Json {
  const m: Record<string, Json> = { memberId: r.string() };
  if (v >= 3) m.groupInstanceId = r.nullableString();
  m.clientId = r.string();
  m.clientHost = r.string();
  if (v >= 1) m.rebalanceTimeout = r.int32();
  m.sessionTimeout = r.int32();
  m.subscription = r.bytes().toString('base64');
  m.assignment = r.bytes().toString('base64');
  r.taggedFields();
  return m;
}

function groupMetadataValue(r: SchemaReader, v: number): Json {
  const out: Record<string, Json> = { protocolType: r.string(), generation: r.int32() };
  out.protocol = r.nullableString();
  out.leader = r.nullableString();
  if (v >= 2) out.currentStateTimestamp = r.int64();
  const n = r.arrayLength();
  const members: Json[] = [];
  for (let i = 0; i < n; i++) members.push(groupMember(r, v));
  out.members = members;
  r.taggedFields();
  return out;
}

function checkConsumed(r: SchemaReader): void {
  if (r.c.remaining !== 0) r.c.fail(`${r.c.remaining} unexpected trailing bytes`);
}

/** `--offsets-decoder`: __consumer_offsets records as Kafka's OffsetsMessageParser prints them. */
export const offsetsParser: RecordParser = (record) => {
  if (record.key === null) {
    throw new Error(`Failed to decode message at offset ${record.offset} using offset topic decoder (message had a missing key)`);
  }
  try {
    const keyCursor = new SchemaReader(record.key, false);
    const keyVersion = keyCursor.int16();
    let keyData: Json;
    if (keyVersion === 0 || keyVersion === 1) keyData = offsetCommitKey(keyCursor);
    else if (keyVersion === 2) keyData = { group: keyCursor.string() };
    else return { key: `Unknown record type ${keyVersion} at offset ${record.offset}, skipping.` };
    checkConsumed(keyCursor);
    const key = JSON.stringify({ type: String(keyVersion), data: keyData });
    if (record.value === null) return { key, payload: '<DELETE>' };
    const peek = new SchemaReader(record.value, false);
    const version = peek.int16();
    // Both value schemas (OffsetCommitValue, GroupMetadataValue) are flexible from version 4.
    const r = new SchemaReader(record.value.subarray(2), version >= 4);
    const data = keyVersion === 2 ? groupMetadataValue(r, version) : offsetCommitValue(r, version);
    checkConsumed(r);
    return { key, payload: JSON.stringify({ version: String(version), data }) };
  } catch (err) {
    return { key: `Error at offset ${record.offset}, skipping. ${errorMessage(err)}` };
  }
};

const TXN_STATES = ['Empty', 'Ongoing', 'PrepareCommit', 'PrepareAbort', 'CompleteCommit', 'CompleteAbort', 'Dead', 'PrepareEpochFence'];

function txnValue(buf: Buffer): string {
  const version = new SchemaReader(buf, false).int16();
  const r = new SchemaReader(buf.subarray(2), version >= 1);
  const producerId = r.int64();
  const producerEpoch = r.int16();
  const txnTimeoutMs = r.int32();
  const status = r.int8();
  const partitions: string[] = [];
  const topics = r.arrayLength();
  for (let i = 0; i < topics; i++) {
    const topic = r.string();
    const ids = r.arrayLength();
    for (let j = 0; j < ids; j++) partitions.push(`${topic}-${r.int32()}`);
    r.taggedFields();
  }
  const lastUpdate = r.int64();
  r.int64();
  r.taggedFields();
  checkConsumed(r);
  const state = TXN_STATES[status] ?? `Unknown(${status})`;
  return (
    `producerId:${producerId},producerEpoch:${producerEpoch},state=${state},` +
    `partitions=[${partitions.join(',')}],txnLastUpdateTimestamp=${lastUpdate},txnTimeoutMs=${txnTimeoutMs}`
  );
}

/** `--transaction-log-decoder`: __transaction_state records as Kafka's TransactionLog formats them. */
export const transactionLogParser: RecordParser = (record) => {
  if (record.key === null) return { key: 'unknown::version=-1' };
  try {
    const r = new SchemaReader(record.key, false);
    const version = r.int16();
    if (version !== 0) return { key: `unknown::version=${version}` };
    const key = `transaction_metadata::transactionalId=${r.string()}`;
    return { key, payload: record.value === null ? '<DELETE>' : txnValue(record.value) };
  } catch (err) {
    return { key: `Error at offset ${record.offset}, skipping. ${errorMessage(err)}` };
  }
};
