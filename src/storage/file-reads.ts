/**
 * Asynchronous file reads with a bounded number in flight, for Fetch: a read of a slow
 * reader's megabyte runs on libuv's thread pool instead of blocking the event loop, so a
 * well-behaved client's request is answered between them (Kafka serves fetches from its
 * request handler threads and sends file bytes with sendfile; Node has neither, and a
 * synchronous read of 200 slow readers' first megabytes held every other connection).
 *
 * At most `maxInFlight` reads run at once and a read's buffer is allocated only when it
 * starts, so the bytes held by reads are bounded by `maxInFlight` times the largest read
 * (a fetch response's size, itself bounded by the broker's memory budget); reads waiting
 * for a slot hold nothing. Buffers come from the process's read pool (util/buffer-pool.ts):
 * the connection that writes the response gives them back once the kernel has the bytes
 * (a fresh megabyte per fetch cost page faults, zeroing and collections: bench 18). The
 * descriptor is pinned in the descriptor cache while a read runs (file-cache.ts), so it is
 * never closed or reused under the read.
 */
import { read, readSync } from 'node:fs';
import type { CachedFile } from './file-cache.js';
import { readBuffers } from '../util/buffer-pool.js';

/** libuv's default thread pool has 4 threads; more reads in flight would only queue there. */
export const FILE_READS_IN_FLIGHT = 4;

export class FileReads {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly maxInFlight: number = FILE_READS_IN_FLIGHT) {}

  /** Reads in flight now (tests). */
  get inFlight(): number {
    return this.running;
  }

  /** Reads waiting for a slot now (tests). */
  get queued(): number {
    return this.waiting.length;
  }

  /**
   * Up to `length` bytes at `position` of `file` (fewer at its end: `sizeBytes()` is asked
   * when the read starts, since the file may have grown or been truncated while it waited).
   */
  async read(file: CachedFile, position: number, length: number, sizeBytes: () => number): Promise<Buffer> {
    // A finishing read hands its slot to the first waiting one (running stays the same).
    if (this.running >= this.maxInFlight) await new Promise<void>((resume) => this.waiting.push(resume));
    else this.running++;
    try {
      const n = Math.max(0, Math.min(length, sizeBytes() - position));
      if (n === 0) return Buffer.alloc(0);
      const buf = readBuffers.take(n);
      let done: number;
      try {
        done = await readFully(file, buf, position);
      } catch (err) {
        readBuffers.give(buf);
        throw err;
      }
      return done === n ? buf : buf.subarray(0, done);
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}

/**
 * read(), synchronously and without taking a slot, into a pooled buffer given back the same
 * way: for bytes known to be in the page cache (ReadOptions.onEventLoop).
 */
export function readNow(file: CachedFile, position: number, length: number, sizeBytes: number): Buffer {
  const n = Math.max(0, Math.min(length, sizeBytes - position));
  if (n === 0) return Buffer.alloc(0);
  const buf = readBuffers.take(n);
  let done = 0;
  try {
    const fd = file.fd();
    while (done < n) {
      const got = readSync(fd, buf, done, n - done, position + done);
      if (got === 0) break;
      done += got;
    }
  } catch (err) {
    readBuffers.give(buf);
    throw err;
  }
  return done === n ? buf : buf.subarray(0, done);
}

function readFully(file: CachedFile, target: Buffer, position: number): Promise<number> {
  return new Promise((resolve, reject) => {
    file.withPinned((fd, unpin) => {
      let done = 0;
      const next = (): void => {
        read(fd, target, done, target.length - done, position + done, (err, got) => {
          if (err) {
            unpin();
            reject(err);
          } else if (got === 0 || done + got >= target.length) {
            unpin();
            resolve(done + got);
          } else {
            done += got;
            next();
          }
        });
      };
      next();
    });
  });
}

/** The process-wide queue: the thread pool is the process's. */
export const fileReads = new FileReads();
