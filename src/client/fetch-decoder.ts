/**
 * Turns the records bytes of one partition in a Fetch response into consumer records:
 * walks the batches, v2 and legacy (a truncated last batch is normal: the broker cut at max bytes),
 * skips records before the fetch offset, control batches, and under read_committed the
 * batches of aborted transactions (Kafka's algorithm: the aborted-transaction list from
 * the response, closed by each producer's ABORT marker).
 */
import { CorruptDataError } from '../util/errors.js';
import { TimestampType } from '../records/batch-header.js';
import { ControlRecordType, decodeControlRecordKey } from '../records/control.js';
import type { LegacyMessage } from '../records/legacy.js';
import { decodeLogEntry, scanLogEntries } from '../records/log-entries.js';
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

export interface DecodedFetch {
  records: ConsumerRecord[];
  /** Where the next fetch starts: after the last complete batch seen. */
  nextOffset: number;
}

export function decodeFetchedRecords(topic: string, partition: number, buf: Buffer, options: DecodeFetchOptions): DecodedFetch {
  const records: ConsumerRecord[] = [];
  let nextOffset = options.fetchOffset;
  const pending = [...options.abortedTransactions].sort((a, b) => a.firstOffset - b.firstOffset);
  const aborted = new Set<number>();
  // A partial last entry is normal (the broker cut the response at max bytes): the scan stops there.
  const scan = scanLogEntries(buf);
  for (const entry of scan) {
    const decoded = decodeLogEntry(entry, { verifyCrc: options.verifyCrc });
    if (decoded.magic === 2) {
      const header = decoded.header;
      if (options.readCommitted) {
        while (pending.length > 0 && pending[0]!.firstOffset <= entry.lastOffset) aborted.add(pending.shift()!.producerId);
      }
      if (header.isControl) {
        if (options.readCommitted) closeAbortedTransaction(decoded.records, header.producerId, aborted);
      } else if (!(options.readCommitted && header.isTransactional && aborted.has(header.producerId))) {
        for (const r of decoded.records) {
          if (r.offset >= options.fetchOffset) records.push(fromBatchRecord(topic, partition, r, header));
        }
      }
    } else {
      for (const m of decoded.messages) {
        if (m.offset >= options.fetchOffset) records.push(fromLegacyMessage(topic, partition, m));
      }
    }
    nextOffset = Math.max(nextOffset, entry.lastOffset + 1);
  }
  if (scan.stop?.kind === 'invalid') {
    throw new CorruptDataError(`fetched records of ${topic}-${partition}: ${scan.stop.reason}`, scan.stop.position);
  }
  return { records, nextOffset };
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

function fromLegacyMessage(topic: string, partition: number, m: LegacyMessage): ConsumerRecord {
  const timestampType =
    m.timestampType === TimestampType.LogAppendTime ? 'LogAppendTime' : m.timestampType === TimestampType.CreateTime ? 'CreateTime' : 'NoTimestampType';
  return { topic, partition, offset: m.offset, timestampMs: m.timestampMs, timestampType, key: m.key, value: m.value, headers: [], leaderEpoch: null };
}

function closeAbortedTransaction(records: Iterable<KafkaRecord>, producerId: number, aborted: Set<number>): void {
  for (const r of records) {
    if (decodeControlRecordKey(r.key).type === ControlRecordType.Abort) aborted.delete(producerId);
  }
}
