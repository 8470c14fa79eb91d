/**
 * Checks a partition replica's transaction index and producer snapshots against its log,
 * the way a read_committed Fetch depends on them: every aborted transaction with data
 * needs a `.txnindex` entry whose first offset is the producer's first transactional
 * batch after its previous marker (an earlier first offset hides committed transactions,
 * a later one shows aborted records), and a snapshot's open transactions must start where
 * the log says. Works on the files of either side (Kafka 1.1 or kts wrote them).
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ATTR_CONTROL, ATTR_TRANSACTIONAL, LOG_OVERHEAD } from '../../src/records/batch-header.js';
import { parseControlMarker } from '../../src/storage/partition-log.js';
import { snapshotEntries, snapshotOffsetsIn, snapshotProblem } from '../../src/storage/producer-state.js';
import { parseBatchInfo } from '../../src/storage/segment.js';
import { decodeAbortedTxns } from '../../src/storage/txn-index.js';

const ABORT = 0;

/** What disagrees between the log and its `.txnindex` / `.snapshot` files (empty: all agree). */
export function transactionIndexProblems(partitionDir: string): string[] {
  if (!existsSync(partitionDir)) return [];
  const names = readdirSync(partitionDir);
  const bases = names.filter((f) => /^\d{20}\.log$/.test(f)).map((f) => f.slice(0, 20)).sort();
  const problems: string[] = [];
  const open = new Map<number, number>();
  /** Producer id → first offset of its open transaction, before each offset a snapshot was taken at. */
  const openAt = new Map<number, Map<number, number>>();
  const snapshots = snapshotOffsetsIn(names);
  let nextSnapshot = 0;
  const passSnapshotsUpTo = (offset: number): void => {
    while (nextSnapshot < snapshots.length && snapshots[nextSnapshot]! <= offset) openAt.set(snapshots[nextSnapshot++]!, new Map(open));
  };
  for (const base of bases) {
    const log = readFileSync(join(partitionDir, `${base}.log`));
    const expected: string[] = [];
    for (let at = 0; at + LOG_OVERHEAD <= log.length;) {
      const size = LOG_OVERHEAD + log.readInt32BE(at + 8);
      if (size <= LOG_OVERHEAD || at + size > log.length) break;
      const b = parseBatchInfo(log, at, at);
      passSnapshotsUpTo(b.baseOffset);
      if (b.magic >= 2 && b.producerId >= 0) {
        if ((b.attributes & ATTR_CONTROL) !== 0) {
          const marker = parseControlMarker(log, at);
          const first = open.get(b.producerId);
          if (marker?.type === ABORT && first !== undefined) expected.push(`${b.producerId}:${first}-${b.lastOffset}`);
          if (marker !== undefined && marker.type <= 1) open.delete(b.producerId);
        } else if ((b.attributes & ATTR_TRANSACTIONAL) !== 0 && !open.has(b.producerId)) {
          open.set(b.producerId, b.baseOffset);
        }
      }
      at += size;
    }
    const indexPath = join(partitionDir, `${base}.txnindex`);
    const indexed = existsSync(indexPath) ? decodeAbortedTxns(readFileSync(indexPath)) : [];
    // kts also indexes an abort without data (first = last = the marker); Kafka does not: both are harmless.
    const actual = indexed.filter((e) => e.firstOffset !== e.lastOffset || expected.includes(`${e.producerId}:${e.firstOffset}-${e.lastOffset}`)).map((e) => `${e.producerId}:${e.firstOffset}-${e.lastOffset}`);
    const missing = expected.filter((e) => !actual.includes(e));
    const wrong = actual.filter((e) => !expected.includes(e));
    if (missing.length > 0 || wrong.length > 0) {
      problems.push(`${partitionDir}/${base}.txnindex: entries the log does not support: [${wrong.join(', ')}]; aborted transactions of the log missing: [${missing.join(', ')}] (producer:first-last)`);
    }
  }
  passSnapshotsUpTo(Number.MAX_SAFE_INTEGER);
  for (const offset of snapshots) {
    const bytes = readFileSync(join(partitionDir, `${String(offset).padStart(20, '0')}.snapshot`));
    if (snapshotProblem(bytes) !== null) continue;
    const logOpen = openAt.get(offset) ?? new Map<number, number>();
    for (const e of snapshotEntries(bytes)) {
      const fromLog = logOpen.get(e.producerId) ?? -1;
      if (e.currentTxnFirstOffset !== fromLog) {
        problems.push(`${partitionDir} snapshot at ${offset}: producer ${e.producerId}'s open transaction starts at ${e.currentTxnFirstOffset}, the log says ${fromLog}`);
      }
    }
  }
  return problems;
}
