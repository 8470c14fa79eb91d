/**
 * Crash-safe replacement of a group of segments by their cleaned copy, with Kafka's file
 * states: the copy is written as `<base>.{log,index,timeindex,txnindex}.cleaned` (deleted
 * on load: the old segments are intact), renamed to `.swap` (the log file last: a
 * `.log.swap` means a complete copy), then the old segments are renamed to `.deleted`
 * and the `.swap` files to their final names. Loading finishes an interrupted swap:
 * `completeInterruptedSwaps` runs before the log is opened.
 */
import { closeSync, existsSync, openSync, readSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { LOG_OVERHEAD, MAGIC_OFFSET } from '../../records/batch-header.js';
import { filenamePrefixFromOffset, parseBatchInfo } from '../segment.js';

export const CLEANED_SUFFIX = '.cleaned';
export const SWAP_SUFFIX = '.swap';
/** Index files before the log: the log file's state decides what a crash leaves. */
export const SEGMENT_FILE_SUFFIXES = ['.index', '.timeindex', '.txnindex', '.log'] as const;

/**
 * The steps of one group's replacement, in order. With `KTS_CLEANER_CRASH_AT=<step>` in
 * the environment the process kills itself there (crash tests).
 */
export const CLEANER_STEPS = ['cleaned-partial', 'cleaned', 'swap-indexes', 'swap-log', 'old-deleted', 'swapped-index', 'swapped'] as const;
export type CleanerStep = (typeof CLEANER_STEPS)[number];

export function crashPoint(step: CleanerStep, crashAt: string | undefined): void {
  if (crashAt === step) process.kill(process.pid, 'SIGKILL');
}

export function segmentFile(dir: string, baseOffset: number, suffix: string): string {
  return join(dir, filenamePrefixFromOffset(baseOffset) + suffix);
}

/** Rename the group's `.cleaned` files to `.swap`, the log last. */
export function cleanedToSwap(dir: string, baseOffset: number, crashAt: string | undefined): void {
  for (const suffix of SEGMENT_FILE_SUFFIXES) {
    if (suffix === '.log') crashPoint('swap-indexes', crashAt);
    const from = segmentFile(dir, baseOffset, suffix + CLEANED_SUFFIX);
    if (existsSync(from)) renameSync(from, segmentFile(dir, baseOffset, suffix + SWAP_SUFFIX));
  }
  crashPoint('swap-log', crashAt);
}

/** Rename the `.swap` files to their final names, the log last. */
export function swapToFinal(dir: string, baseOffset: number, crashAt: string | undefined): void {
  for (const suffix of SEGMENT_FILE_SUFFIXES) {
    if (suffix === '.log') crashPoint('swapped-index', crashAt);
    const from = segmentFile(dir, baseOffset, suffix + SWAP_SUFFIX);
    if (existsSync(from)) renameSync(from, segmentFile(dir, baseOffset, suffix));
  }
}

/** Remove whatever a cleaning left of the group starting at `baseOffset` (a swap refused). */
export function discardCleaned(dir: string, baseOffset: number): void {
  for (const suffix of SEGMENT_FILE_SUFFIXES) {
    rmSync(segmentFile(dir, baseOffset, suffix + CLEANED_SUFFIX), { force: true });
    rmSync(segmentFile(dir, baseOffset, suffix + SWAP_SUFFIX), { force: true });
  }
}

/** Offset after the last complete batch of a log file (headers only), or `baseOffset` if none. */
export function nextOffsetOfFile(path: string, baseOffset: number): number {
  const fd = openSync(path, 'r');
  try {
    const size = statSync(path).size;
    const head = Buffer.alloc(61);
    let next = baseOffset;
    for (let at = 0; at + LOG_OVERHEAD + 5 <= size;) {
      const got = readSync(fd, head, 0, head.length, at);
      if (got < LOG_OVERHEAD + 5 || (head.readInt8(MAGIC_OFFSET) >= 2 && got < 61)) break;
      const b = parseBatchInfo(head.subarray(0, got), 0, at);
      if (b.size < LOG_OVERHEAD + 5 || at + b.size > size) break;
      next = b.lastOffset + 1;
      at += b.size;
    }
    return next;
  } finally {
    closeSync(fd);
  }
}

/**
 * Kafka's load rules for leftovers of the cleaner in a partition directory: `.cleaned`
 * files go; a `.log.swap` is complete, so the segments it replaces go (by base offset
 * within its offset range) and it takes its final name, with its indexes rebuilt at load
 * (its txn index kept); `.swap` index files without their log go.
 */
export function completeInterruptedSwaps(dir: string): void {
  // Nearly every partition has no cleaner leftovers: one listing decides (a broker with
  // 10,000 partitions lists each directory at start).
  if (!readdirSync(dir).some((f) => f.endsWith(CLEANED_SUFFIX) || f.endsWith(SWAP_SUFFIX))) return;
  for (const f of readdirSync(dir)) if (f.endsWith(CLEANED_SUFFIX)) rmSync(join(dir, f), { force: true });
  const swaps = readdirSync(dir).filter((f) => /^\d{20}\.log\.swap$/.test(f)).map((f) => Number(f.slice(0, 20)));
  for (const base of swaps) {
    const next = Math.max(nextOffsetOfFile(segmentFile(dir, base, '.log' + SWAP_SUFFIX), base), base + 1);
    for (const f of readdirSync(dir)) {
      const m = /^(\d{20})\.(log|index|timeindex|txnindex)$/.exec(f);
      if (!m) continue;
      const b = Number(m[1]);
      // The swap's own txn index may already have its final name; old ones were renamed away first.
      if (b >= base && b < next && !(b === base && m[2] === 'txnindex' && !existsSync(segmentFile(dir, base, '.txnindex' + SWAP_SUFFIX)))) {
        rmSync(join(dir, f), { force: true });
      }
    }
    for (const suffix of ['.index', '.timeindex']) rmSync(segmentFile(dir, base, suffix + SWAP_SUFFIX), { force: true });
    swapToFinal(dir, base, undefined);
  }
  for (const f of readdirSync(dir)) if (f.endsWith(SWAP_SUFFIX)) rmSync(join(dir, f), { force: true });
}
