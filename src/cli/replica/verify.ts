/**
 * The comparison kafka-replica-verification.sh makes after each round of fetches: walk the
 * batches every replica returned from the same fetch offset, one batch of each replica at a
 * time, below each replica's high watermark; the last offsets must be equal (else the
 * replicas diverged and the tool stops), the checksums (batch CRC) should be (else it
 * reports the batch and goes on). The verified offset moves past every batch all replicas
 * hold; the lag is the highest high watermark minus it.
 */
import { LAST_OFFSET_DELTA_OFFSET, MAGIC_OFFSET, baseOffset, batchSize } from '../../records/batch-header.js';

export interface ReplicaData {
  brokerId: number;
  highWatermark: number;
  records: Buffer;
}

export type VerifyEvent =
  | { kind: 'offset-mismatch'; firstReplica: number; firstOffset: number; replica: number; offset: number }
  | { kind: 'checksum-mismatch'; offset: number; firstReplica: number; firstChecksum: number; replica: number; checksum: number };

export interface VerifyResult {
  /** The offset verified up to (the next fetch offset). */
  nextOffset: number;
  maxHighWatermark: number;
  events: VerifyEvent[];
  /** True when an offset mismatch stopped the walk (Kafka exits 1). */
  diverged: boolean;
}

interface BatchRef {
  lastOffset: number;
  nextOffset: number;
  checksum: number;
}

function* batches(records: Buffer): Generator<BatchRef> {
  for (let at = 0; at + 17 <= records.length; ) {
    const size = batchSize(records, at);
    if (at + size > records.length) return; // a partial batch at the end of a fetch
    const magic = records.readInt8(at + MAGIC_OFFSET);
    const base = baseOffset(records, at);
    // v2: the CRC after the magic byte and the last offset delta; v0/v1: the entry's CRC, its offset is the last.
    const lastOffset = magic >= 2 ? base + records.readInt32BE(at + LAST_OFFSET_DELTA_OFFSET) : base;
    const checksum = magic >= 2 ? records.readUInt32BE(at + 17) : records.readUInt32BE(at + 12);
    yield { lastOffset, nextOffset: lastOffset + 1, checksum };
    at += size;
  }
}

export function verifyPartition(fetchOffset: number, replicas: readonly ReplicaData[]): VerifyResult {
  const sorted = [...replicas].sort((a, b) => a.brokerId - b.brokerId);
  const iterators = sorted.map((r) => ({ r, it: batches(r.records) }));
  const maxHighWatermark = Math.max(-1, ...sorted.map((r) => r.highWatermark));
  const events: VerifyEvent[] = [];
  let nextOffset = fetchOffset;
  for (;;) {
    let first: { brokerId: number; batch: BatchRef } | undefined;
    let inAll = sorted.length > 0;
    for (const { r, it } of iterators) {
      const next = it.next();
      if (next.done || next.value.lastOffset >= r.highWatermark) {
        inAll = false;
        continue;
      }
      const batch = next.value;
      if (first === undefined) {
        first = { brokerId: r.brokerId, batch };
        continue;
      }
      if (first.batch.lastOffset !== batch.lastOffset) {
        events.push({ kind: 'offset-mismatch', firstReplica: first.brokerId, firstOffset: first.batch.lastOffset, replica: r.brokerId, offset: batch.lastOffset });
        return { nextOffset, maxHighWatermark, events, diverged: true };
      }
      if (first.batch.checksum !== batch.checksum) {
        events.push({ kind: 'checksum-mismatch', offset: batch.lastOffset, firstReplica: first.brokerId, firstChecksum: first.batch.checksum, replica: r.brokerId, checksum: batch.checksum });
      }
    }
    if (!inAll || first === undefined) break;
    nextOffset = first.batch.nextOffset;
  }
  return { nextOffset, maxHighWatermark, events, diverged: false };
}

/** Kafka's SimpleDateFormat("yyyy-MM-dd HH:mm:ss,SSS") in local time. */
export function kafkaDate(ms: number): string {
  const d = new Date(ms);
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())},${p(d.getMilliseconds(), 3)}`;
}

export function renderEvent(dateText: string, tp: string, e: VerifyEvent): string {
  return e.kind === 'offset-mismatch'
    ? `${dateText}: partition ${tp}: replica ${e.firstReplica}'s offset ${e.firstOffset} doesn't match replica ${e.replica}'s offset ${e.offset}\n`
    : `${dateText}: partition ${tp} has unmatched checksum at offset ${e.offset}; replica ${e.firstReplica}'s checksum ${e.firstChecksum}; replica ${e.replica}'s checksum ${e.checksum}\n`;
}

export function renderMaxLag(dateText: string, maxLag: number, tp: string | null, offset: number, partitions: number): string {
  return `${dateText}: max lag is ${maxLag} for partition ${tp ?? 'null'} at offset ${offset} among ${partitions} partitions\n`;
}
