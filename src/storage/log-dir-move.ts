/**
 * Moving a partition between the log dirs of one broker (KIP-113, AlterReplicaLogDirs):
 * the partition is copied into the target dir as a future log,
 * `<topic>-<partition>.<uniqueId>-future` as Kafka names it, while it is still written;
 * the copy catches up in rounds, then LogManager swaps it in synchronously (no append can
 * interleave on Node's one thread) and deletes the old copy.
 *
 * The copy is of segment bytes, not of re-appended batches: a segment only grows by whole
 * batches, so copying `[copied, size)` always ends on a batch boundary and the future log
 * is byte-identical to the current one. A segment that shrank (truncation) is cut back,
 * one the cleaner replaced (a new LogSegment object) or retention removed is copied again
 * or dropped. Indexes are rebuilt when the future log is loaded at the swap.
 *
 * What a crash leaves, and what loading does with it (LogManager.recoverFutureLogs):
 * - current log + partial or complete future: the current one is live; the future dir is
 *   discarded and the move starts again to the same dir (the move resumes).
 * - old dir renamed `-delete` + complete future: the future is promoted (it was complete
 *   and fsynced before the old dir was renamed).
 * Never two live copies: the old dir is renamed away before the future takes its name.
 */
import { closeSync, copyFileSync, existsSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readdirSync, rmSync, writeSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { fsyncDir } from './checkpoint.js';
import type { LogSegment } from './segment.js';
import { filenamePrefixFromOffset } from './segment.js';

export const FUTURE_DIR_SUFFIX = '-future';

/**
 * The steps of a swap, in order. With `KTS_LOG_DIR_MOVE_CRASH_AT=<step>` in the environment
 * the process kills itself there (crash tests), as the cleaner's swap does.
 */
export const LOG_DIR_MOVE_STEPS = ['copying', 'copied', 'current-closed', 'current-renamed', 'future-renamed', 'swapped'] as const;
export type LogDirMoveStep = (typeof LOG_DIR_MOVE_STEPS)[number];

export function moveCrashPoint(step: LogDirMoveStep): void {
  if (process.env['KTS_LOG_DIR_MOVE_CRASH_AT'] === step) process.kill(process.pid, 'SIGKILL');
}

/** `<topic>-<partition>.<uniqueId>-future` (Kafka's UnifiedLog.logFutureDirName). */
export function futureDirName(topic: string, partition: number): string {
  return `${topic}-${partition}.${randomUUID().replaceAll('-', '')}${FUTURE_DIR_SUFFIX}`;
}

/** Topic and partition of a future dir name, or undefined for any other name. */
export function parseFutureDirName(name: string): [string, number] | undefined {
  const m = /^(.+)-(\d+)\.[0-9a-f]{32}-future$/.exec(name);
  return m ? [m[1]!, Number(m[2])] : undefined;
}

/** What the copier needs of the partition being moved. */
export interface MoveSource {
  readonly dir: string;
  readonly logEndOffset: number;
  allSegments(): readonly LogSegment[];
}

interface CopiedSegment {
  segment: LogSegment;
  bytes: number;
  /** Offset after the last batch copied from this segment. */
  nextOffset: number;
}

/** The future log of one partition being copied into `targetLogDir`. */
export class FutureLogCopy {
  readonly path: string;
  private readonly copied = new Map<number, CopiedSegment>();
  private leo = 0;

  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly targetLogDir: string,
    source: MoveSource,
  ) {
    this.path = join(targetLogDir, futureDirName(topic, partition));
    mkdirSync(this.path);
    const metadata = join(source.dir, 'partition.metadata');
    if (existsSync(metadata)) copyFileSync(metadata, join(this.path, 'partition.metadata'));
    fsyncDir(targetLogDir);
    this.leo = source.allSegments()[0]?.baseOffset ?? 0;
  }

  /** Bytes the future log holds. */
  get size(): number {
    let n = 0;
    for (const c of this.copied.values()) n += c.bytes;
    return n;
  }

  /** The future log's end offset: the offset after the last batch copied in order. */
  get logEndOffset(): number {
    return this.leo;
  }

  /** Copy up to `maxBytes` (at least one batch) of what the future log lacks; returns the bytes copied. */
  copyStep(source: MoveSource, maxBytes: number): number {
    const segments = source.allSegments();
    this.dropRemoved(segments);
    let budget = Math.max(1, maxBytes);
    let done = 0;
    let leo = segments[0]?.baseOffset ?? this.leo;
    for (let i = 0; i < segments.length; i++) {
      const s = segments[i]!;
      const c = this.reconcile(s);
      if (c.bytes < s.size && budget > 0) {
        const n = this.copyFrom(c, budget, i === segments.length - 1 ? source.logEndOffset : segments[i + 1]!.baseOffset);
        budget -= n;
        done += n;
      }
      if (c.bytes < c.segment.size) return this.setLeo(c.bytes > 0 ? c.nextOffset : s.baseOffset, done);
      leo = i === segments.length - 1 ? source.logEndOffset : segments[i + 1]!.baseOffset;
    }
    return this.setLeo(leo, done);
  }

  private setLeo(leo: number, done: number): number {
    this.leo = leo;
    return done;
  }

  /** True when the future log holds every byte of the current one. */
  isCaughtUp(source: MoveSource): boolean {
    const segments = source.allSegments();
    if (segments.length !== this.copied.size) return false;
    return segments.every((s) => {
      const c = this.copied.get(s.baseOffset);
      return c !== undefined && c.segment === s && c.bytes === s.size;
    });
  }

  /** Copy everything still missing and make the segments durable. */
  finish(source: MoveSource): void {
    while (!this.isCaughtUp(source)) this.copyStep(source, Number.MAX_SAFE_INTEGER);
    for (const c of this.copied.values()) fsyncFile(this.segmentPath(c.segment.baseOffset));
  }

  /**
   * After the current log is closed (flushed, indexes trimmed, producer snapshot taken):
   * copy its other files (indexes, producer snapshots, leader-epoch-checkpoint) so the
   * copy opens like the closed original, without a recovery pass; then fsync the dir.
   */
  copySideFiles(sourceDir: string): void {
    for (const name of readdirSync(sourceDir)) {
      if (name.endsWith('.log') || name === 'partition.metadata' || !/\.(index|timeindex|txnindex|snapshot)$|^leader-epoch-checkpoint$/.test(name)) continue;
      copyFileSync(join(sourceDir, name), join(this.path, name));
      fsyncFile(join(this.path, name));
    }
    fsyncDir(this.path);
  }

  /** Remove the future dir (the move was cancelled or replaced). */
  discard(): void {
    rmSync(this.path, { recursive: true, force: true });
  }

  private segmentPath(baseOffset: number): string {
    return join(this.path, `${filenamePrefixFromOffset(baseOffset)}.log`);
  }

  /** Segments retention or DeleteRecords removed from the current log leave the future one too. */
  private dropRemoved(segments: readonly LogSegment[]): void {
    const bases = new Set(segments.map((s) => s.baseOffset));
    for (const base of [...this.copied.keys()]) {
      if (bases.has(base)) continue;
      rmSync(this.segmentPath(base), { force: true });
      this.copied.delete(base);
    }
  }

  /** The copy state of `s`, cut back or restarted when the current segment shrank or was replaced. */
  private reconcile(s: LogSegment): CopiedSegment {
    let c = this.copied.get(s.baseOffset);
    if (c === undefined || c.segment !== s) {
      c = { segment: s, bytes: 0, nextOffset: s.baseOffset };
      this.copied.set(s.baseOffset, c);
      closeSync(openSync(this.segmentPath(s.baseOffset), 'w'));
    } else if (c.bytes > s.size) {
      const fd = openSync(this.segmentPath(s.baseOffset), 'r+');
      try {
        ftruncateSync(fd, s.size);
      } finally {
        closeSync(fd);
      }
      c.bytes = s.size;
      c.nextOffset = s.baseOffset;
      for (const b of s.batchesFrom(0)) c.nextOffset = b.lastOffset + 1;
    }
    return c;
  }

  /** Append up to `budget` bytes (whole batches, at least one) of `c.segment` to its future copy. */
  private copyFrom(c: CopiedSegment, budget: number, segmentEndOffset: number): number {
    const s = c.segment;
    let end = s.size;
    let nextOffset = segmentEndOffset;
    if (end - c.bytes > budget) {
      end = c.bytes;
      for (const b of s.batchesFrom(c.bytes)) {
        if (end > c.bytes && end + b.size - c.bytes > budget) break;
        end += b.size;
        nextOffset = b.lastOffset + 1;
      }
    }
    const bytes = s.readBytes(c.bytes, end - c.bytes);
    const fd = openSync(this.segmentPath(s.baseOffset), 'r+');
    try {
      let written = 0;
      while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written, c.bytes + written);
    } finally {
      closeSync(fd);
    }
    c.bytes += bytes.length;
    c.nextOffset = nextOffset;
    return bytes.length;
  }
}

function fsyncFile(path: string): void {
  const fd = openSync(path, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Future dirs found in a log dir (name → topic and partition). */
export function listFutureDirs(logDir: string): { name: string; topic: string; partition: number }[] {
  const out: { name: string; topic: string; partition: number }[] = [];
  for (const name of readdirSync(logDir)) {
    const tp = parseFutureDirName(name);
    if (tp) out.push({ name, topic: tp[0], partition: tp[1] });
  }
  return out;
}
