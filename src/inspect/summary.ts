/**
 * Per-file totals for `dump-log --summary`: batches, records, offset and timestamp
 * ranges, codecs, producer ids, valid and invalid bytes, problems found.
 */
import type { BatchInfo } from './batch.js';
import type { FileSummary } from './events.js';
import type { FileKind } from './files.js';

/** Distinct producer ids listed in a summary before it says "and more". */
export const MAX_LISTED_PRODUCER_IDS = 100;

export class SummaryBuilder {
  readonly s: FileSummary;
  private readonly pids = new Set<number>();

  constructor(kind: FileKind, bytes: number) {
    this.s = {
      kind,
      bytes,
      validBytes: 0,
      invalidBytes: 0,
      corruptBatchBytes: 0,
      batches: 0,
      records: 0,
      magics: {},
      controlBatches: 0,
      transactionalBatches: 0,
      firstOffset: null,
      lastOffset: null,
      minTimestamp: null,
      maxTimestamp: null,
      codecs: {},
      producerIds: [],
      producerIdsTruncated: false,
      entries: 0,
      problems: 0,
    };
  }

  batch(b: BatchInfo): void {
    const s = this.s;
    s.batches++;
    s.records += b.count ?? 1;
    s.magics[`v${b.magic}`] = (s.magics[`v${b.magic}`] ?? 0) + 1;
    s.codecs[b.compression] = (s.codecs[b.compression] ?? 0) + 1;
    if (b.isControl) s.controlBatches++;
    if (b.isTransactional) s.transactionalBatches++;
    if (s.firstOffset === null || b.baseOffset < s.firstOffset) s.firstOffset = b.baseOffset;
    if (s.lastOffset === null || b.lastOffset > s.lastOffset) s.lastOffset = b.lastOffset;
    if (b.maxTimestamp >= 0) {
      if (s.minTimestamp === null || b.maxTimestamp < s.minTimestamp) s.minTimestamp = b.maxTimestamp;
      if (s.maxTimestamp === null || b.maxTimestamp > s.maxTimestamp) s.maxTimestamp = b.maxTimestamp;
    }
    if (b.producerId >= 0 && !this.pids.has(b.producerId)) {
      if (this.pids.size < MAX_LISTED_PRODUCER_IDS) {
        this.pids.add(b.producerId);
        s.producerIds.push(b.producerId);
      } else s.producerIdsTruncated = true;
    }
  }

  /** Legacy compressed wrappers hold several records: count them once they are decoded. */
  innerRecords(n: number): void {
    this.s.records += n - 1;
  }

  /** A record's own timestamp (deep iteration) widens the range below the batch max. */
  recordTimestamp(ts: number): void {
    const s = this.s;
    if (ts < 0) return;
    if (s.minTimestamp === null || ts < s.minTimestamp) s.minTimestamp = ts;
    if (s.maxTimestamp === null || ts > s.maxTimestamp) s.maxTimestamp = ts;
  }
}
