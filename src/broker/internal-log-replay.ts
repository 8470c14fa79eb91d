/**
 * Start-up loading of a compacted internal topic (__consumer_offsets,
 * __transaction_state): every data record of one partition, log start to high watermark,
 * in order, read in bounded chunks of whole batches. Control batches (transaction
 * markers) carry no coordinator state and are skipped.
 */
import { LOG_OVERHEAD, RECORD_BATCH_OVERHEAD } from '../records/batch-header.js';
import { decodeBatchHeader, iterateRecords } from '../records/record-batch.js';
import type { BrokerPartitionLog } from './handler.js';

const LOAD_CHUNK_BYTES = 1024 * 1024;

export type ReplayRecord = (key: Buffer | null, value: Buffer | null) => void;

/** Hands every data record of `log` below its high watermark to `onRecord`, oldest first. */
export async function replayPartition(log: BrokerPartitionLog, onRecord: ReplayRecord): Promise<void> {
  let offset = log.logStartOffset;
  const end = log.highWatermark;
  while (offset < end) {
    const read = await log.read(offset, LOAD_CHUNK_BYTES, { maxOffset: end, minOneMessage: true });
    if (read.records.length === 0) break;
    const next = replayBatches(read.records, offset, onRecord);
    if (next <= offset) break;
    offset = next;
  }
}

/** Applies the whole batches in `buf`; returns the offset after the last one applied. */
function replayBatches(buf: Buffer, fromOffset: number, onRecord: ReplayRecord): number {
  let pos = 0;
  let next = fromOffset;
  while (buf.length - pos >= RECORD_BATCH_OVERHEAD) {
    const header = decodeBatchHeader(buf, pos);
    const size = LOG_OVERHEAD + header.batchLength;
    if (size > buf.length - pos) break;
    if (!header.isControl) {
      for (const record of iterateRecords(buf, pos)) {
        if (record.offset >= fromOffset) onRecord(record.key, record.value);
      }
    }
    next = header.baseOffset + header.lastOffsetDelta + 1;
    pos += size;
  }
  return next;
}
