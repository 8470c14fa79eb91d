/**
 * The quick record reader of v2 batches, shared by the hot loops (console output, dump-log's
 * deep iteration, time index rebuilds): each record's fields read straight from the bytes
 * into one reused RecordFields, the checks of readRecordFields (record-batch.ts, with its
 * ByteCursor) done as plain comparisons, no exception and no allocation. It vouches only
 * for what readRecordFields reads the same way: at the first thing it is not sure of (a bad
 * or unusually long varint, a size that does not fit) it answers -1, and the caller lets
 * the records module read the rest, so faults are found and worded exactly as there.
 */
import type { RecordFields } from './record-batch.js';
import { quickVarint, quickVarintEnd, quickVarlong } from '../protocol/varint.js';

/** The record at `d[p]` (bounded by `end`) into `f`; the position after it, or -1 where the records module should look. */
export function readRecordQuick(d: Uint8Array, p: number, end: number, f: RecordFields): number {
  const start = p;
  const length = quickVarint(d, p, end);
  if (quickVarintEnd < 0 || length < 0 || length > end - quickVarintEnd) return -1;
  p = quickVarintEnd;
  const recordEnd = p + length;
  if (p >= recordEnd) return -1;
  f.start = start;
  f.end = recordEnd;
  f.attributes = (d[p++]! << 24) >> 24;
  f.timestampDelta = quickVarlong(d, p, recordEnd);
  if (quickVarintEnd < 0) return -1;
  f.offsetDelta = quickVarint(d, quickVarintEnd, recordEnd);
  if (quickVarintEnd < 0) return -1;
  const keySize = quickVarint(d, quickVarintEnd, recordEnd);
  if (quickVarintEnd < 0 || keySize < -1 || keySize > recordEnd - quickVarintEnd) return -1;
  p = keySize < 0 ? quickVarintEnd : quickVarintEnd + keySize;
  f.keySize = keySize;
  f.keyStart = keySize < 0 ? p : p - keySize;
  const valueSize = quickVarint(d, p, recordEnd);
  if (quickVarintEnd < 0 || valueSize < -1 || valueSize > recordEnd - quickVarintEnd) return -1;
  p = valueSize < 0 ? quickVarintEnd : quickVarintEnd + valueSize;
  f.valueSize = valueSize;
  f.valueStart = valueSize < 0 ? p : p - valueSize;
  const headerCount = quickVarint(d, p, recordEnd);
  if (quickVarintEnd < 0 || headerCount < 0 || headerCount * 2 > recordEnd - quickVarintEnd) return -1;
  p = quickVarintEnd;
  f.headerCount = headerCount;
  f.headerSpans.length = 0;
  if (headerCount > 0) {
    p = readHeaders(d, p, recordEnd, headerCount, f.headerSpans);
    if (p < 0) return -1;
  }
  return p === recordEnd ? p : -1;
}

/** Header key and value spans, as the records module lists them; -1 on anything odd (a null key too). */
function readHeaders(d: Uint8Array, p: number, end: number, count: number, spans: number[]): number {
  for (let i = 0; i < count; i++) {
    const keySize = quickVarint(d, p, end);
    if (quickVarintEnd < 0 || keySize < 0 || keySize > end - quickVarintEnd) return -1;
    p = quickVarintEnd + keySize;
    spans.push(p - keySize, keySize);
    const valueSize = quickVarint(d, p, end);
    if (quickVarintEnd < 0 || valueSize < -1 || valueSize > end - quickVarintEnd) return -1;
    p = valueSize < 0 ? quickVarintEnd : quickVarintEnd + valueSize;
    spans.push(valueSize < 0 ? p : p - valueSize, valueSize);
  }
  return p;
}
