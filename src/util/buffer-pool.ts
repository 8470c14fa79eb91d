/**
 * Reusable buffers for Fetch's file reads (Kafka's BufferPool idea, on the read side): a
 * read takes a buffer from here, the response carries a view of it to the socket, and the
 * connection gives it back once the bytes are in the kernel. Without it every Fetch
 * allocated a fresh buffer of up to a megabyte outside V8's heap, and 200 slow readers'
 * first fetches made the broker spend a quarter to half of its time collecting them while
 * new clients waited to be accepted.
 *
 * Buffers come in power-of-two sizes from `minBytes` to `maxBytes`; a larger request gets a
 * plain allocation. At most `keepBytes` of free buffers are kept; a buffer never given back
 * (a connection closed before writing it, the in-process transport, a response that copied
 * the bytes) is simply collected. Only buffers lent and not yet returned are taken back, so
 * a view released twice, or a buffer this pool never lent, changes nothing.
 */
export class BufferPool {
  private readonly free = new Map<number, ArrayBuffer[]>();
  private readonly lent = new WeakSet<ArrayBuffer>();
  private freeBytes = 0;
  /** Buffers handed out and given back (tests and metrics). */
  reused = 0;
  allocated = 0;

  constructor(
    readonly minBytes: number,
    readonly maxBytes: number,
    readonly keepBytes: number,
  ) {}

  /** A buffer of exactly `length` bytes (contents undefined), pooled when it fits a class. */
  take(length: number): Buffer {
    if (length < this.minBytes || length > this.maxBytes) return Buffer.allocUnsafe(length);
    const size = sizeClass(length, this.minBytes);
    const stack = this.free.get(size);
    let backing = stack?.pop();
    if (backing) {
      this.freeBytes -= size;
      this.reused++;
    } else {
      backing = new ArrayBuffer(size);
      this.allocated++;
    }
    this.lent.add(backing);
    return Buffer.from(backing, 0, length);
  }

  /** Gives back the buffer under `view` if this pool lent it; nothing may use `view` afterwards. */
  give(view: Buffer): void {
    const backing = view.buffer;
    if (!(backing instanceof ArrayBuffer) || !this.lent.has(backing)) return;
    this.lent.delete(backing);
    const size = backing.byteLength;
    if (this.freeBytes + size > this.keepBytes) return;
    let stack = this.free.get(size);
    if (!stack) this.free.set(size, (stack = []));
    stack.push(backing);
    this.freeBytes += size;
  }

  /** Bytes of free buffers kept now. */
  get keptBytes(): number {
    return this.freeBytes;
  }
}

function sizeClass(length: number, minBytes: number): number {
  let size = minBytes;
  while (size < length) size *= 2;
  return size;
}

/**
 * The process's pool for Fetch reads: 64 KiB to 8 MiB (a consumer's default
 * max.partition.fetch.bytes and replica.fetch.max.bytes are 1 MiB), up to 16 MiB kept (four
 * reads in flight on the thread pool rarely need more; what is kept stays resident).
 */
export const readBuffers = new BufferPool(64 * 1024, 8 * 1024 * 1024, 16 * 1024 * 1024);
