/**
 * Topic-level `compression.type` on append (Kafka's LogValidator): when the topic names a
 * codec other than `producer` and a batch uses another one, its records are decoded and
 * re-encoded with the topic's codec, keeping producer id/epoch/sequence, timestamps,
 * offsets deltas and the transactional bit. Only batches that need it are touched.
 */
import { ErrorCode, KafkaError } from '../protocol/errors.js';
import { ATTR_COMPRESSION_MASK, ATTR_CONTROL, ATTR_TIMESTAMP_TYPE, ATTR_TRANSACTIONAL, CompressionType, TimestampType } from '../records/batch-header.js';
import { compressionTypeFromName } from '../records/compression/index.js';
import { decodeRecordBatch, encodeRecordBatch } from '../records/record-batch.js';
import { errorMessage } from '../util/errors.js';
import type { BatchInfo } from './segment.js';

/** The codec a topic's compression.type asks for, or undefined for `producer`. */
export function targetCompression(compressionType: string): CompressionType | undefined {
  if (compressionType === 'producer') return undefined;
  if (compressionType === 'uncompressed') return CompressionType.None;
  return compressionTypeFromName(compressionType);
}

/** True when some batch must be re-encoded for the target codec. */
export function needsRecompression(batches: readonly BatchInfo[], target: CompressionType | undefined): boolean {
  if (target === undefined) return false;
  return batches.some((b) => (b.attributes & ATTR_CONTROL) === 0 && (b.attributes & ATTR_COMPRESSION_MASK) !== target);
}

/** Re-encode the batches of `records` that are not in `target`; returns the new buffer. */
export function recompressBatches(records: Buffer, batches: readonly BatchInfo[], target: CompressionType, maxDecompressedBytes: number): Buffer {
  const parts: Buffer[] = [];
  for (const b of batches) {
    const bytes = records.subarray(b.position, b.position + b.size);
    if ((b.attributes & ATTR_CONTROL) !== 0 || (b.attributes & ATTR_COMPRESSION_MASK) === target) {
      parts.push(bytes);
      continue;
    }
    let decoded;
    try {
      decoded = decodeRecordBatch(bytes, 0, { maxDecompressedBytes });
    } catch (err) {
      throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, `batch at byte ${b.position} does not decode: ${errorMessage(err)}`);
    }
    parts.push(encodeRecordBatch({
      baseOffset: 0,
      partitionLeaderEpoch: b.partitionLeaderEpoch,
      compression: target,
      timestampType: (b.attributes & ATTR_TIMESTAMP_TYPE) !== 0 ? TimestampType.LogAppendTime : TimestampType.CreateTime,
      transactional: (b.attributes & ATTR_TRANSACTIONAL) !== 0,
      producerId: b.producerId,
      producerEpoch: b.producerEpoch,
      baseSequence: b.baseSequence,
      lastOffsetDelta: b.lastOffset - b.baseOffset,
      records: decoded.records.map((r) => ({ offsetDelta: r.offsetDelta, timestampMs: r.timestampMs, key: r.key, value: r.value, headers: r.headers })),
    }));
  }
  return Buffer.concat(parts);
}
