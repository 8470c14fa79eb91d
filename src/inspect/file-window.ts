/**
 * A read-only file seen through one bounded window: callers ask for `n` bytes at a
 * position and get a view into a reused buffer. Memory stays at the window size (or at
 * the size of the single largest entry asked for), twice that when reading ahead,
 * whatever the size of the file.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { crc32, crc32c } from '@node-rs/crc32';

export const DEFAULT_WINDOW_BYTES = 8 * 1024 * 1024;

export interface WindowView {
  buf: Buffer;
  /** Index in `buf` of the requested file position. */
  at: number;
}

interface ReadAhead {
  /** File position of the first byte read ahead. */
  position: number;
  buf: Buffer;
  /** Bytes read into `buf` from AHEAD_ROOM on, -1 when the read failed. */
  bytes: Promise<number>;
}

export class FileWindow {
  readonly size: number;
  private readonly handle: FileHandle;
  private readonly windowBytes: number;
  private buf: Buffer;
  /** The window holds file bytes [start, start + length) at buf[base, base + length). */
  private start = 0;
  private length = 0;
  private base = 0;
  /** Sequential readers: the window after this one is read while this one is used. */
  private readonly readAhead: boolean;
  private ahead: ReadAhead | null = null;
  private spare: Buffer | null = null;

  private constructor(handle: FileHandle, size: number, windowBytes: number, readAhead: boolean) {
    this.handle = handle;
    this.size = size;
    this.windowBytes = windowBytes;
    this.buf = Buffer.allocUnsafe(Math.min(windowBytes, Math.max(size, 1)));
    this.readAhead = readAhead && size > windowBytes;
  }

  /**
   * `readAhead`: for a reader going through the file from start to end (the log scan), a
   * second window buffer is filled in the background, so reading and decoding overlap.
   */
  static async open(path: string, windowBytes = DEFAULT_WINDOW_BYTES, readAhead = false): Promise<FileWindow> {
    const handle = await open(path, 'r');
    try {
      const { size } = await handle.stat();
      return new FileWindow(handle, size, windowBytes, readAhead);
    } catch (err) {
      await handle.close();
      throw err;
    }
  }

  /** True when `[position, position + n)` is already in the window (no I/O needed). */
  has(position: number, n: number): boolean {
    return position >= this.start && position + n <= this.start + this.length;
  }

  /** View of `n` bytes at `position`; the caller checked `position + n <= size`. Valid until the next call. */
  viewSync(position: number): WindowView {
    return { buf: this.buf, at: this.base + position - this.start };
  }

  async view(position: number, n: number): Promise<WindowView> {
    if (!this.has(position, n)) await this.fill(position, n);
    return { buf: this.buf, at: this.base + position - this.start };
  }

  private async fill(position: number, n: number): Promise<void> {
    if (this.ahead === null || !(await this.takeAhead(this.ahead, position, n))) {
      const want = Math.min(Math.max(n, this.windowBytes), this.size - position);
      if (want > this.buf.length) this.buf = Buffer.allocUnsafe(want);
      else if (this.buf.length > this.windowBytes && want <= this.windowBytes) this.buf = Buffer.allocUnsafe(this.windowBytes);
      this.start = position;
      this.base = 0;
      this.length = await this.readInto(this.buf, 0, want, position);
    }
    if (this.readAhead) this.startAhead();
  }

  private async readInto(buf: Buffer, offset: number, want: number, position: number): Promise<number> {
    let got = 0;
    while (got < want) {
      const { bytesRead } = await this.handle.read(buf, offset + got, want - got, position + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return got;
  }

  /** Room kept in front of a read-ahead for the part of an entry the old window ends with. */
  private get aheadRoom(): number {
    return this.windowBytes >> 2;
  }

  /** Read the bytes after the window into the spare buffer, behind room for a partial entry. */
  private startAhead(): void {
    const from = this.start + this.length;
    if (from >= this.size || this.buf.length !== this.windowBytes) return;
    const buf = this.spare ?? Buffer.allocUnsafe(this.windowBytes);
    this.spare = null;
    const want = Math.min(this.windowBytes - this.aheadRoom, this.size - from);
    this.ahead = { position: from, buf, bytes: this.readInto(buf, this.aheadRoom, want, from).catch(() => -1) };
  }

  /**
   * Make the read-ahead the window when it continues this one and, with the old window's
   * last bytes from `position` copied in front of it, holds the `n` bytes asked for.
   */
  private async takeAhead(ahead: ReadAhead, position: number, n: number): Promise<boolean> {
    this.ahead = null;
    const got = await ahead.bytes;
    const tail = ahead.position - position;
    const continues = ahead.position === this.start + this.length && position >= this.start && tail >= 0 && tail <= this.aheadRoom;
    if (got < 0 || !continues || tail + got < n) {
      this.spare = ahead.buf;
      return false;
    }
    const base = this.aheadRoom - tail;
    this.buf.copy(ahead.buf, base, this.base + position - this.start, this.base + this.length);
    if (this.buf.length === this.windowBytes) this.spare = this.buf;
    this.buf = ahead.buf;
    this.base = base;
    this.start = position;
    this.length = tail + got;
    return true;
  }

  /**
   * Checksum of `[start, end)` read a window at a time (for entries too large to hold):
   * CRC-32C for record batches, CRC-32 for legacy messages.
   */
  async checksum(start: number, end: number, kind: 'crc32c' | 'crc32'): Promise<number> {
    const fn = kind === 'crc32c' ? crc32c : crc32;
    let state = 0;
    // Reading ahead, a window holds what was read ahead: step by that much so each read is used.
    const step = this.readAhead ? this.windowBytes - this.aheadRoom : this.windowBytes;
    for (let pos = start; pos < end; ) {
      const n = Math.min(step, end - pos);
      const { buf, at } = await this.view(pos, n);
      state = fn(buf.subarray(at, at + n), state);
      pos += n;
    }
    return state >>> 0;
  }

  async close(): Promise<void> {
    // A read in flight must finish before its file handle goes.
    if (this.ahead !== null) await this.ahead.bytes;
    this.ahead = null;
    await this.handle.close();
  }
}
