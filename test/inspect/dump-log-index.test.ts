/**
 * dump-log on a segment's side files: offset and time indexes (entries, the sparse zero
 * tail, verification against the log with Kafka's stderr reports, --verify-index-only,
 * --index-sanity-check), transaction indexes, producer snapshots, text checkpoints,
 * unknown files and directory arguments.
 */
import t from 'tap';
import { crc32c } from '@node-rs/crc32';
import { resolve } from 'node:path';
import { runKts } from '../helpers/run-kts.js';
import { handBatch, handRecord, SEG, tempPartitionDir, type TempDir } from './fixtures.js';

function batch(baseOffset: number, n: number, ts: number): Buffer {
  const records = Buffer.concat(Array.from({ length: n }, (_, i) => handRecord({ offsetDelta: i, timestampDelta: i, key: null, value: Buffer.from(`r${baseOffset + i}`) })));
  return handBatch({ baseOffset, lastOffsetDelta: n - 1, baseTimestamp: ts, maxTimestamp: ts + n - 1, count: n, records });
}

function offsetIndex(entries: [number, number][], zeroTail = 0): Buffer {
  const b = Buffer.alloc((entries.length + zeroTail) * 8);
  entries.forEach(([rel, pos], i) => {
    b.writeInt32BE(rel, i * 8);
    b.writeInt32BE(pos, i * 8 + 4);
  });
  return b;
}

function timeIndex(entries: [number, number][], zeroTail = 0): Buffer {
  const b = Buffer.alloc((entries.length + zeroTail) * 12);
  entries.forEach(([ts, rel], i) => {
    b.writeBigInt64BE(BigInt(ts), i * 12);
    b.writeInt32BE(rel, i * 12 + 8);
  });
  return b;
}

/** Segment at base 100: batches 100-102, 103-104, 105-107. */
function segment(tmp: TempDir): { log: string; positions: number[] } {
  const b = [batch(100, 3, 5000), batch(103, 2, 6000), batch(105, 3, 7000)];
  const positions = [0, b[0]!.length, b[0]!.length + b[1]!.length];
  return { log: tmp.write('00000000000000000100.log', Buffer.concat(b)), positions };
}

t.test('offset index: entries up to the zeroed tail, verified against the log', async (t) => {
  const tmp = tempPartitionDir();
  t.teardown(() => tmp.cleanup());
  const { positions } = segment(tmp);
  // Kafka indexes a batch's last offset at the batch's start position.
  const good = tmp.write('00000000000000000100.index', offsetIndex([[4, positions[1]!], [7, positions[2]!]], 3));
  const r = await runKts(['dump-log', '--files', good]);
  t.equal(r.code, 0);
  t.equal(r.stdout, [`Dumping ${good}`, `offset: 104 position: ${positions[1]}`, `offset: 107 position: ${positions[2]}`, ''].join('\n'));
  t.equal(r.stderr, '');
  const verify = await runKts(['dump-log', '--files', good, '--verify-index-only']);
  t.equal(verify.stdout, `Dumping ${good}\n`);
  const sane = await runKts(['dump-log', '--files', good, '--index-sanity-check']);
  t.equal(sane.stdout, `Dumping ${good}\n${good} passed sanity check.\n`);
});

t.test('offset index mismatches go to stderr, newest first, after all files', async (t) => {
  const tmp = tempPartitionDir();
  t.teardown(() => tmp.cleanup());
  const { positions } = segment(tmp);
  const bad = tmp.write('00000000000000000100.index', offsetIndex([[3, positions[1]!], [6, positions[2]!]]));
  const r = await runKts(['dump-log', '--files', bad, '--verify-index-only']);
  t.equal(r.code, 0);
  t.equal(r.stdout, `Dumping ${bad}\n`);
  t.equal(r.stderr, [`Mismatches in :${resolve(bad)}`, '  Index offset: 106, log offset: 107', '  Index offset: 103, log offset: 104', ''].join('\n'));
  const check = await runKts(['dump-log', '--files', bad, '--check']);
  t.equal(check.code, 1);
  // Offset 103 is its batch's base offset, which Kafka 1.x indexed: not a problem for --check.
  t.equal(check.stdout, [
    `Problem in ${bad} at byte 8: index-mismatch: entry 1 maps offset 106 to position ${positions[2]}, where the batch's last offset is 107`,
    'Found 1 problem(s) in 1 file(s).',
    '',
  ].join('\n'));
});

t.test('offset index pointing past the log, empty index, failed sanity check', async (t) => {
  const tmp = tempPartitionDir();
  t.teardown(() => tmp.cleanup());
  segment(tmp);
  const wild = tmp.write('00000000000000000100.index', offsetIndex([[4, 1 << 20]]));
  const r = await runKts(['dump-log', '--files', wild, '--check']);
  t.equal(r.code, 1);
  t.match(r.stdout, /Problem in .* at byte 0: index-entry-out-of-range: entry 0 \(offset 104\) points at position 1048576/);
  const empty = tmp.write('00000000000000000100.index', Buffer.alloc(0));
  const e = await runKts(['dump-log', '--files', empty]);
  t.equal(e.stdout, `Dumping ${empty}\n${empty} is empty.\n`);
  const torn = tmp.write('00000000000000000100.index', Buffer.alloc(12));
  const s = await runKts(['dump-log', '--files', torn, '--index-sanity-check']);
  t.equal(s.code, 1);
  t.equal(s.stderr, `Index file ${resolve(torn)} is corrupt, found 12 bytes which is neither positive nor a multiple of 8\n`);
});

t.test('time index: entries, timestamp mismatch, out of order, offsets not found', async (t) => {
  const tmp = tempPartitionDir();
  t.teardown(() => tmp.cleanup());
  const { positions } = segment(tmp);
  tmp.write('00000000000000000100.index', offsetIndex([[4, positions[1]!], [7, positions[2]!]]));
  const good = tmp.write('00000000000000000100.timeindex', timeIndex([[5002, 2], [6001, 4], [7002, 7]], 2));
  const r = await runKts(['dump-log', '--files', good]);
  t.equal(r.stdout, [`Dumping ${good}`, 'timestamp: 5002 offset: 102', 'timestamp: 6001 offset: 104', 'timestamp: 7002 offset: 107', ''].join('\n'));
  t.equal(r.stderr, '');
  const bad = tmp.write('00000000000000000100.timeindex', timeIndex([[5002, 2], [5000, 4], [7002, 6]]));
  const b = await runKts(['dump-log', '--files', bad]);
  const abs = resolve(bad);
  t.equal(b.stderr, [
    `Found timestamp mismatch in :${abs}`,
    '  Index timestamp: 5000, log timestamp: 6001',
    `Found out of order timestamp in :${abs}`,
    '  Index timestamp: 5000, Previously indexed timestamp: 5002',
    'The following indexed offsets are not found in the log.',
    'Indexed offset: 106, found log offset: 107',
    '',
  ].join('\n'));
  const sane = await runKts(['dump-log', '--files', bad, '--index-sanity-check']);
  t.equal(sane.stdout, `Dumping ${bad}\n${bad} passed sanity check.\n`);
  const backwards = tmp.write('00000000000000000100.timeindex', timeIndex([[7000, 2], [5000, 4]]));
  const insane = await runKts(['dump-log', '--files', backwards, '--index-sanity-check']);
  t.equal(insane.code, 1);
  t.equal(insane.stderr, `Corrupt time index found, time index file (${resolve(backwards)}) has non-zero size but the last timestamp is 5000 which is less than the first timestamp 7000\n`);
});

function txnEntry(pid: number, first: number, last: number, lso: number): Buffer {
  const b = Buffer.alloc(34);
  b.writeInt16BE(0, 0);
  b.writeBigInt64BE(BigInt(pid), 2);
  b.writeBigInt64BE(BigInt(first), 10);
  b.writeBigInt64BE(BigInt(last), 18);
  b.writeBigInt64BE(BigInt(lso), 26);
  return b;
}

t.test('transaction index', async (t) => {
  const tmp = tempPartitionDir();
  t.teardown(() => tmp.cleanup());
  const path = tmp.write(`${SEG}.txnindex`, Buffer.concat([txnEntry(2000, 5, 9, 5), txnEntry(2001, 12, 14, 10)]));
  const r = await runKts(['dump-log', '--files', path]);
  t.equal(r.stdout, [
    `Dumping ${path}`,
    'version: 0 producerId: 2000 firstOffset: 5 lastOffset: 9 lastStableOffset: 5',
    'version: 0 producerId: 2001 firstOffset: 12 lastOffset: 14 lastStableOffset: 10',
    '',
  ].join('\n'));
  const torn = tmp.write(`${SEG}.txnindex`, Buffer.concat([txnEntry(2000, 5, 9, 5), Buffer.alloc(10)]));
  const tr = await runKts(['dump-log', '--files', torn, '--json']);
  const events = tr.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; kind?: string; position?: number });
  t.same(events.map((e) => e.type), ['file', 'abortedTxn', 'error', 'problem']);
  t.equal(events[3]!.kind, 'corrupt-file');
  t.equal(events[3]!.position, 34);
});

function snapshotEntry(pid: number, epoch: number, lastSeq: number, lastOffset: number, delta: number, ts: number, coordEpoch: number, txnFirst: number): Buffer {
  const b = Buffer.alloc(46);
  b.writeBigInt64BE(BigInt(pid), 0);
  b.writeInt16BE(epoch, 8);
  b.writeInt32BE(lastSeq, 10);
  b.writeBigInt64BE(BigInt(lastOffset), 14);
  b.writeInt32BE(delta, 22);
  b.writeBigInt64BE(BigInt(ts), 26);
  b.writeInt32BE(coordEpoch, 34);
  b.writeBigInt64BE(BigInt(txnFirst), 38);
  return b;
}

function snapshot(entries: Buffer[]): Buffer {
  const body = Buffer.concat([Buffer.alloc(4), ...entries]);
  body.writeInt32BE(entries.length, 0);
  const head = Buffer.alloc(6);
  head.writeInt16BE(1, 0);
  head.writeUInt32BE(crc32c(body) >>> 0, 2);
  return Buffer.concat([head, body]);
}

t.test('producer snapshot', async (t) => {
  const tmp = tempPartitionDir();
  t.teardown(() => tmp.cleanup());
  const snap = snapshot([snapshotEntry(1000, 1, 9, 7, 2, 1700000000123, 0, -1), snapshotEntry(2000, 0, 1, 20, 1, 1700000000999, 4, 18)]);
  const path = tmp.write('00000000000000000021.snapshot', snap);
  const r = await runKts(['dump-log', '--files', path]);
  t.equal(r.stdout, [
    `Dumping ${path}`,
    'producerId: 1000 producerEpoch: 1 coordinatorEpoch: 0 currentTxnFirstOffset: OptionalLong.empty lastTimestamp: 1700000000123 firstSequence: 7 lastSequence: 9 lastOffset: 7 offsetDelta: 2 timestamp: 1700000000123',
    'producerId: 2000 producerEpoch: 0 coordinatorEpoch: 4 currentTxnFirstOffset: OptionalLong[18] lastTimestamp: 1700000000999 firstSequence: 0 lastSequence: 1 lastOffset: 20 offsetDelta: 1 timestamp: 1700000000999',
    '',
  ].join('\n'));
  const corrupt = Buffer.from(snap);
  corrupt[20] ^= 0xff;
  const cpath = tmp.write('00000000000000000021.snapshot', corrupt);
  const c = await runKts(['dump-log', '--files', cpath]);
  t.equal(c.stdout, `Dumping ${cpath}\n`);
  t.match(c.stderr, /^Snapshot is corrupt \(CRC is no longer valid\)\. Stored crc: \d+\. Computed crc: \d+\n$/);
});

t.test('text checkpoints, unknown files, directories', async (t) => {
  const tmp = tempPartitionDir('orders-0');
  t.teardown(() => tmp.cleanup());
  const lec = tmp.write('leader-epoch-checkpoint', '0\n2\n0 0\n3 100\n');
  const { log } = segment(tmp);
  tmp.write('00000000000000000100.index', Buffer.alloc(0));
  const rec = resolve(tmp.dir, '..', 'replication-offset-checkpoint');
  (await import('node:fs')).writeFileSync(rec, '0\n1\norders 0 108\n');
  const r = await runKts(['dump-log', '--files', `${lec},${rec},${tmp.dir}/notes.txt`]);
  t.equal(r.stdout, [
    `Dumping ${lec}`, 'version: 0 entries: 2', 'leaderEpoch: 0 startOffset: 0', 'leaderEpoch: 3 startOffset: 100',
    `Dumping ${rec}`, 'version: 0 entries: 1', 'topic: orders partition: 0 offset: 108',
    `Dumping ${tmp.dir}/notes.txt`, '',
  ].join('\n'));
  t.equal(r.stderr, `Ignoring unknown file ${tmp.dir}/notes.txt\n`);
  const dir = await runKts(['dump-log', '--files', resolve(tmp.dir, '..'), '--summary', '--json']);
  const paths = dir.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; path: string }).filter((e) => e.type === 'summary').map((e) => e.path);
  t.same(paths, [rec, log, `${tmp.dir}/00000000000000000100.index`, lec], 'log dir: root checkpoints, then each partition in segment order');
});

t.test('a preallocated, still unused index (live active segment): Kafka\'s zero entry, no --check problem', async (t) => {
  const tmp = tempPartitionDir();
  t.teardown(() => tmp.cleanup());
  segment(tmp);
  const index = tmp.write('00000000000000000100.index', Buffer.alloc(8 * 1024));
  const time = tmp.write('00000000000000000100.timeindex', Buffer.alloc(12 * 1024));
  const r = await runKts(['dump-log', '--files', `${index},${time}`]);
  t.equal(r.stdout, [`Dumping ${index}`, 'offset: 100 position: 0', `Dumping ${time}`, 'timestamp: 0 offset: 100', ''].join('\n'));
  t.match(r.stderr, /^Mismatches in :.*\n  Index offset: 100, log offset: 102\n/, 'Kafka reports the zero entry');
  const check = await runKts(['dump-log', '--files', `${index},${time}`, '--check']);
  t.equal(check.code, 0);
  t.equal(check.stdout, 'No problems found in 2 file(s).\n');
});
