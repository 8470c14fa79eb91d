import t from 'tap';
import { writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { CompressionType } from '../../src/records/batch-header.js';
import { encodeEndTransactionMarkerBatch } from '../../src/records/control.js';
import { encodeLegacyMessageSet } from '../../src/records/legacy.js';
import { decodeLogEntry, type LogEntry, readLogEntries, scanLogEntries, verifyLogEntry } from '../../src/records/log-entries.js';
import { encodeRecordBatch } from '../../src/records/record-batch.js';
import { CorruptDataError } from '../../src/util/errors.js';
import { outcome, prng } from './helpers.js';

const value = (i: number): Buffer => Buffer.from(`value-${i}-${'x'.repeat(i % 50)}`);

/** A segment as an upgraded cluster might have left it: v0, v1 (one compressed), then v2 batches. */
function mixedSegment(): { segment: Buffer; offsets: number[][] } {
  const parts = [
    encodeLegacyMessageSet({ magic: 0, baseOffset: 0, messages: [0, 1].map((i) => ({ key: null, value: value(i) })) }),
    encodeLegacyMessageSet({ magic: 1, baseOffset: 2, compression: CompressionType.Gzip, messages: [2, 3, 4].map((i) => ({ key: null, value: value(i), timestampMs: i })) }),
    encodeRecordBatch({ baseOffset: 5, records: [5, 6, 7].map((i) => ({ timestampMs: i, key: null, value: value(i) })) }),
    encodeRecordBatch({ baseOffset: 8, compression: CompressionType.Zstd, records: [8, 9].map((i) => ({ timestampMs: i, key: null, value: value(i) })) }),
    encodeEndTransactionMarkerBatch({ baseOffset: 10, producerId: 1, producerEpoch: 0, coordinatorEpoch: 0, commit: true, timestampMs: 10 }),
  ];
  return { segment: Buffer.concat(parts), offsets: [[0], [1], [2, 3, 4], [5, 6, 7], [8, 9], [10]] };
}

function offsetsOf(entry: LogEntry): number[] {
  const d = decodeLogEntry(entry);
  return d.magic === 2 ? [...d.records].map((r) => r.offset) : [...d.messages].map((m) => m.offset);
}

t.test('scans a mixed v0/v1/v2 segment and decodes every entry', async (t) => {
  const { segment, offsets } = mixedSegment();
  const scan = scanLogEntries(segment, { basePosition: 4096 });
  const entries = [...scan];
  t.same(entries.map((e) => e.magic), [0, 0, 1, 2, 2, 2]);
  t.same(entries.map(offsetsOf), offsets);
  t.same(entries.map((e) => [e.baseOffset, e.lastOffset]), [[0, 0], [1, 1], [4, 4], [5, 7], [8, 9], [10, 10]]);
  t.equal(entries[0]!.position, 4096);
  t.equal(entries[1]!.position, 4096 + entries[0]!.size);
  t.same(scan.stop, { kind: 'complete', position: 4096 + segment.length });
  t.equal(scan.validBytes, segment.length);
  for (const e of entries) verifyLogEntry(e);
});

t.test('a truncated tail stops the scan cleanly at every cut', async (t) => {
  const { segment } = mixedSegment();
  const boundaries = [...scanLogEntries(segment)].map((e) => e.position + e.size);
  for (let n = 0; n <= segment.length; n++) {
    const scan = scanLogEntries(segment.subarray(0, n));
    const entries = [...scan];
    const complete = boundaries.filter((b) => b <= n);
    t.equal(entries.length, complete.length);
    const validBytes = complete.length === 0 ? 0 : complete[complete.length - 1]!;
    t.equal(scan.validBytes, validBytes);
    if (n === validBytes) t.equal(scan.stop!.kind, 'complete');
    else t.same(scan.stop && scan.stop.kind === 'partial' ? [scan.stop.position, scan.stop.bytesLeft] : null, [validBytes, n - validBytes], `cut ${n}`);
  }
});

t.test('invalid headers stop the scan with a reason', async (t) => {
  const { segment } = mixedSegment();
  const zeros = Buffer.concat([segment, Buffer.alloc(100)]);
  const scan = scanLogEntries(zeros);
  t.equal([...scan].length, 6);
  t.match(scan.stop, { kind: 'invalid', position: segment.length, bytesLeft: 100, reason: /below the minimum/ });
  const badMagic = Buffer.from(segment);
  badMagic[16] = 7;
  const s2 = scanLogEntries(badMagic);
  t.equal([...s2].length, 0);
  t.match(s2.stop, { kind: 'invalid', position: 0, reason: /unknown magic 7/ });
  const s3 = scanLogEntries(segment, { maxEntryBytes: 40 });
  t.equal([...s3].length, 2, 'the two small v0 messages fit');
  t.match(s3.stop, { kind: 'invalid', position: 69, reason: /exceeds the maximum 40/ });
});

t.test('decode errors carry file positions', async (t) => {
  const batch = encodeRecordBatch({ baseOffset: 0, records: [{ timestampMs: 0, key: null, value: Buffer.from('v') }] });
  batch[batch.length - 1]! ^= 1;
  const [entry] = [...scanLogEntries(batch, { basePosition: 1000 })];
  const err = t.throws(() => verifyLogEntry(entry!)) as CorruptDataError;
  t.ok(err instanceof CorruptDataError);
  t.equal(err.position, 1017);
});

t.test('reads a segment file in small windows, including entries larger than the window', async (t) => {
  const dir = t.testdir();
  const { segment } = mixedSegment();
  const big = encodeRecordBatch({ baseOffset: 11, records: [{ timestampMs: 0, key: null, value: Buffer.alloc(5000, 1) }] });
  const torn = big.subarray(0, 30);
  const path = join(dir, '00000000000000000000.log');
  writeFileSync(path, Buffer.concat([segment, big, torn]));
  const file = await open(path, 'r');
  t.teardown(() => file.close());
  const scan = readLogEntries(file, { windowBytes: 64 });
  const seen: number[][] = [];
  for await (const entry of scan) seen.push(offsetsOf(entry));
  t.same(seen, [[0], [1], [2, 3, 4], [5, 6, 7], [8, 9], [10], [11]]);
  t.same(scan.stop, { kind: 'partial', position: segment.length + big.length, bytesLeft: 30, neededBytes: big.length });
});

t.test('a corrupt length in a file stops the scan without reading or allocating it', async (t) => {
  const dir = t.testdir();
  const { segment } = mixedSegment();
  const corrupt = Buffer.from(segment);
  const third = [...scanLogEntries(segment)][2]!.position;
  corrupt.writeInt32BE(1_000_000_000, third + 8);
  const path = join(dir, 'corrupt.log');
  writeFileSync(path, corrupt);
  const file = await open(path, 'r');
  t.teardown(() => file.close());
  const scan = readLogEntries(file, { windowBytes: 64, maxEntryBytes: 2 ** 31 });
  let n = 0;
  for await (const _ of scan) n++;
  t.equal(n, 2);
  t.same(scan.stop, { kind: 'partial', position: third, bytesLeft: segment.length - third, neededBytes: 1_000_000_012 });
  const bounded = readLogEntries(file, { windowBytes: 64 });
  for await (const _ of bounded) n++;
  t.match(bounded.stop, { kind: 'invalid', position: third, bytesLeft: segment.length - third, reason: /exceeds the maximum 134217728/ });
});

t.test('random mutations of a segment never crash scan + decode', async (t) => {
  const { segment } = mixedSegment();
  const rnd = prng(5);
  const counts = { ok: 0, corrupt: 0 };
  for (let i = 0; i < 1500; i++) {
    const m = Buffer.from(segment);
    for (let f = 0; f < 3; f++) m[Math.floor(rnd() * m.length)] = Math.floor(rnd() * 256);
    counts[
      outcome(() => {
        for (const e of scanLogEntries(m)) offsetsOf(e);
      })
    ]++;
  }
  t.equal(counts.ok + counts.corrupt, 1500, JSON.stringify(counts));
});
