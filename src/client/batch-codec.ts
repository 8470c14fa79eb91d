/**
 * The client's bridge to records/: builds the record batch v2 a producer sends, and
 * estimates a record's size for batch.size and buffer.memory accounting.
 */
import type { CompressionType } from '../records/batch-header.js';
import { encodeRecordBatch as encodeBatch, MAX_RECORD_OVERHEAD } from '../records/record-batch.js';
import type { RecordHeader } from './types.js';

export interface OutgoingRecord {
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
  timestampMs: number;
}

export interface BatchIdentity {
  compression: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
}

export function encodeRecordBatch(records: readonly OutgoingRecord[], identity: BatchIdentity): Buffer {
  return encodeBatch({
    baseOffset: 0,
    compression: identity.compression as CompressionType,
    producerId: identity.producerId,
    producerEpoch: identity.producerEpoch,
    baseSequence: identity.baseSequence,
    records,
  });
}

/** Upper bound of a record's encoded size (Kafka's DefaultRecord.MAX_RECORD_OVERHEAD plus data). */
export function estimateRecordBytes(r: OutgoingRecord): number {
  let n = MAX_RECORD_OVERHEAD + (r.key?.length ?? 0) + (r.value?.length ?? 0);
  for (const h of r.headers) n += 10 + Buffer.byteLength(h.key, 'utf8') + (h.value?.length ?? 0);
  return n;
}
