/**
 * Read-only decoders for the records of Kafka's internal topics, as dump-log prints
 * them: `--offsets-decoder` (__consumer_offsets: offset commits and group metadata, as
 * `{"type":"<key version>","data":{...}}` / `{"version":"<v>","data":{...}}` JSON) and
 * `--transaction-log-decoder` (__transaction_state, Kafka's
 * `transaction_metadata::transactionalId=...` text). Schemas: kafka-protocol/internal-topics.
 */
import { ByteCursor } from '../../records/varint.js';
import { errorMessage } from '../../util/errors.js';
import type { RecordInfo } from '../batch.js';

export interface ParsedRecord {
  key?: string;
  payload?: string;
}

export type RecordParser = (record: RecordInfo) => ParsedRecord;

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

/** Field readers that know whether the message version is flexible (compact + tagged fields). */
class SchemaReader {
  readonly c: ByteCursor;
  readonly flexible: boolean;
  constructor(buf: Buffer, flexible: boolean) {
    this.c = new ByteCursor(buf);
    this.flexible = flexible;
  }
  int8 = (): number => this.c.readInt8();
  int16 = (): number => this.c.readInt16();
  int32 = (): number => this.c.readInt32();
  int64 = (): number => this.c.readInt64();
  private length(): number {
    return this.flexible ? this.c.readUnsignedVarint() - 1 : this.c.readInt16();
  }
  nullableString(): string | null {
    const len = this.length();
    if (len < 0) return null;
    return this.c.readBytes(len, 'string').toString('utf8');
  }
  string(): string {
    const s = this.nullableString();
    if (s === null) this.c.fail('null string in a non-nullable field');
    return s;
  }
  bytes(): Buffer {
    const len = this.flexible ? this.c.readUnsignedVarint() - 1 : this.c.readInt32();
    if (len < 0) this.c.fail('null bytes in a non-nullable field');
    return this.c.readBytes(len, 'bytes');
  }
  /** Array length; -1 for null. Each element takes at least one byte, so bound by what is left. */
  arrayLength(): number {
    const len = this.flexible ? this.c.readUnsignedVarint() - 1 : this.c.readInt32();
    if (len > this.c.remaining) this.c.fail(`array of ${len} elements overruns the message`);
    return len;
  }
  /** Skip the tagged fields, returning those the caller asked for by tag. */
  taggedFields(): Map<number, Buffer> {
    const out = new Map<number, Buffer>();
    if (!this.flexible) return out;
    const n = this.c.readUnsignedVarint();
    for (let i = 0; i < n; i++) {
      const tag = this.c.readUnsignedVarint();
      const size = this.c.readUnsignedVarint();
      out.set(tag, this.c.readBytes(size, 'tagged field'));
    }
    return out;
  }
}

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
    const r = new SchemaReader(record.value.subarray(2), keyVersion === 2 ? version >= 4 : version >= 4);
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
