/**
 * Pure renderers from DumpEvents to the lines Kafka's kafka-dump-log.sh prints (stdout
 * or stderr, as Kafka does), plus kts's own summary and corruption-report lines.
 */
import type { BatchInfo, ControlInfo, RecordInfo } from './batch.js';
import type { DumpEvent, FileSummary, ReportKind } from './events.js';

export interface RenderOptions {
  skipRecordMetadata: boolean;
}

export interface Rendered {
  out?: string;
  err?: string;
}

let cachedHigh = -1;
let cachedHighText = '';

/**
 * Decimal text of an int64 timestamp. V8 prints integers above 2^31 through its slow
 * double path (~0.5 µs); splitting off the low six digits, with the high part cached
 * (timestamps of neighbouring records share it), is several times faster.
 */
export function timestampText(value: number): string {
  if (value < 1_000_000 || !Number.isSafeInteger(value)) return String(value);
  const high = Math.floor(value / 1_000_000);
  const low = value - high * 1_000_000;
  if (high !== cachedHigh) {
    cachedHigh = high;
    cachedHighText = String(high);
  }
  return cachedHighText + (low < 100_000 ? String(low).padStart(6, '0') : String(low));
}

export function batchLine(b: BatchInfo): string {
  const head =
    b.magic >= 2
      ? `baseOffset: ${b.baseOffset} lastOffset: ${b.lastOffset} count: ${b.count} baseSequence: ${b.baseSequence} ` +
        `lastSequence: ${b.lastSequence} producerId: ${b.producerId} producerEpoch: ${b.producerEpoch} ` +
        `partitionLeaderEpoch: ${b.partitionLeaderEpoch} isTransactional: ${b.isTransactional} isControl: ${b.isControl} ` +
        `deleteHorizonMs: ${b.deleteHorizonMs === null ? 'OptionalLong.empty' : `OptionalLong[${b.deleteHorizonMs}]`}`
      : `offset: ${b.lastOffset}`;
  return (
    `${head} position: ${b.position} ${b.timestampType}: ${timestampText(b.maxTimestamp)} size: ${b.size} magic: ${b.magic} ` +
    `compresscodec: ${b.compression} crc: ${b.crc} isvalid: ${b.isValid}`
  );
}

/** The batch fields a record line needs. */
export interface RecordContext {
  magic: number;
  timestampType: string;
  isControl: boolean;
}

/** The record fields a record line needs (a RecordInfo or a RecordEvent). */
export type RecordLineFields = Pick<RecordInfo, 'offset' | 'timestamp' | 'keySize' | 'valueSize' | 'sequence' | 'headerKeys' | 'legacy' | 'control'>;

function controlText(c: ControlInfo | undefined): string {
  if (c === undefined) return '';
  if (c.kind === 'endTxn') return ` endTxnMarker: ${c.controlType} coordinatorEpoch: ${c.coordinatorEpoch}`;
  if (c.kind === 'kraft') return ` ${c.label} ${JSON.stringify(c.data)}`;
  return ` controlType: ${c.controlType}(${c.typeId})`;
}

export function recordLine(b: RecordContext, r: RecordLineFields, key: string | undefined, payload: string | undefined, opts: RenderOptions): string {
  let prefix = '| ';
  let line = '';
  if (!opts.skipRecordMetadata) {
    line = `${prefix}offset: ${r.offset} ${b.timestampType}: ${timestampText(r.timestamp)} keySize: ${r.keySize} valueSize: ${r.valueSize}`;
    prefix = ' ';
    if (b.magic >= 2) line += ` sequence: ${r.sequence} headerKeys: [${(r.headerKeys ?? []).join(',')}]`;
    if (r.legacy !== undefined) line += ` isValid: ${r.legacy.isValid} crc: ${r.legacy.crc}}`;
    if (b.isControl) line += controlText(r.control);
  }
  if (key !== undefined) {
    line += `${prefix}key: ${key}`;
    prefix = ' ';
  }
  if (payload !== undefined) line += ` payload: ${payload}`;
  return line;
}

const REPORT_TITLES: Record<ReportKind, (path: string) => string> = {
  indexMismatch: (p) => `Mismatches in :${p}`,
  timeIndexMismatch: (p) => `Found timestamp mismatch in :${p}`,
  timeIndexOutOfOrder: (p) => `Found out of order timestamp in :${p}`,
  indexedOffsetNotFound: () => 'The following indexed offsets are not found in the log.',
  nonConsecutiveOffsets: (p) => `Non-consecutive offsets in ${p}`,
};

const REPORT_PAIRS: Record<ReportKind, (a: number, b: number) => string> = {
  indexMismatch: (a, b) => `  Index offset: ${a}, log offset: ${b}`,
  timeIndexMismatch: (a, b) => `  Index timestamp: ${a}, log timestamp: ${b}`,
  timeIndexOutOfOrder: (a, b) => `  Index timestamp: ${a}, Previously indexed timestamp: ${b}`,
  indexedOffsetNotFound: (a, b) => `Indexed offset: ${a}, found log offset: ${b}`,
  nonConsecutiveOffsets: (a, b) => `  ${a} is followed by ${b}`,
};

function range(a: number | null, b: number | null): string {
  return a === null || b === null ? 'none' : `${a}..${b}`;
}

function counts(m: Record<string, number>): string {
  const parts = Object.entries(m).map(([k, v]) => `${k}=${v}`);
  return parts.length === 0 ? 'none' : parts.join(' ');
}

export function summaryText(path: string, s: FileSummary): string {
  const lines = [`Summary of ${path} (${s.kind})`];
  if (s.kind === 'log' || s.kind === 'kraft-snapshot') {
    lines.push(`  bytes: ${s.bytes} validBytes: ${s.validBytes} invalidBytes: ${s.invalidBytes}`);
    lines.push(`  batches: ${s.batches} records: ${s.records} controlBatches: ${s.controlBatches} transactionalBatches: ${s.transactionalBatches}`);
    lines.push(`  offsets: ${range(s.firstOffset, s.lastOffset)} timestamps: ${range(s.minTimestamp, s.maxTimestamp)}`);
    lines.push(`  magic: ${counts(s.magics)} codecs: ${counts(s.codecs)}`);
    const pids = s.producerIds.length === 0 ? 'none' : s.producerIds.join(',') + (s.producerIdsTruncated ? ',...' : '');
    lines.push(`  producerIds: ${pids}`);
  } else {
    lines.push(`  bytes: ${s.bytes} entries: ${s.entries}`);
  }
  lines.push(`  problems: ${s.problems}`);
  return lines.join('\n');
}

/** Kafka's text for an event; `undefined` fields print nothing. */
export function renderEvent(e: DumpEvent, opts: RenderOptions): Rendered {
  switch (e.type) {
    case 'file':
      return { out: `Dumping ${e.path}` };
    case 'logStart':
      return { out: `Log starting offset: ${e.baseOffset}` };
    case 'snapshotStart':
      return { out: `Snapshot end offset: ${e.endOffset}, epoch: ${e.epoch}` };
    case 'bootstrapSnapshot':
      return { out: 'KRaft bootstrap snapshot' };
    case 'batch':
      return { out: batchLine(e) };
    case 'record':
      return { out: recordLine(e, e, e.key, e.payload, opts) };
    case 'invalidBytes':
      return { out: `Found ${e.count} invalid bytes at the end of ${e.name}` };
    case 'indexEntry':
      return { out: `offset: ${e.offset} position: ${e.position}` };
    case 'timeIndexEntry':
      return { out: `timestamp: ${e.timestamp} offset: ${e.offset}` };
    case 'indexEmpty':
      return { out: `${e.path} is empty.` };
    case 'sanityPassed':
      return { out: `${e.path} passed sanity check.` };
    case 'abortedTxn':
      return {
        out: `version: ${e.version} producerId: ${e.producerId} firstOffset: ${e.firstOffset} lastOffset: ${e.lastOffset} lastStableOffset: ${e.lastStableOffset}`,
      };
    case 'producerState': {
      const txn = e.currentTxnFirstOffset === null ? 'OptionalLong.empty' : `OptionalLong[${e.currentTxnFirstOffset}]`;
      let line = `producerId: ${e.producerId} producerEpoch: ${e.producerEpoch} coordinatorEpoch: ${e.coordinatorEpoch} currentTxnFirstOffset: ${txn} lastTimestamp: ${e.lastTimestamp} `;
      const b = e.batch;
      if (b !== null) line += `firstSequence: ${b.firstSequence} lastSequence: ${b.lastSequence} lastOffset: ${b.lastOffset} offsetDelta: ${b.offsetDelta} timestamp: ${b.timestamp}`;
      return { out: line };
    }
    case 'checkpointHeader':
      return { out: `version: ${e.version} entries: ${e.entries}` };
    case 'checkpointEntry':
      return { out: Object.entries(e.fields).map(([k, v]) => `${k}: ${v}`).join(' ') };
    case 'ignored':
      return { err: `Ignoring unknown file ${e.path}` };
    case 'error':
      return { err: e.message };
    case 'report': {
      const lines = [REPORT_TITLES[e.report](e.path), ...e.pairs.map(([a, b]) => REPORT_PAIRS[e.report](a, b))];
      if (e.more > 0) lines.push(`  ... and ${e.more} more`);
      return { err: lines.join('\n') };
    }
    case 'problem':
      return { out: `${e.severity === 'error' ? 'Problem' : 'Warning'} in ${e.path}${e.position === null ? '' : ` at byte ${e.position}`}: ${e.kind}: ${e.message}` };
    case 'summary':
      return { out: summaryText(e.path, e) };
  }
}
