/**
 * Turns the records bytes of one partition in a Fetch response into consumer records:
 * walks the batches, v2 and legacy (a truncated last batch is normal: the broker cut at max bytes),
 * skips records before the fetch offset, control batches, and under read_committed the
 * batches of aborted transactions (Kafka's algorithm: the aborted-transaction list from
 * the response, closed by each producer's ABORT marker).
 *
 * The walk over entries (`walkFetchedEntries`) is shared with readers that want the
 * batches rather than records (the console consumer's byte path): both see exactly the
 * same batches, so they print the same records.
 */
import { CorruptDataError, KtsError } from '../util/errors.js';
import { TimestampType } from '../records/batch-header.js';
import { ControlRecordType, decodeControlRecordKey } from '../records/control.js';
import type { LegacyMessage } from '../records/legacy.js';
import { decodeLogEntry, type DecodedLogEntry, type LogEntry, scanLogEntries } from '../records/log-entries.js';
import type { KafkaRecord, RecordBatchHeader } from '../records/record-batch.js';
import type { ConsumerRecord } from './types.js';

export interface AbortedTransaction {
  producerId: number;
  firstOffset: number;
}

export interface DecodeFetchOptions {
  fetchOffset: number;
  readCommitted: boolean;
  abortedTransactions: readonly AbortedTransaction[];
  verifyCrc: boolean;
}

/**
 * The undecoded records of one partition from one Fetch response, with what is needed to
 * read them as the consumer would (`walkFetchedEntries`).
 */
export interface FetchedRecords extends DecodeFetchOptions {
  topic: string;
  partition: number;
  /** The partition's records bytes as the broker sent them (a view into the response). */
  bytes: Buffer;
}

export interface DecodedFetch {
  records: ConsumerRecord[];
  /** Where the next fetch starts: after the last complete batch seen, or at a corrupt one. */
  nextOffset: number;
  /** The entry that stopped the walk; the records before it are in `records`. */
  corrupt: CorruptRecordsError | null;
}

/**
 * An entry whose records the consumer delivers (those at or after the fetch offset): a v2
 * data batch that is not part of an aborted transaction, or a legacy entry. Its header was
 * checked, and its CRC when verifyCrc; its records are decoded lazily.
 */
export type DeliveredEntry = (entry: LogEntry, decoded: DecodedLogEntry) => void;

/**
 * Walk the complete entries of `buf` in order, calling `onEntry` for each one to deliver
 * (control batches and, under read_committed, aborted batches are consumed here).
 * Returns the next fetch offset. Throws CorruptDataError on bytes that cannot be entries.
 */
/**
 * A fetched entry that does not decode (bad CRC, bad header, bytes that are not entries).
 * The entries before it were delivered; `offset` is where the bad one starts and `skipTo`
 * the offset after it (-1 when its extent is unknown: nothing after it can be read).
 */
export class CorruptRecordsError extends KtsError {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly skipTo: number;
  /** `reason` says what is wrong with the entry (byte positions in the fetched data mean nothing to a user). */
  constructor(tp: { topic: string; partition: number }, offset: number, skipTo: number, reason: string, options?: { cause?: unknown }) {
    super('KTS_CORRUPT', reason.replace(/ \(at byte \d+\)$/, ''), undefined, options);
    this.name = 'CorruptRecordsError';
    this.topic = tp.topic;
    this.partition = tp.partition;
    this.offset = offset;
    this.skipTo = skipTo;
  }
}

export function walkFetchedEntries(
  tp: { topic: string; partition: number },
  buf: Buffer,
  options: DecodeFetchOptions,
  onEntry: DeliveredEntry,
): number {
  let nextOffset = options.fetchOffset;
  const pending = [...options.abortedTransactions].sort((a, b) => a.firstOffset - b.firstOffset);
  const aborted = new Set<number>();
  // A partial last entry is normal (the broker cut the response at max bytes): the scan stops there.
  const scan = scanLogEntries(buf);
  for (const entry of scan) {
    let decoded: DecodedLogEntry;
    try {
      decoded = decodeLogEntry(entry, { verifyCrc: options.verifyCrc });
    } catch (err) {
      if (!(err instanceof CorruptDataError)) throw err;
      // Wholly before the fetch offset (a skipped bad batch, fetched again): not needed.
      if (entry.lastOffset < options.fetchOffset) continue;
      throw new CorruptRecordsError(tp, Math.max(entry.baseOffset, options.fetchOffset), entry.lastOffset + 1, err.message, { cause: err });
    }
    if (decoded.magic === 2) {
      const header = decoded.header;
      if (options.readCommitted) {
        while (pending.length > 0 && pending[0]!.firstOffset <= entry.lastOffset) aborted.add(pending.shift()!.producerId);
      }
      if (header.isControl) {
        if (options.readCommitted) closeAbortedTransaction(decoded.records, header.producerId, aborted);
      } else if (!(options.readCommitted && header.isTransactional && aborted.has(header.producerId))) {
        onEntry(entry, decoded);
      }
    } else {
      onEntry(entry, decoded);
    }
    nextOffset = Math.max(nextOffset, entry.lastOffset + 1);
  }
  if (scan.stop?.kind === 'invalid') {
    throw new CorruptRecordsError(tp, nextOffset, -1, scan.stop.reason);
  }
  return nextOffset;
}

export function decodeFetchedRecords(topic: string, partition: number, buf: Buffer, options: DecodeFetchOptions): DecodedFetch {
  const records: ConsumerRecord[] = [];
  const deliver: DeliveredEntry = (_entry, decoded) => {
    if (decoded.magic === 2) {
      for (const r of decoded.records) {
        if (r.offset >= options.fetchOffset) records.push(fromBatchRecord(topic, partition, r, decoded.header));
      }
    } else {
      for (const m of decoded.messages) {
        if (m.offset >= options.fetchOffset) records.push(fromLegacyMessage(topic, partition, m));
      }
    }
  };
  try {
    return { records, nextOffset: walkFetchedEntries({ topic, partition }, buf, options, deliver), corrupt: null };
  } catch (err) {
    if (!(err instanceof CorruptRecordsError)) throw err;
    return { records, nextOffset: err.offset, corrupt: err };
  }
}

/** The records of one fetched partition, decoded (the consumer's poll() path). */
export function decodeFetched(f: FetchedRecords): ConsumerRecord[] {
  const decoded = decodeFetchedRecords(f.topic, f.partition, f.bytes, f);
  if (decoded.corrupt) throw decoded.corrupt;
  return decoded.records;
}

function fromBatchRecord(topic: string, partition: number, r: KafkaRecord, header: RecordBatchHeader): ConsumerRecord {
  return {
    topic,
    partition,
    offset: r.offset,
    timestampMs: r.timestampMs,
    timestampType: header.timestampType === TimestampType.LogAppendTime ? 'LogAppendTime' : 'CreateTime',
    key: r.key,
    value: r.value,
    headers: r.headers,
    leaderEpoch: header.partitionLeaderEpoch,
  };
}

export function fromLegacyMessage(topic: string, partition: number, m: LegacyMessage): ConsumerRecord {
  const timestampType =
    m.timestampType === TimestampType.LogAppendTime ? 'LogAppendTime' : m.timestampType === TimestampType.CreateTime ? 'CreateTime' : 'NoTimestampType';
  return { topic, partition, offset: m.offset, timestampMs: m.timestampMs, timestampType, key: m.key, value: m.value, headers: [], leaderEpoch: null };
}

function closeAbortedTransaction(records: Iterable<KafkaRecord>, producerId: number, aborted: Set<number>): void {
  for (const r of records) {
    if (decodeControlRecordKey(r.key).type === ControlRecordType.Abort) aborted.delete(producerId);
  }
}
