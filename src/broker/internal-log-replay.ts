/**
 * Start-up loading of a compacted internal topic (__consumer_offsets,
 * __transaction_state): every data record of one partition, log start to high watermark,
 * in order, read in bounded chunks of whole batches. Records of transactional batches
 * name their producer id (else -1) and transaction markers are handed to `onMarker`, so a
 * coordinator can hold transactional records until their COMMIT (or drop them on ABORT).
 */
import { LOG_OVERHEAD, RECORD_BATCH_OVERHEAD } from '../records/batch-header.js';
import { decodeBatchHeader, iterateRecords } from '../records/record-batch.js';
import type { BrokerPartitionLog } from './handler.js';

const LOAD_CHUNK_BYTES = 1024 * 1024;

/** `txnProducerId`: the producer id of a transactional batch, -1 for a plain one. */
export type ReplayRecord = (key: Buffer | null, value: Buffer | null, txnProducerId: number) => void;
export type ReplayMarker = (producerId: number, commit: boolean) => void;

const MARKER_KEY_BYTES = 4;
const MARKER_ABORT = 0;
const MARKER_COMMIT = 1;

/** Hands every data record of `log` below its high watermark to `onRecord`, oldest first. */
export async function replayPartition(log: BrokerPartitionLog, onRecord: ReplayRecord, onMarker?: ReplayMarker): Promise<void> {
  let offset = log.logStartOffset;
  const end = log.highWatermark;
  while (offset < end) {
    const read = await log.read(offset, LOAD_CHUNK_BYTES, { maxOffset: end, minOneMessage: true });
    if (read.records.length === 0) break;
    const next = replayBatches(read.records, offset, onRecord, onMarker);
    if (next <= offset) break;
    offset = next;
  }
}

/** Applies the whole batches in `buf`; returns the offset after the last one applied. */
function replayBatches(buf: Buffer, fromOffset: number, onRecord: ReplayRecord, onMarker: ReplayMarker | undefined): number {
  let pos = 0;
  let next = fromOffset;
  while (buf.length - pos >= RECORD_BATCH_OVERHEAD) {
    const header = decodeBatchHeader(buf, pos);
    const size = LOG_OVERHEAD + header.batchLength;
    if (size > buf.length - pos) break;
    const txnProducerId = header.isTransactional ? header.producerId : -1;
    for (const record of iterateRecords(buf, pos)) {
      if (record.offset < fromOffset) continue;
      if (!header.isControl) onRecord(record.key, record.value, txnProducerId);
      else if (onMarker) replayMarker(record.key, header.producerId, onMarker);
    }
    next = header.baseOffset + header.lastOffsetDelta + 1;
    pos += size;
  }
  return next;
}

function replayMarker(key: Buffer | null, producerId: number, onMarker: ReplayMarker): void {
  if (!key || key.length < MARKER_KEY_BYTES) return;
  const type = key.readInt16BE(2);
  if (type === MARKER_COMMIT || type === MARKER_ABORT) onMarker(producerId, type === MARKER_COMMIT);
}
