/**
 * What dump-log finds, as plain data: one event per line Kafka's tool would print (file
 * headers, batches, records, index entries, ...), the end-of-run reports Kafka prints on
 * stderr, kts's corruption findings and per-file summaries. Text and `--json` output are
 * both rendered from these objects; the JSON schema is exactly these shapes.
 */
import type { BatchInfo, RecordInfo, TimestampTypeName } from './batch.js';
import type { FileKind } from './files.js';
import type { AbortedTxn, ProducerSnapshotEntry } from './index-files.js';
import type { RecordLineFields } from './render-text.js';
import type { RecordTextWriter } from './record-text.js';

export type ProblemKind =
  | 'crc-mismatch'
  | 'torn-tail'
  | 'corrupt-entry'
  | 'decode-error'
  | 'offset-regression'
  | 'timestamp-regression'
  | 'index-entry-out-of-range'
  | 'index-mismatch'
  | 'index-not-monotonic'
  | 'time-index-mismatch'
  | 'sanity-check-failed'
  | 'corrupt-file'
  | 'segment-name-mismatch'
  | 'unreadable';

export interface RecordEvent extends RecordLineFields {
  type: 'record';
  path: string;
  magic: number;
  timestampType: TimestampTypeName;
  isControl: boolean;
  /** Decoded key / payload, only with --print-data-log (absent when null). */
  key?: string;
  payload?: string;
}

export interface FileSummary {
  kind: FileKind;
  bytes: number;
  /** Bytes of complete, well-formed entries whose CRC checks. */
  validBytes: number;
  /** The rest: a tail that is not entries, plus entries whose CRC fails. */
  invalidBytes: number;
  /** Of invalidBytes: whole entries whose CRC fails. */
  corruptBatchBytes: number;
  batches: number;
  /** Records per batch headers (v2) or per message (legacy; inner records with deep iteration). */
  records: number;
  magics: Record<string, number>;
  controlBatches: number;
  transactionalBatches: number;
  firstOffset: number | null;
  lastOffset: number | null;
  minTimestamp: number | null;
  maxTimestamp: number | null;
  codecs: Record<string, number>;
  producerIds: number[];
  /** Set when there were more distinct producer ids than `producerIds` lists. */
  producerIdsTruncated: boolean;
  /** Index / snapshot files: entries read. */
  entries: number;
  problems: number;
}

export type ReportKind = 'indexMismatch' | 'timeIndexMismatch' | 'timeIndexOutOfOrder' | 'indexedOffsetNotFound' | 'nonConsecutiveOffsets';

export type DumpEvent =
  | { type: 'file'; path: string; kind: FileKind }
  | { type: 'logStart'; path: string; baseOffset: number }
  | { type: 'snapshotStart'; path: string; endOffset: number; epoch: number }
  | { type: 'bootstrapSnapshot'; path: string }
  | ({ type: 'batch'; path: string } & BatchInfo)
  | RecordEvent
  | { type: 'invalidBytes'; path: string; name: string; position: number; count: number }
  | { type: 'indexEntry'; path: string; offset: number; position: number }
  | { type: 'timeIndexEntry'; path: string; timestamp: number; offset: number }
  | { type: 'indexEmpty'; path: string }
  | { type: 'sanityPassed'; path: string }
  | ({ type: 'abortedTxn'; path: string } & AbortedTxn)
  | ({ type: 'producerState'; path: string } & ProducerSnapshotEntry)
  | { type: 'checkpointHeader'; path: string; version: number; entries: number }
  | { type: 'checkpointEntry'; path: string; fields: Record<string, string | number> }
  | { type: 'ignored'; path: string }
  | { type: 'error'; path: string; message: string }
  /** severity warning: suspicious but possibly legitimate (CreateTime going backwards). */
  | { type: 'problem'; path: string; severity: 'error' | 'warning'; kind: ProblemKind; position: number | null; message: string }
  /** `more`: pairs found beyond the first MAX_REPORT_PAIRS, not listed. */
  | { type: 'report'; report: ReportKind; path: string; pairs: [number, number][]; more: number }
  | ({ type: 'summary'; path: string } & FileSummary);

/** Where the dumper sends events; `drain` lets output catch up (backpressure). */
export interface DumpSink {
  emit(event: DumpEvent): void;
  /**
   * A record, handed over unassembled so a text sink can print it without building a
   * RecordEvent (deep iteration spends its time here); `recordEvent` builds the event.
   */
  record?(path: string, batch: BatchInfo, record: RecordInfo, key: string | undefined, payload: string | undefined): void;
  /**
   * Text sinks: where the lines of v2 data records are written straight from the record
   * bytes, with no RecordInfo (null: this sink shows no records). Absent: records go to
   * `record` or `emit`.
   */
  readonly recordText?: RecordTextWriter | null;
  drain(): Promise<void>;
  /** True when output is waiting on the stream: the dumper then drains before the next entry. */
  readonly behind?: boolean;
}

/** The RecordEvent for a record of `batch` (what --json prints). */
export function recordEvent(path: string, batch: BatchInfo, rec: RecordInfo, key: string | undefined, payload: string | undefined): RecordEvent {
  const ev: RecordEvent = {
    type: 'record',
    path,
    magic: batch.magic,
    timestampType: batch.timestampType,
    isControl: batch.isControl,
    offset: rec.offset,
    timestamp: rec.timestamp,
    keySize: rec.keySize,
    valueSize: rec.valueSize,
  };
  if (rec.sequence !== undefined) ev.sequence = rec.sequence;
  if (rec.headerKeys !== undefined) ev.headerKeys = rec.headerKeys;
  if (rec.legacy !== undefined) ev.legacy = rec.legacy;
  if (rec.control !== undefined) ev.control = rec.control;
  if (key !== undefined) ev.key = key;
  if (payload !== undefined) ev.payload = payload;
  return ev;
}
