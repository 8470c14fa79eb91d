/**
 * Large stdin chunks for commands that read a lot (console-producer). A Node stream reads a
 * pipe 64 KiB at a time, each read a trip through the event loop and a new buffer; here,
 * when stdin is a pipe or socket, a net.Socket only says when data is there, and the bytes
 * are read straight from the descriptor (readSync, until it would block) into one reused
 * buffer, so one chunk carries everything that arrived (100 MB of lines: ~110 -> ~65 ms of
 * reading). A file is read with plain readSync. Anything else, or an io without a
 * descriptor (tests), uses the stream.
 */
import { fstatSync, readSync } from 'node:fs';
import { Socket } from 'node:net';
import type { CliIo } from '../command.js';
import { KtsError } from '../../util/errors.js';

/** Bytes read at most per chunk. */
const CHUNK_BYTES = 1024 * 1024;

export type ChunkIterator = AsyncIterator<Buffer, undefined>;

/**
 * Chunks of stdin, in order; `return()` stops reading. A chunk is valid until the next
 * next() call: its memory is read into again (no allocation, no page faults per chunk), so
 * callers copy what they keep (the producer copies values before send calls return).
 */
export function stdinChunks(io: CliIo): ChunkIterator {
  const fd = io.stdinFd;
  if (fd !== undefined) {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw new KtsError('KTS_STDIN_DIRECTORY', 'stdin is a directory, not a file or a pipe', 'redirect a file (< records.txt) or pipe the records in');
    if (stat.isFile() || (stat.isCharacterDevice() && !io.stdinIsTty)) return new FileChunks(fd);
    if (stat.isFIFO() || stat.isSocket()) return new PipeChunks(fd);
  }
  return streamChunks(io);
}

function streamChunks(io: CliIo): ChunkIterator {
  const it = (io.stdin as AsyncIterable<Buffer | string>)[Symbol.asyncIterator]();
  return {
    async next() {
      const r = await it.next();
      if (r.done) return { done: true, value: undefined };
      return { done: false, value: typeof r.value === 'string' ? Buffer.from(r.value) : r.value };
    },
    async return() {
      await it.return?.();
      return { done: true, value: undefined };
    },
  };
}

class FileChunks implements ChunkIterator {
  private readonly buf = Buffer.allocUnsafeSlow(CHUNK_BYTES);
  private ended = false;

  constructor(private readonly fd: number) {}

  async next(): Promise<IteratorResult<Buffer, undefined>> {
    if (this.ended) return { done: true, value: undefined };
    const n = readSync(this.fd, this.buf, 0, this.buf.length, null);
    if (n === 0) {
      this.ended = true;
      return { done: true, value: undefined };
    }
    return { done: false, value: this.buf.subarray(0, n) };
  }

  async return(): Promise<IteratorResult<Buffer, undefined>> {
    this.ended = true;
    return { done: true, value: undefined };
  }
}

/**
 * A pipe or socket: the net.Socket on the descriptor (which makes it non-blocking) tells when
 * bytes arrive and may have read some itself; those come first, then readSync takes the rest
 * until EAGAIN. JavaScript runs to completion, so libuv never reads between the two.
 */
class PipeChunks implements ChunkIterator {
  private readonly buf = Buffer.allocUnsafeSlow(CHUNK_BYTES);
  private readonly socket: Socket;
  private ended = false;
  private failure: Error | null = null;
  private wake: (() => void) | null = null;

  constructor(private readonly fd: number) {
    this.socket = new Socket({ fd, readable: true, writable: false });
    const notify = (): void => {
      const w = this.wake;
      this.wake = null;
      w?.();
    };
    this.socket.on('readable', notify);
    this.socket.on('end', () => {
      this.ended = true;
      notify();
    });
    this.socket.on('error', (err) => {
      this.failure = err;
      notify();
    });
  }

  async next(): Promise<IteratorResult<Buffer, undefined>> {
    for (;;) {
      const chunk = this.readNow();
      if (chunk !== null) return { done: false, value: chunk };
      if (this.failure) throw this.failure;
      if (this.ended) {
        this.socket.destroy();
        return { done: true, value: undefined };
      }
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  async return(): Promise<IteratorResult<Buffer, undefined>> {
    this.ended = true;
    this.socket.destroy();
    return { done: true, value: undefined };
  }

  /** What the socket buffered plus what the descriptor has now, as one chunk; null if nothing. */
  private readNow(): Buffer | null {
    const room = this.buf;
    let filled = 0;
    for (let piece = this.socket.read() as Buffer | null; piece !== null; piece = this.socket.read() as Buffer | null) {
      if (filled + piece.length > room.length) {
        // More buffered than the buffer holds: hand out what we have; the rest stays queued.
        if (filled === 0) return piece;
        this.socket.unshift(piece);
        return room.subarray(0, filled);
      }
      piece.copy(room, filled);
      filled += piece.length;
    }
    if (!this.ended) filled += this.readDescriptor(room.subarray(filled));
    return filled === 0 ? null : room.subarray(0, filled);
  }

  private readDescriptor(into: Buffer): number {
    let filled = 0;
    while (filled < into.length) {
      let n: number;
      try {
        n = readSync(this.fd, into, filled, into.length - filled, null);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EAGAIN') break;
        throw err;
      }
      if (n === 0) {
        // End of input; the socket learns it too and ends.
        this.ended = true;
        break;
      }
      filled += n;
    }
    return filled;
  }
}
