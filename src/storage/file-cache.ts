/**
 * The bounded descriptor cache: every segment and index file is a CachedFile whose
 * descriptor is opened on first use and closed again when the process holds more than
 * `log.open.files.max` of them (least recently used first). Descriptors follow use, not
 * partition count, so a broker holds tens of thousands of idle partitions within the
 * default `ulimit -n` and starts without opening them all.
 *
 * Closing a descriptor loses nothing: written bytes are in the page cache, and fsync on a
 * later descriptor of the same file flushes them (Linux flushes the inode, not the fd).
 * A descriptor lent to an asynchronous call (a background fsync, a Fetch read) is pinned
 * until the call returns, so it is never closed, or its number reused, under that call:
 * neither the cache nor a close() (a segment deleted or the log closed meanwhile) closes it
 * before the last pin is released.
 */
import { closeSync, openSync } from 'node:fs';
import { descriptorLimit } from '../util/descriptor-limit.js';

/** Descriptors left for sockets, checkpoints and Node itself when the default is derived from the limit. */
const RESERVED_DESCRIPTORS = 256;
const MIN_OPEN_FILES = 16;
const DEFAULT_OPEN_FILES_WITHOUT_LIMIT = 4096;

/** `log.open.files.max` when not configured: half of what the process may open beyond the reserve. */
export function defaultOpenFilesMax(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_OPEN_FILES_WITHOUT_LIMIT;
  return Math.max(MIN_OPEN_FILES, Math.floor((limit - RESERVED_DESCRIPTORS) / 2));
}

export class FileCache {
  /** Open files, least recently used first (a Map keeps insertion order). */
  private readonly open = new Map<CachedFile, true>();
  private capacity: number;
  private opens = 0;

  constructor(capacity: number) {
    this.capacity = capacity;
  }

  get maxOpenFiles(): number {
    return this.capacity;
  }

  set maxOpenFiles(n: number) {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`log.open.files.max must be a positive integer, not ${n}`);
    this.capacity = n;
    this.evict();
  }

  /** Descriptors this cache holds now. */
  get openCount(): number {
    return this.open.size;
  }

  /** Descriptors opened since the start (reopens included): how hard the cache works. */
  get openedTotal(): number {
    return this.opens;
  }

  /** Called by a file each time it is used: most recently used goes last. */
  touch(file: CachedFile): void {
    this.open.delete(file);
    this.open.set(file, true);
  }

  opened(file: CachedFile): void {
    this.opens++;
    this.open.set(file, true);
    this.evict(file);
  }

  forget(file: CachedFile): void {
    this.open.delete(file);
  }

  /** Closes the least recently used unpinned descriptors beyond the capacity, never `keep` (just opened for its caller). */
  private evict(keep?: CachedFile): void {
    if (this.open.size <= this.capacity) return;
    for (const file of this.open.keys()) {
      if (this.open.size <= this.capacity) break;
      if (file.pinned || file === keep) continue;
      file.release();
    }
  }
}

/** The process-wide cache: the descriptor limit is the process's, whatever number of log managers run in it. */
export const fileCache = new FileCache(defaultOpenFilesMax(descriptorLimit()));

export class CachedFile {
  private descriptor: number | undefined;
  private create: boolean;
  private pins = 0;
  /** close() or release() came while pinned: the descriptor closes with the last unpin. */
  private closeWhenUnpinned = false;

  /** `create`: the first open creates (or empties) the file; later opens never truncate. */
  constructor(
    public path: string,
    create: boolean,
    private readonly cache: FileCache = fileCache,
  ) {
    this.create = create;
  }

  /** The descriptor, opened (or reopened) on demand; valid until the next call into the cache. */
  fd(): number {
    if (this.descriptor !== undefined) {
      this.closeWhenUnpinned = false;
      this.cache.touch(this);
      return this.descriptor;
    }
    this.descriptor = openSync(this.path, this.create ? 'w+' : 'r+');
    this.create = false;
    this.cache.opened(this);
    return this.descriptor;
  }

  get isOpen(): boolean {
    return this.descriptor !== undefined;
  }

  get pinned(): boolean {
    return this.pins > 0;
  }

  /** Run an asynchronous call on the descriptor; it stays open until `done` is called. */
  withPinned(use: (fd: number, done: () => void) => void): void {
    const fd = this.fd();
    this.pins++;
    let released = false;
    use(fd, () => {
      if (released) return;
      released = true;
      this.pins--;
      if (this.pins === 0 && this.closeWhenUnpinned) this.release();
    });
  }

  /** Closes the descriptor (the cache evicting it); the next fd() reopens. */
  release(): void {
    if (this.descriptor === undefined) return;
    if (this.pins > 0) {
      this.closeWhenUnpinned = true;
      return;
    }
    this.closeWhenUnpinned = false;
    const fd = this.descriptor;
    this.descriptor = undefined;
    this.cache.forget(this);
    closeSync(fd);
  }

  /** The file was renamed: later opens use the new path (an open descriptor follows the file). */
  renamed(path: string): void {
    this.path = path;
  }

  close(): void {
    this.release();
  }
}
