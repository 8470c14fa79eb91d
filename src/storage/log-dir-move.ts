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
 * Progress is durable as the copy goes: `kts-move-progress.json` in the future dir names
 * each segment's copied length, and is rewritten (atomically, fsynced) after a closed segment
 * is copied or PROGRESS_RECORD_BYTES more are, at most once per PROGRESS_RECORD_INTERVAL_MS
 * (each record costs fsyncs: a crash copies again at most about that long's work), when
 * the copy is complete, and at a clean stop; a segment's
 * bytes are fsynced before a record names them, and a record stops naming a segment before
 * its copy is cut back or removed. A stop (LogManager.close) does not finish a move.
 *
 * What a crash or a stop leaves, and what loading does with it (LogManager.recoverFutureLogs):
 * - current log + future: the current one is live; the move goes on from the record
 *   (FutureLogCopy.resume): each recorded segment is kept if it is still a batch-aligned
 *   prefix of the current segment of that base offset whose last batch has the same bytes
 *   in both, cut back to the recorded length; everything else in the future dir is copied
 *   again.
 * - old dir renamed `-delete` + complete future: the future is promoted (it was complete
 *   and fsynced before the old dir was renamed).
 * Never two live copies: the old dir is renamed away before the future takes its name.
 */
import { closeSync, constants, copyFileSync, existsSync, fstatSync, fsync, fsyncSync, ftruncateSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { promisify } from 'node:util';
import { copyFile as copyFileAsync } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { basename, join } from 'node:path';
import { fsyncDir, writeFileAtomic } from './checkpoint.js';
import type { LogSegment } from './segment.js';
import { filenamePrefixFromOffset } from './segment.js';

export const FUTURE_DIR_SUFFIX = '-future';
/** A move's durable progress, in its future dir (see above). */
export const MOVE_PROGRESS_FILE = 'kts-move-progress.json';
/** Bytes copied that call for a progress record (as a closed segment copied does). */
export const PROGRESS_RECORD_BYTES = 8 * 1024 * 1024;
/** The least time between two progress records while copying. */
export const PROGRESS_RECORD_INTERVAL_MS = 1000;
const fsyncAsync = promisify(fsync);

/**
 * The steps of a move, in order (`segment-copied-off-thread`: a whole segment copied on
 * libuv's threads, before it is renamed into the future dir). With `KTS_LOG_DIR_MOVE_CRASH_AT=<step>` in the environment
 * the process kills itself there (crash tests), as the cleaner's swap does.
 */
export const LOG_DIR_MOVE_STEPS = ['copying', 'segment-copied-off-thread', 'copied', 'current-closed', 'current-renamed', 'future-renamed', 'swapped'] as const;
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
  /** Made durable already (copied off the event loop and fsynced there). */
  synced: boolean;
  /** The segment's truncationCount when `bytes` were copied: a cut since may have changed bytes below its size. */
  truncations: number;
}

/** The future log of one partition being copied into `targetLogDir`. */
export class FutureLogCopy {
  readonly path: string;
  private readonly copied = new Map<number, CopiedSegment>();
  /** Closed segments being copied whole on libuv's threads (base offset → copy state). */
  private readonly offThread = new Map<number, CopiedSegment>();
  private discarded = false;
  private abandoned = false;
  private leo = 0;
  /** What the progress record on disk names (base offset → bytes copied and fsynced). */
  private readonly recorded = new Map<number, number>();
  /** Bytes copied since the last progress record. */
  private unrecordedBytes = 0;
  private lastRecordMs = 0;

  /** `existingPath`: a stopped move's future dir to go on with (FutureLogCopy.resume). */
  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly targetLogDir: string,
    source: MoveSource,
    existingPath?: string,
  ) {
    this.path = existingPath ?? join(targetLogDir, futureDirName(topic, partition));
    if (existingPath === undefined) mkdirSync(this.path);
    const metadata = join(source.dir, 'partition.metadata');
    if (existsSync(metadata)) copyFileSync(metadata, join(this.path, 'partition.metadata'));
    fsyncDir(targetLogDir);
    this.leo = source.allSegments()[0]?.baseOffset ?? 0;
  }

  /**
   * Go on with a move stopped or cut short by a crash (its future dir at `path` has
   * MOVE_PROGRESS_FILE): segments recorded there that are still a batch-aligned prefix of the
   * current segment of the same base offset, ending with a batch whose bytes are the same in
   * both, are kept (cut back to the recorded length: a crash may have left more); the others
   * are copied again. Undefined without a usable record (the caller starts the copy again).
   */
  static resume(topic: string, partition: number, targetLogDir: string, path: string, source: MoveSource): FutureLogCopy | undefined {
    const recorded = readMoveProgress(path);
    if (recorded === undefined) return undefined;
    const copy = new FutureLogCopy(topic, partition, targetLogDir, source, path);
    const segments = source.allSegments();
    const kept = new Set<string>([MOVE_PROGRESS_FILE, 'partition.metadata']);
    for (const r of recorded) {
      const i = segments.findIndex((s) => s.baseOffset === r.baseOffset);
      const s = segments[i];
      const file = copy.segmentPath(r.baseOffset);
      if (s === undefined || r.bytes <= 0 || r.bytes > s.size) continue;
      const end = keptPrefixEnd(s, file, r.bytes);
      if (end === undefined) continue;
      const nextOffset = r.bytes === s.size && i < segments.length - 1 ? segments[i + 1]!.baseOffset : end;
      copy.copied.set(s.baseOffset, { segment: s, bytes: r.bytes, nextOffset, synced: true, truncations: s.truncationCount });
      copy.recorded.set(s.baseOffset, r.bytes);
      kept.add(basename(file));
    }
    // Anything else in the dir (a segment not recorded or not kept, a copy that was running,
    // side files of a swap that did not happen) goes; the record then names only what is kept.
    for (const name of readdirSync(path)) if (!kept.has(name)) rmSync(join(path, name), { force: true, recursive: true });
    copy.writeRecord();
    return copy;
  }

  /**
   * The engine is stopping: make what was copied durable and record it for FutureLogCopy.resume.
   * Copies still running off the event loop are not recorded (they are redone).
   */
  suspend(): void {
    this.abandon();
    if (this.discarded) return;
    this.recordProgress();
  }

  /** fsync what was copied and not synced yet, then record every copied segment (durably). */
  private recordProgress(): void {
    this.recorded.clear();
    for (const c of this.copied.values()) {
      if (c.bytes === 0 || this.offThread.has(c.segment.baseOffset)) continue;
      if (!c.synced) fsyncFile(this.segmentPath(c.segment.baseOffset));
      c.synced = true;
      this.recorded.set(c.segment.baseOffset, c.bytes);
    }
    this.writeRecord();
    this.unrecordedBytes = 0;
    this.lastRecordMs = Date.now();
  }

  /** A progress record, unless one was written less than PROGRESS_RECORD_INTERVAL_MS ago. */
  private recordProgressNow(): void {
    if (Date.now() - this.lastRecordMs >= PROGRESS_RECORD_INTERVAL_MS) this.recordProgress();
  }

  /** Write the progress record naming `this.recorded` (atomically, fsynced). */
  private writeRecord(): void {
    const segments = [...this.recorded].map(([baseOffset, bytes]) => ({ baseOffset, bytes }));
    writeFileAtomic(join(this.path, MOVE_PROGRESS_FILE), `${JSON.stringify({ version: 1, segments })}\n`, { sync: true });
  }

  /** Before a recorded segment's copy is cut back or removed: the record stops naming it. */
  private unrecord(baseOffset: number): void {
    if (!this.recorded.delete(baseOffset)) return;
    this.writeRecord();
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

  /** True while closed segments are being copied off the event loop (the swap waits for them). */
  get copyingOffThread(): boolean {
    return this.offThread.size > 0;
  }

  /**
   * Copy up to `maxBytes` (at least one batch) of what the future log lacks; returns the
   * bytes copied. With `offThread`, segments not started yet are left to
   * startOffThreadCopies (unless their file cannot be copied whole).
   */
  copyStep(source: MoveSource, maxBytes: number, offThread = false): number {
    const segments = source.allSegments();
    this.dropRemoved(segments);
    let budget = Math.max(1, maxBytes);
    let done = 0;
    let leo: number | undefined;
    let closedSegmentCopied = false;
    for (let i = 0; i < segments.length; i++) {
      const s = segments[i]!;
      const c = this.reconcile(s);
      const last = i === segments.length - 1;
      const skip = (): boolean => this.offThread.has(s.baseOffset) || (offThread && c.bytes === 0 && s.size > 0 && holdsExactly(s));
      if (c.bytes < s.size && budget > 0 && !skip()) {
        const n = this.copyFrom(c, budget, last ? source.logEndOffset : segments[i + 1]!.baseOffset);
        budget -= n;
        done += n;
        closedSegmentCopied ||= !last && c.bytes === s.size;
      }
      if (c.bytes < s.size) {
        leo ??= c.bytes > 0 ? c.nextOffset : s.baseOffset;
        if (budget <= 0) break;
      }
    }
    this.leo = leo ?? (segments.length > 0 ? source.logEndOffset : this.leo);
    this.unrecordedBytes += done;
    if (closedSegmentCopied || this.unrecordedBytes >= PROGRESS_RECORD_BYTES) this.recordProgressNow();
    return done;
  }

  /**
   * Start copying segments not copied yet, whole, on libuv's threads (copy_file_range or a
   * reflink, then fsync), at most `maxConcurrent` at once (one copies while the other
   * fsyncs; the thread pool of four is shared with
   * the broker's other file work): an unthrottled move then costs the event loop only the
   * tail appended to the active segment meanwhile. `onDone` is called after each copy.
   */
  startOffThreadCopies(source: MoveSource, onDone: () => void, maxConcurrent = 2): void {
    const segments = source.allSegments();
    this.dropRemoved(segments);
    for (let i = 0; i < segments.length && this.offThread.size < maxConcurrent; i++) {
      const s = segments[i]!;
      const c = this.reconcile(s);
      // An empty segment has nothing to copy (and a copy of it would leave `bytes` at 0, so it
      // would be started again and again, and the move, waiting for copies, never finish).
      if (s.size === 0 || c.bytes > 0 || this.offThread.has(s.baseOffset) || !holdsExactly(s)) continue;
      this.offThread.set(s.baseOffset, c);
      const endOffset = i === segments.length - 1 ? source.logEndOffset : segments[i + 1]!.baseOffset;
      void this.copyOffThread(source, c, endOffset).finally(onDone);
    }
  }

  /**
   * Copy `c.segment` to a `.copying` file, keep its first `size` bytes (the segment's size
   * now: the active segment may grow meanwhile, by appends past that size only), and rename
   * it into place, if the segment still holds those bytes (not removed, replaced by the
   * cleaner, or cut back); otherwise drop it: the next step copies the segment again.
   */
  private async copyOffThread(source: MoveSource, c: CopiedSegment, endOffset: number): Promise<void> {
    const s = c.segment;
    const size = s.size;
    const truncations = s.truncationCount;
    const target = this.segmentPath(s.baseOffset);
    const tmp = `${target}.copying`;
    let copied = false;
    try {
      // Two trips to the thread pool (the copy, the fsync): on a busy machine each trip waits
      // for both threads to be scheduled; the metadata calls between are quick, done here.
      await copyFileAsync(s.path, tmp, constants.COPYFILE_FICLONE);
      const fd = openSync(tmp, 'r+');
      try {
        // Bytes past `size` are appends made during the copy (or a preallocated file's zeros).
        if (fstatSync(fd).size >= size) {
          ftruncateSync(fd, size);
          await fsyncAsync(fd);
          copied = true;
        }
      } finally {
        closeSync(fd);
      }
    } catch {
      // The segment was deleted or renamed meanwhile, or the move discarded: copied again (or not needed).
    }
    if (this.offThread.get(s.baseOffset) === c) this.offThread.delete(s.baseOffset);
    try {
      const unchanged = copied && !this.discarded && !this.abandoned && this.copied.get(s.baseOffset) === c && c.bytes === 0
        && s.size >= size && s.truncationCount === truncations && source.allSegments().includes(s);
      if (unchanged) {
        moveCrashPoint('segment-copied-off-thread');
        renameSync(tmp, target);
        Object.assign(c, { bytes: size, nextOffset: endOffset, synced: true, truncations });
        this.recordProgressNow();
      } else {
        rmSync(tmp, { force: true });
      }
    } catch {
      // The future dir or the log is gone (the move was discarded, the broker stopped): nothing to keep.
    }
    if (this.discarded && this.offThread.size === 0) rmSync(this.path, { recursive: true, force: true });
  }

  /** True when the future log holds every byte of the current one. */
  isCaughtUp(source: MoveSource): boolean {
    const segments = source.allSegments();
    if (segments.length !== this.copied.size) return false;
    return segments.every((s) => {
      const c = this.copied.get(s.baseOffset);
      return c !== undefined && c.segment === s && c.bytes === s.size && c.truncations === s.truncationCount;
    });
  }

  /** Copy everything still missing and make the segments durable (not while copies run off the event loop). */
  finish(source: MoveSource): void {
    if (this.copyingOffThread) throw new Error(`The move of ${this.topic}-${this.partition} cannot finish while segments are being copied`);
    while (!this.isCaughtUp(source)) this.copyStep(source, Number.MAX_SAFE_INTEGER);
    // Every segment fsynced and recorded: a crash during the swap resumes with nothing to copy.
    this.recordProgress();
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

  /** Leave the future dir as it is (the logs are closing): copies still running only remove their own file. */
  abandon(): void {
    this.abandoned = true;
  }

  /** Remove the future dir (the move was cancelled or replaced). */
  discard(): void {
    this.discarded = true;
    // A copy running on another thread may still create its file in the dir: the last one removes it.
    if (this.offThread.size === 0) rmSync(this.path, { recursive: true, force: true });
  }

  segmentPath(baseOffset: number): string {
    return join(this.path, `${filenamePrefixFromOffset(baseOffset)}.log`);
  }

  /** Segments retention or DeleteRecords removed from the current log leave the future one too. */
  private dropRemoved(segments: readonly LogSegment[]): void {
    const bases = new Set(segments.map((s) => s.baseOffset));
    for (const base of [...this.copied.keys()]) {
      if (bases.has(base)) continue;
      this.unrecord(base);
      rmSync(this.segmentPath(base), { force: true });
      this.copied.delete(base);
    }
  }

  /** The copy state of `s`, cut back or restarted when the current segment shrank or was replaced. */
  private reconcile(s: LogSegment): CopiedSegment {
    let c = this.copied.get(s.baseOffset);
    if (c === undefined || c.segment !== s) {
      this.unrecord(s.baseOffset);
      c = { segment: s, bytes: 0, nextOffset: s.baseOffset, synced: false, truncations: s.truncationCount };
      this.copied.set(s.baseOffset, c);
      closeSync(openSync(this.segmentPath(s.baseOffset), 'w'));
    } else if (c.truncations !== s.truncationCount) {
      // Cut back since the copy (a follower truncating), perhaps written again past the copy's
      // length: the copy may hold other bytes than the segment below its size. Copied again.
      this.unrecord(s.baseOffset);
      const fd = openSync(this.segmentPath(s.baseOffset), 'r+');
      try {
        ftruncateSync(fd, 0);
      } finally {
        closeSync(fd);
      }
      Object.assign(c, { bytes: 0, nextOffset: s.baseOffset, synced: false, truncations: s.truncationCount });
    }
    return c;
  }


  /**
   * Append up to `budget` bytes (whole batches, at least one) of `c.segment` to its future
   * copy. A segment that fits the budget whole is copied by the kernel (copy_file_range or a
   * reflink, through fs.copyFile: 3-5x faster than through user space): appends are
   * synchronous on this thread, so its file holds exactly its bytes now. The rest goes
   * through one reused buffer in 1 MiB reads and writes (a fresh buffer the size of the copy
   * costs more in page faults than the copy itself).
   */
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
    const start = c.bytes;
    if (start === 0 && end === s.size && this.copyWholeSegment(s)) {
      c.bytes = end;
    } else {
      const fd = openSync(this.segmentPath(s.baseOffset), 'r+');
      try {
        copyRange(s, fd, start, end);
      } finally {
        closeSync(fd);
      }
      c.bytes = end;
    }
    c.nextOffset = nextOffset;
    c.synced = false;
    return end - start;
  }

  /** Copy a segment's file whole when it holds exactly the segment's bytes (not a preallocated file); false otherwise. */
  private copyWholeSegment(s: LogSegment): boolean {
    if (!holdsExactly(s)) return false;
    const target = this.segmentPath(s.baseOffset);
    copyFileSync(s.path, target, constants.COPYFILE_FICLONE);
    if (statSync(target).size === s.size) return true;
    closeSync(openSync(target, 'w'));
    return false;
  }
}

/** True when the segment's file holds exactly its bytes (not a preallocated file): it can be copied whole. */
function holdsExactly(s: LogSegment): boolean {
  try {
    return statSync(s.path).size === s.size;
  } catch {
    return false;
  }
}

/** Bytes per read and write of a chunked copy. */
const COPY_CHUNK_BYTES = 1024 * 1024;
let copyChunk: Buffer | undefined;

/** Copy `[start, end)` of segment `s` to the same positions of the file open as `fd`. */
function copyRange(s: LogSegment, fd: number, start: number, end: number): void {
  copyChunk ??= Buffer.allocUnsafe(COPY_CHUNK_BYTES);
  for (let at = start; at < end; ) {
    const n = s.readInto(at, copyChunk.subarray(0, Math.min(COPY_CHUNK_BYTES, end - at)));
    if (n === 0) throw new Error(`Segment ${s.path} ended at ${at} while copying it to ${end}`);
    let written = 0;
    while (written < n) written += writeSync(fd, copyChunk, written, n - written, at + written);
    at += n;
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

/** The segments a stopped move recorded (MOVE_PROGRESS_FILE), or undefined when there is no usable record. */
function readMoveProgress(path: string): { baseOffset: number; bytes: number }[] | undefined {
  try {
    const doc = JSON.parse(readFileSync(join(path, MOVE_PROGRESS_FILE), 'utf8')) as { version?: unknown; segments?: unknown };
    if (doc.version !== 1 || !Array.isArray(doc.segments)) return undefined;
    const ok = doc.segments.every((e: unknown) => typeof e === 'object' && e !== null && Number.isSafeInteger((e as { baseOffset?: unknown }).baseOffset) && Number.isSafeInteger((e as { bytes?: unknown }).bytes));
    return ok ? (doc.segments as { baseOffset: number; bytes: number }[]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * For a recorded segment copy at `file`: the offset after the batch of `s` ending exactly at
 * byte `bytes`, when the copy holds at least `bytes` bytes and that last batch's bytes are
 * the same in both; the copy is then cut back to `bytes` (and fsynced). Undefined otherwise:
 * no batch of `s` ends there (it was truncated and written again) or the copy differs.
 */
function keptPrefixEnd(s: LogSegment, file: string, bytes: number): number | undefined {
  let last: { position: number; lastOffset: number } | undefined;
  for (const b of s.batchesFrom(0)) {
    const end = b.position + b.size;
    if (end === bytes) last = b;
    if (end >= bytes) break;
  }
  if (last === undefined) return undefined;
  let fd: number;
  try {
    fd = openSync(file, 'r+');
  } catch {
    return undefined;
  }
  try {
    if (fstatSync(fd).size < bytes) return undefined;
    const want = Buffer.allocUnsafe(bytes - last.position);
    const have = Buffer.allocUnsafe(want.length);
    if (s.readInto(last.position, want) !== want.length || readSync(fd, have, 0, have.length, last.position) !== have.length || !want.equals(have)) return undefined;
    if (fstatSync(fd).size > bytes) {
      ftruncateSync(fd, bytes);
      fsyncSync(fd);
    }
    return last.lastOffset + 1;
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
