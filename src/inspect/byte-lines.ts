/**
 * Output for dump-log, written as bytes into a large chunk that goes to the stream whole
 * when full (one write per MiB instead of one per line). Besides whole string lines it
 * takes pieces: ASCII constants, integers as decimal digits written by hand, and record
 * bytes copied as they are, checked for UTF-8 a chunk at a time (valid UTF-8 is what
 * decoding them to a string and encoding it back would produce, without the string).
 * `drain` waits while the stream is behind, so output never piles up in memory; chunks
 * written to stdout are reused rather than left to the garbage collector.
 */
import { isUtf8 } from 'node:buffer';
import type { Writable } from 'node:stream';

const CHUNK_BYTES = 1024 * 1024;
/** Chunks kept for reuse at most (writes in flight between two drains, at 1 MiB each). */
const MAX_SPARE_CHUNKS = 16;
const MINUS = 45;
const ZERO = 48;
const NINE = 57;
const TWO_POW_31 = 2147483648;
/** "00" to "99", each as the big-endian 16-bit value of its two ASCII digits. */
const DIGIT_PAIRS = Uint16Array.from({ length: 100 }, (_, i) => ((ZERO + Math.floor(i / 10)) << 8) | (ZERO + (i % 10)));

function viewOf(b: Buffer): DataView {
  return new DataView(b.buffer, b.byteOffset, b.length);
}

/** Decimal digits of 0 <= n < 2^31. */
function digitCount(n: number): number {
  if (n < 10) return 1;
  if (n < 100) return 2;
  if (n < 1000) return 3;
  if (n < 10000) return 4;
  if (n < 100000) return 5;
  if (n < 1000000) return 6;
  if (n < 10000000) return 7;
  if (n < 100000000) return 8;
  return n < 1000000000 ? 9 : 10;
}

/**
 * A constant ASCII piece of a line, held as big-endian 32-bit words: written four bytes at
 * a time, the last word possibly past its end (into slack that the next piece overwrites).
 */
export class AsciiConst {
  readonly length: number;
  readonly words: Int32Array;
  constructor(text: string) {
    this.length = text.length;
    const bytes = Buffer.alloc(Math.ceil(text.length / 4) * 4);
    bytes.write(text, 'latin1');
    this.words = Int32Array.from({ length: bytes.length / 4 }, (_, i) => bytes.readInt32BE(4 * i));
  }
}

/**
 * `prefix` and the decimal text of the leading digits of a number written through it (all
 * but the last `lowDigits`): neighbouring timestamps share them, so they are formatted once.
 */
export class DigitsCache {
  readonly divisor: number;
  /** The cached leading digits times `divisor`; -1 while there are none. */
  base = -1;
  text = new AsciiConst('');
  prefix = '';
  prefixText = new AsciiConst('');
  constructor(readonly lowDigits: number) {
    this.divisor = 10 ** lowDigits;
  }

  setPrefix(prefix: string): void {
    if (prefix === this.prefix) return;
    this.prefix = prefix;
    this.prefixText = new AsciiConst(prefix);
    this.base = -1;
  }

  set(n: number): void {
    const high = Math.floor(n / this.divisor);
    this.base = high * this.divisor;
    this.text = new AsciiConst(this.prefix + String(high));
  }
}

/**
 * `prefix` and the decimal text of the last number written through it, stepped by one in
 * place when the next number is one more (consecutive offsets), else formatted again.
 */
export class DecimalCounter {
  value = -2;
  /** Bytes of prefix and digits in `text`. */
  length = 0;
  private start = 0;
  /** Room for a prefix (up to 20 bytes), any number's text (24), and reading it a word at a time. */
  readonly text = new Uint8Array(48);
  readonly view = new DataView(this.text.buffer);
  private prefix = '';

  constructor(prefix = '') {
    this.setPrefix(prefix);
  }

  setPrefix(prefix: string): void {
    if (prefix === this.prefix && this.value !== -2) return;
    this.prefix = prefix;
    this.start = prefix.length;
    this.length = prefix.length;
    this.value = -2;
    for (let i = 0; i < prefix.length; i++) this.text[i] = prefix.charCodeAt(i);
  }

  /** Take the text of `n` (prefix included) as written at `bytes[from, to)`. */
  load(bytes: Uint8Array, from: number, to: number, n: number): void {
    this.text.set(bytes.subarray(from, to));
    this.length = to - from;
    this.value = n;
  }

  set(n: number): void {
    if (n === this.value) return;
    if (n === this.value + 1 && n > 0 && Number.isSafeInteger(n) && this.increment()) {
      this.value = n;
      return;
    }
    const digits = String(n);
    this.value = n;
    this.length = this.start + digits.length;
    for (let i = 0; i < digits.length; i++) this.text[this.start + i] = digits.charCodeAt(i);
  }

  /** Adds one to the digits; false when they would gain a digit (999 -> 1000). */
  private increment(): boolean {
    const d = this.text;
    let i = this.length - 1;
    while (i >= this.start && d[i] === NINE) d[i--] = ZERO;
    if (i < this.start) return false;
    d[i]!++;
    return true;
  }
}

/** From this size on a native copy beats copying a word at a time in JS. */
const NATIVE_COPY_BYTES = 256;

/** Room always kept free after `used`, for word writes that run past a piece's end. */
const SLACK = 8;

export class ByteLines {
  private chunk: Buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  private view = viewOf(this.chunk);
  private used = 0;
  /** The last buffer record bytes were copied from, and a DataView of it. */
  private source: Buffer | null = null;
  private sourceView: DataView | null = null;
  /** Set when the chunk holds copied record bytes not yet checked to be UTF-8. */
  private unchecked = false;
  /**
   * Whether written chunks may be reused once their write is done: only for streams over a
   * file descriptor (stdout, stderr), which hold a chunk until then and no longer. Other
   * streams (a PassThrough in tests) may keep the chunk itself.
   */
  private readonly reuses: boolean;
  private readonly spare: Buffer[] = [];
  private waiting = false;

  constructor(private readonly stream: Writable) {
    this.reuses = typeof (stream as Writable & { fd?: unknown }).fd === 'number';
  }

  /** Make room for `n` more bytes: hands the chunk over (a line may span two chunks). */
  ensure(n: number): void {
    if (this.used + n + SLACK <= this.chunk.length) return;
    this.flush();
    if (n + SLACK > this.chunk.length) this.setChunk(Buffer.allocUnsafe(n + SLACK));
  }

  private setChunk(chunk: Buffer): void {
    this.chunk = chunk;
    this.view = viewOf(chunk);
    this.used = 0;
  }

  line(text: string): void {
    // UTF-16 length * 3 bounds the UTF-8 length.
    this.ensure(text.length * 3 + 1);
    this.used += this.chunk.write(text, this.used);
    this.chunk[this.used++] = 10;
  }

  /** A string, UTF-8 encoded, within a line. */
  text(text: string): void {
    this.ensure(text.length * 3);
    this.used += this.chunk.write(text, this.used);
  }

  newline(): void {
    this.ensure(1);
    this.chunk[this.used++] = 10;
  }

  /** A constant piece; the caller has ensured room for it. */
  put(c: AsciiConst): void {
    const view = this.view;
    const words = c.words;
    let p = this.used;
    for (let i = 0; i < words.length; i++, p += 4) view.setInt32(p, words[i]!);
    this.used += c.length;
  }

  /** Decimal text of an integer, as String(n) prints it; the caller has ensured 24 bytes. */
  int(n: number): void {
    if ((n | 0) === n && n >= 0) return this.uint31(n);
    if (!Number.isSafeInteger(n)) return this.ascii(String(n));
    if (n < 0) {
      this.chunk[this.used++] = MINUS;
      n = -n;
    }
    if (n < TWO_POW_31) return this.uint31(n);
    // Safe integers split into two parts below 2^31, where integer arithmetic is cheap.
    const high = Math.floor(n / 1e9);
    this.uint31(high);
    this.padded(n - high * 1e9, 9);
  }

  private ascii(text: string): void {
    this.used += this.chunk.write(text, this.used, 'latin1');
  }

  private uint31(n: number): void {
    const view = this.view;
    let p = this.used + digitCount(n);
    this.used = p;
    while (n >= 100) {
      const q = (n / 100) | 0;
      p -= 2;
      view.setUint16(p, DIGIT_PAIRS[n - q * 100]!);
      n = q;
    }
    if (n >= 10) view.setUint16(p - 2, DIGIT_PAIRS[n]!);
    else this.chunk[p - 1] = ZERO + n;
  }

  /** 0 <= n < 10^digits, with leading zeros. */
  private padded(n: number, digits: number): void {
    const view = this.view;
    let p = this.used + digits;
    this.used = p;
    for (let left = digits; left >= 2; left -= 2) {
      const q = (n / 100) | 0;
      p -= 2;
      view.setUint16(p, DIGIT_PAIRS[n - q * 100]!);
      n = q;
    }
    if (digits % 2 === 1) this.chunk[p - 1] = ZERO + n;
  }

  /** The cache's prefix and an integer as `int` writes it, its leading digits from the cache; the caller has ensured room. */
  cachedInt(n: number, cache: DigitsCache): void {
    let low = n - cache.base;
    if (!((low | 0) === low && low >= 0 && low < cache.divisor && cache.base > 0)) {
      if (n < cache.divisor || n > Number.MAX_SAFE_INTEGER || !Number.isInteger(n)) {
        this.put(cache.prefixText);
        return this.int(n);
      }
      cache.set(n);
      low = n - cache.base;
    }
    this.put(cache.text);
    this.padded(low, cache.lowDigits);
  }

  /**
   * As cachedInt (`counter` having the same prefix as `cache`), but a number equal to the
   * last one or one more is stepped in `counter` instead: records often share a timestamp
   * or follow each other by a millisecond.
   */
  steppedInt(n: number, cache: DigitsCache, counter: DecimalCounter): void {
    if (n === counter.value || n === counter.value + 1) return this.counted(n, counter);
    const from = this.used;
    this.cachedInt(n, cache);
    counter.load(this.chunk, from, this.used, n);
  }

  /** The counter's prefix and an integer as `int` writes it; the caller has ensured room. */
  counted(n: number, counter: DecimalCounter): void {
    counter.set(n);
    const view = this.view;
    const from = counter.view;
    const length = counter.length;
    const p = this.used;
    for (let i = 0; i < length; i += 4) view.setInt32(p + i, from.getInt32(i));
    this.used = p + length;
  }

  /** One ASCII byte; the caller has ensured room for it. */
  byte(b: number): void {
    this.chunk[this.used++] = b;
  }

  /**
   * `data[start, end)`, to print as `data.toString('utf8', start, end)` would: copied as is
   * now, and the chunk checked once when it is handed over (see `flush`). The caller has
   * ensured room, and puts an ASCII byte between this and any other piece copied this way.
   */
  utf8(data: Buffer, start: number, end: number): void {
    this.unchecked = true;
    if (end - start >= NATIVE_COPY_BYTES) {
      this.chunk.set(data.subarray(start, end), this.used);
      this.used += end - start;
      return;
    }
    if (data !== this.source) {
      this.source = data;
      this.sourceView = viewOf(data);
    }
    const from = this.sourceView!;
    const view = this.view;
    let p = this.used;
    let i = start;
    for (; i + 4 <= end; i += 4, p += 4) view.setInt32(p, from.getInt32(i));
    const out = this.chunk;
    for (; i < end; i++) out[p++] = data[i]!;
    this.used = p;
  }

  /**
   * Hand what is buffered to the stream; true when the stream wants us to wait. A chunk
   * holding copied bytes that are not all valid UTF-8 is decoded and encoded again: each
   * copied piece sits between ASCII bytes, so the decoder replaces exactly the invalid
   * sequences it would replace in the piece alone, as a string decode of each would.
   */
  flush(): boolean {
    if (this.used === 0) return false;
    const chunk = this.chunk;
    let full = chunk.subarray(0, this.used);
    if (this.unchecked && !isUtf8(full)) full = Buffer.from(full.toString('utf8'));
    this.setChunk(this.spare.pop() ?? Buffer.allocUnsafe(CHUNK_BYTES));
    this.unchecked = false;
    // Let go of the last record buffer (it may be a large decompressed batch).
    this.source = null;
    this.sourceView = null;
    if (!this.reuses || chunk.length !== CHUNK_BYTES) return this.write(full);
    if (full.buffer !== chunk.buffer) {
      this.keep(chunk);
      return this.write(full);
    }
    let kept = false;
    const wait = this.write(full, () => {
      if (!kept) this.keep(chunk);
    });
    // Nothing left queued: the write is done already (stdout to a file or a pipe is written synchronously).
    if (this.stream.writableLength === 0) {
      kept = true;
      this.keep(chunk);
    }
    return wait;
  }

  private write(bytes: Buffer, done?: () => void): boolean {
    const more = this.stream.write(bytes, done);
    if (!more) this.waiting = true;
    return !more;
  }

  /** True once the stream has asked us to wait, until `drain`. */
  get behind(): boolean {
    return this.waiting;
  }

  /** A chunk the stream is done with, for the next flush (instead of garbage until a GC). */
  private keep(chunk: Buffer): void {
    if (this.spare.length < MAX_SPARE_CHUNKS) this.spare.push(chunk);
  }

  async drain(): Promise<void> {
    if ((this.flush() || this.stream.writableNeedDrain) && !this.stream.destroyed) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          this.stream.off('drain', done);
          this.stream.off('close', done);
          this.stream.off('error', done);
          resolve();
        };
        this.stream.on('drain', done);
        this.stream.on('close', done);
        this.stream.on('error', done);
      });
    }
    this.waiting = false;
  }
}
