import t from 'tap';
import { createRequire } from 'node:module';
import { gunzipSync, gzipSync } from 'node:zlib';
import { compressFrameSync, decompressFrameSync } from 'lz4-napi';
import { compressSync as snappyRaw, uncompressSync as snappyRawDecode } from 'snappy';
import { compress, compressionName, compressionTypeFromName, decompress } from '../../src/records/compression/index.js';
import { lz4CompressFrame, lz4DecompressFrame } from '../../src/records/compression/lz4.js';
import { isXerialFramed, snappyCompressXerial } from '../../src/records/compression/snappy.js';
import { xxhash32 } from '../../src/records/compression/xxhash32.js';
import { CompressionType } from '../../src/records/batch-header.js';
import { CorruptDataError } from '../../src/util/errors.js';
import { outcome, prng, sampleData } from './helpers.js';

const require = createRequire(import.meta.url);
const codecs = [CompressionType.None, CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd] as const;

t.test('every codec round-trips empty, tiny, multi-block and incompressible data', async (t) => {
  const rnd = prng(7);
  const random = Buffer.from(Array.from({ length: 200_000 }, () => Math.floor(rnd() * 256)));
  const inputs = [Buffer.alloc(0), Buffer.from('x'), sampleData(1000), sampleData(300_000), random, Buffer.alloc(500_000)];
  for (const type of codecs) {
    for (const input of inputs) {
      const packed = compress(type, input);
      t.ok(decompress(type, packed, input.length).equals(input), `${compressionName(type)} ${input.length} bytes`);
    }
  }
});

t.test('compression levels: gzip and zstd honour them, snappy and lz4 refuse them', async (t) => {
  const data = sampleData(50_000);
  const fast = compress(CompressionType.Gzip, data, { level: 1 });
  const best = compress(CompressionType.Gzip, data, { level: 9 });
  t.ok(fast.length > best.length, `gzip level 1 ${fast.length} > level 9 ${best.length}`);
  t.ok(decompress(CompressionType.Gzip, fast).equals(data));
  const z1 = compress(CompressionType.Zstd, data, { level: 1 });
  const z19 = compress(CompressionType.Zstd, data, { level: 19 });
  t.ok(z1.length > z19.length, `zstd level 1 ${z1.length} > level 19 ${z19.length}`);
  t.ok(decompress(CompressionType.Zstd, z19).equals(data));
  t.throws(() => compress(CompressionType.Lz4, data, { level: 9 }), { code: 'KTS_UNSUPPORTED' });
  t.throws(() => compress(CompressionType.Snappy, data, { level: 1 }), { code: 'KTS_UNSUPPORTED' });
  t.throws(() => compress(CompressionType.Gzip, data, { level: 10 }), /outside 1..9/);
});

t.test('compression names', async (t) => {
  t.equal(compressionTypeFromName('ZSTD'), CompressionType.Zstd);
  t.equal(compressionTypeFromName('none'), CompressionType.None);
  t.equal(compressionTypeFromName('brotli'), undefined);
  t.equal(compressionName(7), 'unknown(7)');
  t.throws(() => decompress(5, Buffer.alloc(4)), CorruptDataError);
});

t.test('xxhash32 known values', async (t) => {
  t.equal(xxhash32(Buffer.alloc(0)), 0x02cc5d05);
  t.equal(xxhash32(Buffer.from('a')), 0x550d7456);
  t.equal(xxhash32(Buffer.from('abc')), 0x32d153ff);
  t.equal(xxhash32(Buffer.from('Nobody inspects the spammish repetition')), 0xe2293b2f);
});

t.test('gzip: output is what node zlib (and so kafkajs) writes; reads concatenated members', async (t) => {
  const data = sampleData(5000);
  t.ok(compress(CompressionType.Gzip, data).equals(gzipSync(data)));
  const two = Buffer.concat([gzipSync(data.subarray(0, 100)), gzipSync(data.subarray(100))]);
  t.ok(decompress(CompressionType.Gzip, two).equals(data));
});

t.test('snappy: xerial framing as Java writes it, raw block as librdkafka writes it', async (t) => {
  const data = sampleData(100_000);
  const framed = snappyCompressXerial(data);
  t.same([...framed.subarray(0, 16)], [0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0, 0, 0, 0, 1, 0, 0, 0, 1]);
  t.ok(isXerialFramed(framed));
  // Blocks are 32 KiB of input each, decodable by the independent raw decoder.
  let pos = 16;
  const parts: Buffer[] = [];
  while (pos < framed.length) {
    const len = framed.readInt32BE(pos);
    parts.push(snappyRawDecode(framed.subarray(pos + 4, pos + 4 + len)) as Buffer);
    pos += 4 + len;
  }
  t.equal(parts.length, 4);
  t.equal(parts[0]!.length, 32768);
  t.ok(Buffer.concat(parts).equals(data));
  t.ok(decompress(CompressionType.Snappy, snappyRaw(data)).equals(data));
});

t.test('lz4: frames match Kafka layout and interoperate with lz4_flex (lz4-napi)', async (t) => {
  const data = sampleData(200_000);
  const ours = lz4CompressFrame(data);
  t.same([...ours.subarray(0, 6)], [0x04, 0x22, 0x4d, 0x18, 0x60, 0x40], 'magic, FLG v1+independent, BD 64 KiB');
  t.equal(ours[6], (xxhash32(ours, 4, 6) >>> 8) & 0xff, 'header checksum over the descriptor');
  t.equal(ours.readUInt32LE(ours.length - 4), 0, 'end mark');
  t.ok(decompressFrameSync(ours).equals(data), 'lz4_flex reads our frame');
  t.ok(lz4DecompressFrame(compressFrameSync(data), data.length).equals(data), 'we read lz4_flex frames');
  const checked = compressFrameSync(data, { contentChecksum: true, blockChecksums: true });
  t.ok(decompress(CompressionType.Lz4, checked).equals(data), 'with block and content checksums');
  const badContent = Buffer.from(checked);
  badContent[badContent.length - 1]! ^= 1;
  t.throws(() => decompress(CompressionType.Lz4, badContent), /content ?checksum/i, "native path");
  t.throws(() => lz4DecompressFrame(badContent, data.length), /content checksum mismatch/, 'JS path');
});

t.test('lz4: the bounded JS decoder (block headers allow more than maxBytes) matches the native one', async (t) => {
  const rnd = prng(3);
  const random = Buffer.from(Array.from({ length: 70_000 }, () => Math.floor(rnd() * 256)));
  for (const input of [Buffer.from('x'), sampleData(1000), sampleData(300_000), random, Buffer.alloc(200_000, 7)]) {
    // A budget of exactly the output size is below the header-derived bound: the JS decoder runs.
    t.ok(lz4DecompressFrame(lz4CompressFrame(input), input.length).equals(input), `${input.length} bytes`);
    t.throws(() => lz4DecompressFrame(lz4CompressFrame(input), input.length - 1), /exceeds the/);
  }
  const packed = lz4CompressFrame(sampleData(3000));
  const counts = { ok: 0, corrupt: 0 };
  for (let i = 0; i < 1000; i++) {
    const m = Buffer.from(packed);
    for (let f = 0; f < 1 + (i % 3); f++) m[7 + Math.floor(rnd() * (m.length - 7))] = Math.floor(rnd() * 256);
    counts[outcome(() => lz4DecompressFrame(m, 3000))]++;
  }
  t.equal(counts.ok + counts.corrupt, 1000, JSON.stringify(counts));
  for (let n = 0; n < packed.length; n++) t.equal(outcome(() => lz4DecompressFrame(packed.subarray(0, n), 3000)), 'corrupt');
});

t.test('lz4: broken (magic 0) header checksum is written and read', async (t) => {
  const data = sampleData(1000);
  const broken = lz4CompressFrame(data, { brokenHeaderChecksum: true });
  t.equal(broken[6], (xxhash32(broken, 0, 6) >>> 8) & 0xff);
  t.not(broken[6], lz4CompressFrame(data)[6]);
  t.ok(decompress(CompressionType.Lz4, broken).equals(data), 'either checksum accepted by default');
  t.ok(lz4DecompressFrame(broken, 10_000, { brokenHeaderChecksum: true }).equals(data));
  t.throws(() => lz4DecompressFrame(broken, 10_000, { brokenHeaderChecksum: false }), /header checksum/);
  const bad = Buffer.from(broken);
  bad[6]! ^= 0x55;
  t.throws(() => decompress(CompressionType.Lz4, bad), CorruptDataError);
});

t.test('zstd: reads frames written by an independent zstd (zstd-napi high-level API)', async (t) => {
  const zstd = require('zstd-napi') as { compress(b: Buffer): Buffer; decompress(b: Buffer): Buffer };
  const data = sampleData(100_000);
  t.ok(decompress(CompressionType.Zstd, zstd.compress(data)).equals(data));
  t.ok(zstd.decompress(compress(CompressionType.Zstd, data)).equals(data));
});

t.test('zstd without a declared content size is streamed and bounded', async (t) => {
  const { CompressStream } = require('zstd-napi') as { CompressStream: new () => NodeJS.ReadWriteStream };
  const data = Buffer.alloc(3_000_000, 'a');
  const stream = new CompressStream();
  const chunks: Buffer[] = [];
  const done = new Promise<void>((resolve, reject) => {
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => resolve());
    stream.on('error', reject);
  });
  stream.end(data);
  await done;
  const framed = Buffer.concat(chunks);
  t.ok(decompress(CompressionType.Zstd, framed, data.length).equals(data));
  t.throws(() => decompress(CompressionType.Zstd, framed, 1_000_000), /exceeds the 1000000 byte limit/);
  t.throws(() => decompress(CompressionType.Zstd, framed.subarray(0, framed.length - 3), 10_000_000), CorruptDataError);
});

t.test('decompression bombs stop at maxBytes for every codec', async (t) => {
  const zeros = Buffer.alloc(20_000_000);
  for (const type of [CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd] as const) {
    const bomb = compress(type, zeros);
    t.ok(bomb.length < 1_100_000, `${compressionName(type)} bomb is ${bomb.length} bytes`);
    t.throws(() => decompress(type, bomb, 1_000_000), CorruptDataError, compressionName(type));
  }
  t.throws(() => decompress(CompressionType.None, zeros, 10), CorruptDataError);
});

t.test('absurd declared sizes are refused before allocating', async (t) => {
  // Raw snappy claiming 2^32-1 bytes from 6 input bytes.
  t.throws(() => decompress(CompressionType.Snappy, Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0x00])), /snappy/);
  // Xerial block whose int32 length runs past the input.
  const xerial = snappyCompressXerial(Buffer.from('hello'));
  xerial.writeInt32BE(0x7ffffff0, 16);
  t.throws(() => decompress(CompressionType.Snappy, xerial), /runs past/);
  // LZ4 block length above the frame's block size / past the input.
  const lz = lz4CompressFrame(Buffer.from('hello hello hello'));
  const big = Buffer.from(lz);
  big.writeUInt32LE(0x00ffffff, 7);
  t.throws(() => decompress(CompressionType.Lz4, big), /exceeds the frame/);
  // zstd frame header declaring a huge content size.
  const z = compress(CompressionType.Zstd, Buffer.alloc(2_000_000));
  t.throws(() => decompress(CompressionType.Zstd, z, 1000), /declare 2000000 bytes/);
});

t.test('truncated compressed data is a CorruptDataError at every length', async (t) => {
  const data = sampleData(3000);
  for (const type of [CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd] as const) {
    const packed = compress(type, data);
    let corrupt = 0;
    for (let n = 0; n < packed.length; n++) {
      const r = outcome(() => decompress(type, packed.subarray(0, n), 1_000_000));
      if (r === 'corrupt') corrupt++;
    }
    // Xerial framing is a sequence of self-contained blocks: a cut on a block boundary decodes a prefix.
    t.ok(corrupt >= packed.length - 2, `${compressionName(type)}: ${corrupt}/${packed.length} truncations refused`);
  }
});

t.test('random mutations of compressed data never crash', async (t) => {
  const rnd = prng(42);
  const data = sampleData(4000);
  for (const type of [CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd] as const) {
    const packed = compress(type, data);
    const counts = { ok: 0, corrupt: 0 };
    for (let i = 0; i < 400; i++) {
      const m = Buffer.from(packed);
      const flips = 1 + Math.floor(rnd() * 4);
      for (let f = 0; f < flips; f++) m[Math.floor(rnd() * m.length)] = Math.floor(rnd() * 256);
      counts[outcome(() => decompress(type, m, 100_000))]++;
    }
    t.equal(counts.ok + counts.corrupt, 400, `${compressionName(type)} ${JSON.stringify(counts)}`);
  }
});

t.test('gzip decoded by node is what we decoded', async (t) => {
  const data = sampleData(10_000);
  t.ok(gunzipSync(compress(CompressionType.Gzip, data)).equals(data));
});
