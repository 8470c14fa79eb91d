/** Typed access to kafkajs's internal protocol encoders/decoders: our independent reference. */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const base = 'kafkajs/src/protocol/';

interface KjsEncoder {
  buffer: Buffer;
}
interface KjsRecordInput {
  offsetDelta?: number;
  timestampDelta?: number;
  key: Buffer | null;
  value: Buffer | null;
  headers?: Record<string, Buffer | string>;
}
export interface KjsBatchInput {
  compression?: number;
  firstOffset?: unknown;
  firstTimestamp: number;
  maxTimestamp: number;
  partitionLeaderEpoch?: number;
  lastOffsetDelta?: number;
  transactional?: boolean;
  producerId?: unknown;
  producerEpoch?: number;
  firstSequence?: number;
  records: KjsEncoder[];
}
export interface KjsDecodedRecord {
  offset: string;
  timestamp: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer | Buffer[]>;
}

const Long = require('kafkajs/src/utils/long.js') as { fromValue(v: number | string): unknown };
const { RecordBatch } = require(`${base}recordBatch/v0/index.js`) as { RecordBatch: (i: KjsBatchInput) => Promise<KjsEncoder> };
const Record = require(`${base}recordBatch/record/v0/index.js`) as (r: KjsRecordInput) => KjsEncoder;
const batchDecoder = require(`${base}recordBatch/v0/decoder.js`) as (d: unknown) => Promise<{ records: KjsDecodedRecord[]; [k: string]: unknown }>;
const Decoder = require(`${base}decoder.js`) as new (b: Buffer) => unknown;
const MessageSet = require(`${base}messageSet/index.js`) as (i: {
  messageVersion: number;
  compression?: number;
  entries: { key: Buffer | null; value: Buffer | null; timestamp?: number; offset?: number }[];
}) => KjsEncoder;
const messageSetDecoder = require(`${base}messageSet/decoder.js`) as (d: unknown, size?: number) => Promise<
  { offset: string; size: number; crc: number; magicByte: number; attributes: number; timestamp?: string; key: Buffer | null; value: Buffer | null }[]
>;

export const long = (v: number): unknown => Long.fromValue(String(v));

export function kjsRecord(r: KjsRecordInput): KjsEncoder {
  return Record(r);
}

export async function kjsEncodeBatch(input: KjsBatchInput): Promise<Buffer> {
  return (await RecordBatch(input)).buffer;
}

export async function kjsDecodeBatch(buf: Buffer): Promise<{ records: KjsDecodedRecord[]; [k: string]: unknown }> {
  return batchDecoder(new Decoder(buf));
}

export function kjsEncodeMessageSet(messageVersion: number, entries: { key: Buffer | null; value: Buffer | null; timestamp?: number }[], compression = 0): Buffer {
  return MessageSet({ messageVersion, compression, entries }).buffer;
}

export async function kjsDecodeMessageSet(buf: Buffer): Promise<Awaited<ReturnType<typeof messageSetDecoder>>> {
  return messageSetDecoder(new Decoder(buf), buf.length);
}
