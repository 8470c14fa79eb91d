/**
 * A quick walk over the records of a v2 batch for dump-log's deep iteration, with the
 * records module's quick reader (records/record-walk.ts). It vouches only for records the
 * careful reader reads the same way: at the first thing it is not sure of (a bad or
 * unusually long varint, a size that does not fit, a record count that does not match,
 * records that do not decompress) it stops and says how many records it handed over.
 * The caller then lets the records module walk the batch again, skipping those, so faults
 * are found and worded exactly as there.
 */
import { ATTR_COMPRESSION_MASK, LOG_OVERHEAD, MAGIC_OFFSET, RECORD_BATCH_OVERHEAD, RECORDS_COUNT_OFFSET, attributes } from '../records/batch-header.js';
import { decompress } from '../records/compression/index.js';
import type { RecordFields } from '../records/record-batch.js';
import { readRecordQuick } from '../records/record-walk.js';

/** walkV2Records's answer when every record was handed over and the batch checked out. */
export const WALK_COMPLETE = -1;

/**
 * Hand each record of the complete v2 entry at `buf[at]` to `onRecord`, as `f` (positions
 * in the data passed along: `buf`, or the decompressed records). Returns WALK_COMPLETE,
 * or the number of records handed over before it stopped short.
 */
export function walkV2Records(buf: Buffer, at: number, maxDecompressedBytes: number, f: RecordFields, onRecord: (f: RecordFields, data: Buffer) => void): number {
  if (buf.length - at < RECORD_BATCH_OVERHEAD || buf[at + MAGIC_OFFSET] !== 2) return 0;
  const batchLength = buf.readInt32BE(at + 8);
  if (batchLength < RECORD_BATCH_OVERHEAD - LOG_OVERHEAD || batchLength > buf.length - at - LOG_OVERHEAD) return 0;
  const count = buf.readInt32BE(at + RECORDS_COUNT_OFFSET);
  if (count < 0) return 0;
  let data = buf;
  let p = at + RECORD_BATCH_OVERHEAD;
  let end = at + LOG_OVERHEAD + batchLength;
  const codec = attributes(buf, at) & ATTR_COMPRESSION_MASK;
  if (codec !== 0) {
    try {
      data = decompress(codec, buf.subarray(p, end), maxDecompressedBytes);
    } catch {
      return 0;
    }
    p = 0;
    end = data.length;
  }
  if (count > (end - p) / 7 + 1) return 0;
  for (let i = 0; i < count; i++) {
    p = readRecordQuick(data, p, end, f);
    if (p < 0) return i;
    onRecord(f, data);
  }
  return p === end ? WALK_COMPLETE : count;
}
