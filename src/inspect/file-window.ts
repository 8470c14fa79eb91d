/**
 * A read-only file seen through one bounded window: callers ask for `n` bytes at a
 * position and get a view into a reused buffer. Memory stays at the window size (or at
 * the size of the single largest entry asked for), whatever the size of the file.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { crc32, crc32c } from '@node-rs/crc32';

export const DEFAULT_WINDOW_BYTES = 8 * 1024 * 1024;

export interface WindowView {
  buf: Buffer;
  /** Index in `buf` of the requested file position. */
  at: number;
}

export class FileWindow {
  readonly size: number;
  private readonly handle: FileHandle;
  private readonly windowBytes: number;
  private buf: Buffer;
  private start = 0;
  private length = 0;

  private constructor(handle: FileHandle, size: number, windowBytes: number) {
    this.handle = handle;
    this.size = size;
    this.windowBytes = windowBytes;
    this.buf = Buffer.allocUnsafe(Math.min(windowBytes, Math.max(size, 1)));
  }

  static async open(path: string, windowBytes = DEFAULT_WINDOW_BYTES): Promise<FileWindow> {
    const handle = await open(path, 'r');
    try {
      const { size } = await handle.stat();
      return new FileWindow(handle, size, windowBytes);
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
    return { buf: this.buf, at: position - this.start };
  }

  async view(position: number, n: number): Promise<WindowView> {
    if (!this.has(position, n)) await this.fill(position, n);
    return { buf: this.buf, at: position - this.start };
  }

  private async fill(position: number, n: number): Promise<void> {
    const want = Math.min(Math.max(n, this.windowBytes), this.size - position);
    if (want > this.buf.length) this.buf = Buffer.allocUnsafe(want);
    else if (this.buf.length > this.windowBytes && want <= this.windowBytes) this.buf = Buffer.allocUnsafe(this.windowBytes);
    let got = 0;
    while (got < want) {
      const { bytesRead } = await this.handle.read(this.buf, got, want - got, position + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    this.start = position;
    this.length = got;
  }

  /**
   * Checksum of `[start, end)` read a window at a time (for entries too large to hold):
   * CRC-32C for record batches, CRC-32 for legacy messages.
   */
  async checksum(start: number, end: number, kind: 'crc32c' | 'crc32'): Promise<number> {
    const fn = kind === 'crc32c' ? crc32c : crc32;
    let state = 0;
    for (let pos = start; pos < end; ) {
      const n = Math.min(this.windowBytes, end - pos);
      const { buf, at } = await this.view(pos, n);
      state = fn(buf.subarray(at, at + n), state);
      pos += n;
    }
    return state >>> 0;
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}
