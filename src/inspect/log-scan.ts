/**
 * Walks the log entries (record batches or legacy messages) of a segment window the way
 * Kafka's FileLogInputStream does: read offset, size and magic; stop when the rest of
 * the window cannot hold a whole entry (a torn tail); refuse sizes below the smallest
 * legal entry. Entries are views into a FileWindow, valid until the next call.
 */
import { LOG_OVERHEAD, MAGIC_OFFSET } from '../records/batch-header.js';
import type { FileWindow } from './file-window.js';

/** Bytes Kafka reads before deciding what an entry is: offset, size, and up to magic. */
export const HEADER_SIZE_UP_TO_MAGIC = MAGIC_OFFSET + 1;
/** Smallest legal Size field: a v0 message with no key and no value. */
export const MIN_ENTRY_SIZE = 14;

export interface LogEntry {
  /** File position of the entry's first byte. */
  position: number;
  /** Whole entry in bytes, LOG_OVERHEAD included. */
  size: number;
  magic: number;
  buf: Buffer;
  /** Index of the entry's first byte in `buf`. */
  at: number;
  /**
   * False for an entry larger than the scanner's `maxEntryBytes`: only its first
   * ENTRY_HEADER_BYTES are in `buf` (enough for every header field), the rest stays on disk.
   */
  complete: boolean;
}

/** Bytes of an oversized entry that are read: the v2 batch header (the largest header). */
export const ENTRY_HEADER_BYTES = 61;
/** Largest entry read into memory whole (a batch far above any max.message.bytes in use). */
export const DEFAULT_MAX_ENTRY_BYTES = 128 * 1024 * 1024;

export type ScanStop =
  | { kind: 'end' }
  | { kind: 'torn'; position: number; reason: string }
  | { kind: 'corrupt'; position: number; reason: string };

export class LogScanner {
  private position: number;
  private readonly end: number;
  private readonly window: FileWindow;
  stop: ScanStop = { kind: 'end' };

  private readonly maxEntryBytes: number;

  constructor(window: FileWindow, start = 0, end = window.size, maxEntryBytes = DEFAULT_MAX_ENTRY_BYTES) {
    this.window = window;
    this.position = start;
    this.end = Math.min(end, window.size);
    this.maxEntryBytes = Math.max(maxEntryBytes, ENTRY_HEADER_BYTES);
  }

  /** The position the next entry would start at (= valid bytes when scanning from 0). */
  get nextPosition(): number {
    return this.position;
  }

  async next(): Promise<LogEntry | null> {
    const position = this.position;
    if (position + HEADER_SIZE_UP_TO_MAGIC >= this.end) {
      if (position < this.end) this.stop = { kind: 'torn', position, reason: `${this.end - position} bytes cannot hold an entry header` };
      return null;
    }
    let view = this.window.has(position, HEADER_SIZE_UP_TO_MAGIC)
      ? this.window.viewSync(position)
      : await this.window.view(position, HEADER_SIZE_UP_TO_MAGIC);
    const sizeField = view.buf.readInt32BE(view.at + 8);
    if (sizeField < MIN_ENTRY_SIZE) {
      this.stop = { kind: 'corrupt', position, reason: `Found record size ${sizeField} smaller than minimum record overhead (${MIN_ENTRY_SIZE})` };
      return null;
    }
    const size = LOG_OVERHEAD + sizeField;
    if (position > this.end - size) {
      this.stop = { kind: 'torn', position, reason: `entry of ${size} bytes overruns the end at ${this.end}` };
      return null;
    }
    const complete = size <= this.maxEntryBytes;
    const wanted = complete ? size : ENTRY_HEADER_BYTES;
    if (!this.window.has(position, wanted)) view = await this.window.view(position, wanted);
    this.position = position + size;
    return { position, size, magic: view.buf.readInt8(view.at + MAGIC_OFFSET), buf: view.buf, at: view.at, complete };
  }
}
