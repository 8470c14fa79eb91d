/**
 * dump-log streams: a segment far larger than the read window is dumped (shallow and
 * with deep iteration) by a subprocess whose peak RSS grows by much less than the file
 * size over its RSS before the dump. Also checks the window never grows past the
 * largest single entry.
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { closeSync, openSync, writeSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { encodeRecordBatch } from '../../src/records/record-batch.js';
import { writeInt64 } from '../../src/records/batch-header.js';
import { FileWindow } from '../../src/inspect/file-window.js';
import { crc32c } from '@node-rs/crc32';
import { Dumper, INT32_MAX } from '../../src/inspect/dump.js';
import type { DumpEvent } from '../../src/inspect/events.js';
import { encodeLegacyMessageSet } from '../../src/records/legacy.js';
import { SEG, tempPartitionDir } from './fixtures.js';

const PROBE = fileURLToPath(new URL('./helpers/rss-probe.ts', import.meta.url));
const MiB = 1024 * 1024;

/** A segment of `mib` MiB: one ~1 MiB batch of 100-byte records repeated with rising base offsets. */
function writeSegment(path: string, mib: number): number {
  const records = Array.from({ length: 9000 }, (_, i) => ({ timestampMs: 1700000000000 + i, key: null, value: Buffer.alloc(100, i % 256) }));
  const batch = encodeRecordBatch({ baseOffset: 0, records });
  const fd = openSync(path, 'w');
  let written = 0;
  for (let offset = 0; written < mib * MiB; offset += records.length) {
    writeInt64(batch, 0, offset);
    writeSync(fd, batch);
    written += batch.length;
  }
  closeSync(fd);
  return written;
}

function probe(args: string[]): Promise<{ code: number | null; rssBefore: number; maxRss: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', PROBE, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const m = /rssBefore (\d+) maxRSS (\d+)\n?$/.exec(stderr);
      resolve({ code, rssBefore: m ? Number(m[1]) : Number.NaN, maxRss: m ? Number(m[2]) : Number.NaN, stdout });
    });
  });
}

t.test('peak memory does not follow the segment size', async (t) => {
  const tmp = tempPartitionDir();
  t.teardown(() => tmp.cleanup());
  const big = `${tmp.dir}/${SEG}.log`;
  const bytes = writeSegment(big, 96);
  const window = ['--window-bytes', String(MiB)];
  const r = await probe(['dump-log', '--files', big, '--summary', ...window, '---', 'dump-log', '--files', big, '--summary', '--deep-iteration', ...window]);
  t.equal(r.code, 0);
  t.match(r.stdout, new RegExp(`validBytes: ${bytes} invalidBytes: 0`));
  const growthMiB = (r.maxRss - r.rssBefore) / 1024;
  t.ok(growthMiB < 48, `shallow and deep scans of ${bytes >> 20} MiB grew peak RSS by ${growthMiB.toFixed(1)} MiB`);
});

t.test('the window buffer stays at the window size for small entries', async (t) => {
  const tmp = tempPartitionDir();
  t.teardown(() => tmp.cleanup());
  const path = tmp.write('f.bin', Buffer.alloc(3 * MiB, 7));
  const win = await FileWindow.open(path, 64 * 1024);
  t.teardown(() => win.close());
  for (let pos = 0; pos + 1000 <= win.size; pos += 999) {
    const v = await win.view(pos, 1000);
    if (v.buf.length > 64 * 1024) t.fail(`window grew to ${v.buf.length} at ${pos}`);
    if (v.buf[v.at] !== 7 || v.buf[v.at + 999] !== 7) t.fail(`wrong bytes at ${pos}`);
  }
  const large = await win.view(10, 200 * 1024);
  t.equal(large.buf.length, 200 * 1024, 'one large entry gets a buffer of its own size');
  const back = await win.view(500 * 1024, 100);
  t.equal(back.buf.length, 64 * 1024, 'and the window shrinks back afterwards');
});

t.test('reading ahead: sequential views of any size see the file\'s bytes', async (t) => {
  const tmp = tempPartitionDir();
  t.teardown(() => tmp.cleanup());
  const bytes = Buffer.from(Array.from({ length: 1_000_000 }, (_, i) => (i * 7 + (i >> 8)) & 0xff));
  const path = tmp.write('f.bin', bytes);
  const win = await FileWindow.open(path, 16 * 1024, true);
  t.teardown(() => win.close());
  // Entry sizes around the room kept for a partial entry (4 KiB), the window (16 KiB) and beyond.
  const sizes = [13, 100, 3000, 4095, 4097, 9000, 15000, 16384, 20000, 1, 70000];
  let bad = 0;
  let views = 0;
  for (let pos = 0, i = 0; pos < bytes.length; i++) {
    const n = Math.min(sizes[i % sizes.length]!, bytes.length - pos);
    const head = await win.view(pos, Math.min(13, n));
    if (head.buf[head.at] !== bytes[pos]) bad++;
    const v = win.has(pos, n) ? win.viewSync(pos) : await win.view(pos, n);
    if (!v.buf.subarray(v.at, v.at + n).equals(bytes.subarray(pos, pos + n))) bad++;
    views++;
    pos += n;
  }
  t.equal(bad, 0, `${views} views matched the file`);
  t.equal(await win.checksum(5, bytes.length, 'crc32c'), crc32c(bytes.subarray(5)) >>> 0, 'a streamed checksum too');
});

t.test('entries above maxEntryBytes: header and streamed CRC only, records refused', async (t) => {
  const tmp = tempPartitionDir();
  t.teardown(() => tmp.cleanup());
  const records = Array.from({ length: 20 }, (_, i) => ({ timestampMs: 1700000000000 + i, key: null, value: Buffer.alloc(50, i) }));
  const good = encodeRecordBatch({ baseOffset: 0, records });
  const bad = encodeRecordBatch({ baseOffset: 20, records });
  bad[bad.length - 1] ^= 0xff;
  const legacy = encodeLegacyMessageSet({ magic: 1, baseOffset: 40, messages: [{ key: null, value: Buffer.alloc(300, 1), timestampMs: 1700000000100 }] });
  const path = tmp.write(`${SEG}.log`, Buffer.concat([good, bad, legacy]));
  const run = async (maxEntryBytes: number | undefined, deepIteration: boolean): Promise<DumpEvent[]> => {
    const events: DumpEvent[] = [];
    const sink = { emit: (e: DumpEvent) => void events.push(e), drain: async () => {} };
    const dumper = new Dumper({
      printDataLog: false, deepIteration, skipRecordMetadata: false, verifyIndexOnly: false, indexSanityCheck: false,
      maxMessageSize: 5242880, maxBytes: INT32_MAX, cwd: tmp.dir, parser: () => ({}), windowBytes: 4096, maxEntryBytes,
    }, sink);
    await dumper.dumpFile(path);
    return events;
  };
  const whole = await run(undefined, false);
  const partial = await run(200, false);
  const batches = (evs: DumpEvent[]): DumpEvent[] => evs.filter((e) => e.type === 'batch');
  t.equal(batches(whole).length, 3);
  t.same(batches(partial), batches(whole), 'the same batch lines, CRC verdicts included');
  t.same(batches(partial).map((b) => (b.type === 'batch' ? b.isValid : null)), [true, false, true]);
  const deep = await run(200, true);
  const problems = deep.filter((e) => e.type === 'problem');
  t.same(problems.map((p) => (p.type === 'problem' ? [p.kind, p.position] : [])), [
    ['decode-error', 0], ['crc-mismatch', good.length], ['decode-error', good.length], ['decode-error', good.length + bad.length],
  ]);
});
