/**
 * Zstandard through zstd-napi's native binding. Compression uses one reusable context at
 * level 3 (zstd's and Kafka's default) unless told otherwise. Decompression is bounded: when every frame
 * declares its content size we allocate exactly that (after checking it against the
 * budget); otherwise we stream in chunks and stop as soon as the budget is exceeded.
 */
import { createRequire } from 'node:module';
import { CorruptDataError, errorMessage } from '../../util/errors.js';

type StreamResultTuple = [returnValue: number, produced: number, consumed: number];
interface ZstdBinding {
  CCtx: new () => { compress(dst: Uint8Array, src: Uint8Array, level: number): number };
  DCtx: new () => {
    decompress(dst: Uint8Array, src: Uint8Array): number;
    decompressStream(dst: Uint8Array, src: Uint8Array): StreamResultTuple;
    reset(directive: number): void;
  };
  compressBound(size: number): number;
  getFrameContentSize(frame: Uint8Array): number | null;
  findFrameCompressedSize(frame: Uint8Array): number;
  dStreamOutSize(): number;
  ResetDirective: { sessionOnly: number };
}

// zstd-napi's package exposes its binding module as a CommonJS file beside dist/. Loaded on
// first use, so commands that never touch zstd do not pay for loading it at start.
let loadedBinding: ZstdBinding | null = null;
const zstd = (): ZstdBinding => (loadedBinding ??= createRequire(import.meta.url)('zstd-napi/binding') as ZstdBinding);

const LEVEL = 3;
let cctx: InstanceType<ZstdBinding['CCtx']> | null = null;
let dctx: InstanceType<ZstdBinding['DCtx']> | null = null;

export function zstdCompress(input: Buffer, level = LEVEL): Buffer {
  cctx ??= new (zstd().CCtx)();
  const out = Buffer.allocUnsafe(zstd().compressBound(input.length));
  const n = cctx.compress(out, input, level);
  return out.subarray(0, n);
}

/** Sum of declared content sizes of all frames, or null if any frame omits it. */
function declaredSize(input: Buffer): number | null {
  let total = 0;
  let rest = input;
  while (rest.length > 0) {
    const size = zstd().getFrameContentSize(rest);
    if (size === null) return null;
    total += size;
    rest = rest.subarray(zstd().findFrameCompressedSize(rest));
  }
  return total;
}

export function zstdDecompress(input: Buffer, maxBytes: number): Buffer {
  dctx ??= new (zstd().DCtx)();
  try {
    const size = declaredSize(input);
    if (size !== null) {
      if (size > maxBytes) throw new CorruptDataError(`zstd: frames declare ${size} bytes, above the ${maxBytes} byte limit`, 0);
      const out = Buffer.allocUnsafe(size);
      const n = dctx.decompress(out, input);
      if (n !== size) throw new CorruptDataError(`zstd: decoded ${n} bytes, frames declare ${size}`, 0);
      return out;
    }
    return streamDecompress(dctx, input, maxBytes);
  } catch (err) {
    if (err instanceof CorruptDataError) throw err;
    dctx.reset(zstd().ResetDirective.sessionOnly);
    throw new CorruptDataError(`zstd: ${errorMessage(err)}`, 0);
  }
}

function streamDecompress(ctx: InstanceType<ZstdBinding['DCtx']>, input: Buffer, maxBytes: number): Buffer {
  ctx.reset(zstd().ResetDirective.sessionOnly);
  const chunks: Buffer[] = [];
  let total = 0;
  let rest = input;
  let pending = 1;
  const chunkBytes = zstd().dStreamOutSize();
  while (rest.length > 0 || pending !== 0) {
    const room = Math.min(Math.max(chunkBytes, rest.length * 4), maxBytes - total + 1);
    const chunk = Buffer.allocUnsafe(Math.max(1, room));
    const [ret, produced, consumed] = ctx.decompressStream(chunk, rest);
    if (produced === 0 && consumed === 0) throw new CorruptDataError('zstd: truncated frame', input.length - rest.length);
    total += produced;
    if (total > maxBytes) throw new CorruptDataError(`zstd: output exceeds the ${maxBytes} byte limit`, input.length - rest.length);
    chunks.push(chunk.subarray(0, produced));
    rest = rest.subarray(consumed);
    pending = ret;
  }
  return Buffer.concat(chunks, total);
}
