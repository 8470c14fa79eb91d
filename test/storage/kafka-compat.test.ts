/**
 * Byte compatibility with Apache Kafka both ways: a log dir laid out as Kafka writes it
 * (batches encoded by kafkajs, indexes, checkpoints and snapshots computed by hand from
 * Kafka's rules) opens in kts; and what kts writes for the same input has those bytes.
 */
import t from 'tap';
import { createRequire } from 'node:module';
import { mkdirSync, readFileSync, writeFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { LogManager, checkEntry, encodeProducerSnapshot } from '../../src/storage/index.js';
import { tempDir } from './helpers.js';

const require = createRequire(import.meta.url);
type Enc = { buffer: Buffer };
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0') as { RecordBatch: (o: Record<string, unknown>) => Promise<Enc> };
const Record = require('kafkajs/src/protocol/recordBatch/record/v0') as (o: Record<string, unknown>) => Enc;
const Long = require('kafkajs/src/utils/long') as { fromNumber(n: number): unknown };

const T = 1763700000000;
const PID = 9;
const TOPIC_ID = 'q7Vt1mZ8Q2eGm0ksKx3JqA';

interface Spec { first: number; epoch: number; seq: number; values: number; valueBytes: number; ts: number[] }
const SPECS: Spec[] = [
  { first: 0, epoch: 0, seq: 0, values: 3, valueBytes: 1500, ts: [T, T + 1, T + 2] },
  { first: 3, epoch: 0, seq: 3, values: 2, valueBytes: 1400, ts: [T + 10, T + 5] },
  { first: 5, epoch: 1, seq: 5, values: 5, valueBytes: 100, ts: [T + 20, T + 21, T + 22, T + 24, T + 23] },
];

/** A batch as kafkajs encodes it; `assigned` gives it the offsets and epoch the broker assigns. */
async function kafkajsBatch(s: Spec, assigned: boolean): Promise<Buffer> {
  const records = s.ts.map((ts, i) => Record({ offsetDelta: i, timestampDelta: ts - s.ts[0]!, key: null, value: Buffer.alloc(s.valueBytes, 97 + i) }));
  const enc = await RecordBatch({
    firstOffset: Long.fromNumber(assigned ? s.first : 0), firstTimestamp: s.ts[0], maxTimestamp: Math.max(...s.ts),
    partitionLeaderEpoch: assigned ? s.epoch : -1, lastOffsetDelta: s.values - 1, producerId: Long.fromNumber(PID), producerEpoch: 0,
    firstSequence: s.seq, records,
  });
  return enc.buffer;
}

function entries(...pairs: Array<[number, number]>): Buffer {
  const b = Buffer.alloc(pairs.length * 8);
  pairs.forEach(([rel, pos], i) => { b.writeInt32BE(rel, i * 8); b.writeInt32BE(pos, i * 8 + 4); });
  return b;
}

function timeEntries(...pairs: Array<[number, number]>): Buffer {
  const b = Buffer.alloc(pairs.length * 12);
  pairs.forEach(([ts, rel], i) => { b.writeBigInt64BE(BigInt(ts), i * 12); b.writeInt32BE(rel, i * 12 + 8); });
  return b;
}

function snapshot(lastSeq: number, lastOffset: number, offsetDelta: number, ts: number): Buffer {
  return encodeProducerSnapshot([{ producerId: PID, producerEpoch: 0, batches: [{ firstSeq: lastSeq - offsetDelta, lastSeq, firstOffset: lastOffset - offsetDelta, lastOffset, timestampMs: ts }], coordinatorEpoch: -1, currentTxnFirstOffset: -1, lastTimestampMs: ts }]);
}

t.test('kts opens a log dir written by Apache Kafka', async (t) => {
  const dir = tempDir(t);
  const [b1, b2, b3] = await Promise.all(SPECS.map((s) => kafkajsBatch(s, true)));
  const p = join(dir, 'k-0');
  mkdirSync(p);
  writeFileSync(join(dir, 'meta.properties'), '#\n#Fri Nov 21 04:00:00 UTC 2025\nnode.id=1\ndirectory.id=4Dk5n3nKRkSt1b2mH0yqZQ\nversion=1\ncluster.id=MkU3OEVBNTcwNTJENDM2Qk\n');
  writeFileSync(join(dir, '.lock'), '');
  writeFileSync(join(dir, '.kafka_cleanshutdown'), '{"version":0,"brokerEpoch":7}');
  writeFileSync(join(dir, 'recovery-point-offset-checkpoint'), '0\n1\nk 0 10\n');
  writeFileSync(join(dir, 'log-start-offset-checkpoint'), '0\n0\n');
  writeFileSync(join(dir, 'replication-offset-checkpoint'), '0\n1\nk 0 10\n');
  writeFileSync(join(p, 'partition.metadata'), `version: 0\ntopic_id: ${TOPIC_ID}`);
  writeFileSync(join(p, 'leader-epoch-checkpoint'), '0\n2\n0 0\n1 5\n');
  // Segment 0: B1 (no index entry: nothing before it), B2 indexed at B1's size; rolled, so trimmed.
  writeFileSync(join(p, '00000000000000000000.log'), Buffer.concat([b1!, b2!]));
  writeFileSync(join(p, '00000000000000000000.index'), entries([4, b1!.length]));
  writeFileSync(join(p, '00000000000000000000.timeindex'), timeEntries([T + 10, 4]));
  writeFileSync(join(p, '00000000000000000005.snapshot'), snapshot(4, 4, 1, T + 10));
  // Active segment 5: B3, closed cleanly (final time index entry, empty offset index).
  writeFileSync(join(p, '00000000000000000005.log'), b3!);
  writeFileSync(join(p, '00000000000000000005.index'), Buffer.alloc(0));
  writeFileSync(join(p, '00000000000000000005.timeindex'), timeEntries([T + 24, 4]));
  writeFileSync(join(p, '00000000000000000010.snapshot'), snapshot(9, 9, 4, T + 24));

  const mgr = LogManager.open({ logDirs: [dir], nodeId: 1, clusterId: 'MkU3OEVBNTcwNTJENDM2Qk', producerIdExpirationMs: 1e13 });
  t.teardown(() => mgr.close());
  t.match(mgr.notices.join('\n'), /lock file without a kts holder/);
  t.equal(mgr.directoryIds[0], '4Dk5n3nKRkSt1b2mH0yqZQ');
  const log = mgr.getLog('k', 0)!;
  t.equal(log.topicId, TOPIC_ID);
  t.equal(log.logEndOffset, 10);
  t.same(log.segmentBaseOffsets(), [0, 5]);
  t.same(log.read(0, 1 << 20).records, Buffer.concat([b1!, b2!]), 'segment 0 bytes come back as written');
  t.same(log.read(7, 1 << 20).records, b3);
  t.same(log.read(4, 1 << 20).records, b2, 'offset index lookup into the middle');
  t.same(log.offsetForTimestamp(T + 4), { timestampMs: T + 10, offset: 3, leaderEpoch: 0 }, 'first record in offset order at or after the timestamp');
  t.same(log.offsetForTimestamp(T + 23), { timestampMs: T + 24, offset: 8, leaderEpoch: 1 });
  t.same(log.offsetForTimestamp(-3), { timestampMs: T + 24, offset: 8, leaderEpoch: 1 });
  t.same(log.endOffsetForLeaderEpoch(0), { leaderEpoch: 0, endOffset: 5 });
  // The producer snapshot Kafka wrote lets kts recognise a retried batch.
  const retry = await kafkajsBatch(SPECS[2]!, false);
  const dup = log.appendAsLeader(retry, 1);
  t.same([dup.duplicate, dup.baseOffset, dup.lastOffset], [true, 5, 9]);
  // The active segment's indexes get their room for appends (segment.index.bytes) at the
  // first entry appended; until then they stay as Kafka left them (opening only to read
  // rewrites nothing).
  t.equal(readFileSync(join(p, '00000000000000000005.index')).length, 0);
});

t.test('kts writes exactly the bytes Kafka writes for the same input', async (t) => {
  const dir = tempDir(t);
  const clock = { now: T + 100 };
  let mgr = LogManager.open({ logDirs: [dir], nodeId: 1, clusterId: 'MkU3OEVBNTcwNTJENDM2Qk', nowMs: () => clock.now, producerIdExpirationMs: 1e13 });
  const log = mgr.createLog('k', 0, TOPIC_ID);
  for (const s of SPECS) log.appendAsLeader(await kafkajsBatch(s, false), s.epoch);
  mgr.close();
  const p = join(dir, 'k-0');
  const [b1, b2, b3] = await Promise.all(SPECS.map((s) => kafkajsBatch(s, true)));
  t.same(readFileSync(join(p, '00000000000000000000.log')), Buffer.concat([b1!, b2!, b3!]), '.log');
  // Kafka: entry when bytes since the last entry exceed 4096, before counting the batch.
  t.ok(b1!.length > 4096 && b2!.length < 4096);
  t.same(readFileSync(join(p, '00000000000000000000.index')), entries([4, b1!.length]), '.index');
  t.same(readFileSync(join(p, '00000000000000000000.timeindex')), timeEntries([T + 10, 4], [T + 24, 9]), '.timeindex');
  t.equal(readFileSync(join(p, 'partition.metadata'), 'utf8'), `version: 0\ntopic_id: ${TOPIC_ID}`);
  t.equal(readFileSync(join(p, 'leader-epoch-checkpoint'), 'utf8'), '0\n2\n0 0\n1 5\n');
  t.same(readFileSync(join(p, '00000000000000000010.snapshot')), snapshot(9, 9, 4, T + 24), '.snapshot');
  t.equal(readFileSync(join(dir, 'recovery-point-offset-checkpoint'), 'utf8'), '0\n1\nk 0 10\n');
  t.equal(readFileSync(join(dir, 'replication-offset-checkpoint'), 'utf8'), '0\n1\nk 0 10\n');
  t.equal(readFileSync(join(dir, 'log-start-offset-checkpoint'), 'utf8'), '0\n0\n');
  t.equal(readFileSync(join(dir, '.kafka_cleanshutdown'), 'utf8'), '{"version":0,"brokerEpoch":-1}');
  t.match(readFileSync(join(dir, 'meta.properties'), 'utf8'), /^#\n#.*\nnode\.id=1\ndirectory\.id=[A-Za-z0-9_-]{22}\nversion=1\ncluster\.id=MkU3OEVBNTcwNTJENDM2Qk\n$/);
  t.notOk(existsSync(join(dir, '.lock')), 'lock released');
  t.notOk(readdirSync(p).some((f) => f.endsWith('.txnindex')), 'no .txnindex without aborted transactions');
  mgr = LogManager.open({ logDirs: [dir], nodeId: 1, nowMs: () => clock.now, producerIdExpirationMs: 1e13 });
  t.teardown(() => mgr.close());
  t.ok(existsSync(join(dir, '.kafka_cleanshutdown')), 'marker kept while the logs are only read');
  t.equal(mgr.getLog('k', 0)!.logEndOffset, 10);
  mgr.getLog('k', 0)!.roll();
  t.notOk(existsSync(join(dir, '.kafka_cleanshutdown')), 'marker removed before the first change to a log');
});

t.test('an old Kafka dir without partition.metadata gets a topic id and kts metadata', async (t) => {
  const dir = tempDir(t);
  const b1 = await kafkajsBatch(SPECS[0]!, true);
  for (const p of [0, 1]) {
    mkdirSync(join(dir, `old.topic-${p}`));
    writeFileSync(join(dir, `old.topic-${p}`, '00000000000000000000.log'), b1);
  }
  writeFileSync(join(dir, 'meta.properties'), 'version=0\nbroker.id=1\ncluster.id=MkU3OEVBNTcwNTJENDM2Qk\n');
  const mgr = LogManager.open({ logDirs: [dir], nodeId: 1 });
  t.teardown(() => mgr.close());
  const ids = [0, 1].map((p) => mgr.getLog('old.topic', p)!.topicId);
  t.match(ids[0], /^[A-Za-z0-9_-]{22}$/);
  t.equal(ids[0], ids[1], 'one id per topic');
  t.equal(readFileSync(join(dir, 'old.topic-1', 'partition.metadata'), 'utf8'), `version: 0\ntopic_id: ${ids[0]}`);
  t.same(mgr.getTopicMetadata('old.topic')?.partitionCount, 2);
  t.equal(mgr.getLog('old.topic', 0)!.logEndOffset, 3, 'no checkpoints or marker: recovered from offset 0');
  t.equal(readFileSync(join(dir, 'meta.properties'), 'utf8'), 'version=0\nbroker.id=1\ncluster.id=MkU3OEVBNTcwNTJENDM2Qk\n', 'a version 0 meta.properties is kept as Kafka wrote it');
  t.equal(mgr.clusterId, 'MkU3OEVBNTcwNTJENDM2Qk');
});

t.test('a cleanly shut down Kafka 1.1 dir opened only to read is left as Kafka wrote it; the first write adopts it', async (t) => {
  const dir = tempDir(t);
  const b1 = await kafkajsBatch(SPECS[0]!, true);
  const p = join(dir, 'old.topic-0');
  mkdirSync(p);
  // As Kafka 1.1 leaves it: no partition.metadata, no kts-topics.json, the clean-shutdown marker.
  writeFileSync(join(p, '00000000000000000000.log'), b1);
  writeFileSync(join(p, '00000000000000000000.index'), Buffer.alloc(0));
  writeFileSync(join(p, '00000000000000000000.timeindex'), timeEntries([T + 2, 2]));
  writeFileSync(join(p, '00000000000000000003.snapshot'), snapshot(2, 2, 2, T + 2));
  writeFileSync(join(p, 'leader-epoch-checkpoint'), '0\n1\n0 0\n');
  writeFileSync(join(dir, 'meta.properties'), 'version=0\nbroker.id=1\ncluster.id=MkU3OEVBNTcwNTJENDM2Qk\n');
  writeFileSync(join(dir, '.kafka_cleanshutdown'), '');
  writeFileSync(join(dir, 'recovery-point-offset-checkpoint'), '0\n1\nold.topic 0 3\n');
  writeFileSync(join(dir, 'replication-offset-checkpoint'), '0\n1\nold.topic 0 3\n');
  writeFileSync(join(dir, 'log-start-offset-checkpoint'), '0\n0\n');
  const listing = (): string[] => [...readdirSync(dir).map((f) => `/${f}`), ...readdirSync(p).map((f) => `old.topic-0/${f}`)].sort();
  const before = listing();
  const ids: string[] = [];
  for (let i = 0; i < 2; i++) {
    const mgr = LogManager.open({ logDirs: [dir], nodeId: 1, producerIdExpirationMs: 1e13 });
    const log = mgr.getLog('old.topic', 0)!;
    t.equal(log.logEndOffset, 3);
    t.same(log.read(0, 1 << 20).records, b1);
    ids.push(log.topicId);
    mgr.close();
    t.same(listing(), before, `open ${i + 1}: no file added or removed (no partition.metadata, kts-topics.json or snapshot)`);
    t.equal(readFileSync(join(dir, '.kafka_cleanshutdown'), 'utf8'), '', "Kafka's marker untouched");
  }
  t.match(ids[0], /^[A-Za-z0-9_-]{22}$/);
  t.equal(ids[1], ids[0], 'the same topic id at every open until it is written');
  const mgr = LogManager.open({ logDirs: [dir], nodeId: 1, producerIdExpirationMs: 1e13 });
  mgr.getLog('old.topic', 0)!.roll();
  t.equal(readFileSync(join(p, 'partition.metadata'), 'utf8'), `version: 0\ntopic_id: ${ids[0]}`, 'written with the first change');
  t.ok(existsSync(join(dir, 'kts-topics.json')));
  t.notOk(existsSync(join(dir, '.kafka_cleanshutdown')));
  mgr.close();
  t.ok(existsSync(join(dir, '.kafka_cleanshutdown')));
});

t.test('a version 0 meta.properties without cluster.id (Kafka before 0.10.1) gets one with the first change, staying version 0', async (t) => {
  const dir = tempDir(t);
  const old = 'version=0\nbroker.id=1\n';
  writeFileSync(join(dir, 'meta.properties'), old);
  writeFileSync(join(dir, '.kafka_cleanshutdown'), '');
  const { statSync } = await import('node:fs');
  const mtime = statSync(join(dir, 'meta.properties')).mtimeMs;
  // Opened only to read: the id lives in memory, the file stays as Kafka wrote it.
  let mgr = LogManager.open({ logDirs: [dir], nodeId: 1 });
  t.match(mgr.clusterId, /^[A-Za-z0-9_-]{22}$/, 'a cluster id in memory');
  mgr.close();
  t.equal(readFileSync(join(dir, 'meta.properties'), 'utf8'), old, 'a read-only open leaves meta.properties as it was');
  t.equal(statSync(join(dir, 'meta.properties')).mtimeMs, mtime, 'not even its mtime changes');
  // The first change writes it, with the id the engine used.
  mgr = LogManager.open({ logDirs: [dir], nodeId: 1 });
  mgr.createLog('t', 0, TOPIC_ID);
  t.match(readFileSync(join(dir, 'meta.properties'), 'utf8'), new RegExp(`^#\n#.*\nversion=0\nbroker\\.id=1\ncluster\\.id=${mgr.clusterId}\n$`), 'written before the first change, still version 0');
  const id = mgr.clusterId;
  mgr.close();
  mgr = LogManager.open({ logDirs: [dir], nodeId: 1 });
  t.equal(mgr.clusterId, id, 'the written id is the one used from then on');
  mgr.close();
  // A broker in a cluster writes it at open, as Kafka 1.1 does.
  const dir2 = tempDir(t);
  writeFileSync(join(dir2, 'meta.properties'), old);
  mgr = LogManager.open({ logDirs: [dir2], nodeId: 1, clusterId: 'MkU3OEVBNTcwNTJENDM2Qk', writeMetaPropertiesAtOpen: true });
  t.match(readFileSync(join(dir2, 'meta.properties'), 'utf8'), /\nversion=0\nbroker\.id=1\ncluster\.id=MkU3OEVBNTcwNTJENDM2Qk\n$/, "in cluster mode: ZooKeeper's cluster id, written at open");
  mgr.close();
});

t.test('with a clean-shutdown marker, bytes after the last batch are still caught', async (t) => {
  const dir = tempDir(t);
  let mgr = LogManager.open({ logDirs: [dir], nodeId: 1 });
  mgr.createLog('g', 0, TOPIC_ID).appendAsLeader(await kafkajsBatch(SPECS[2]!, false), 0);
  mgr.close();
  const { appendFileSync, statSync } = await import('node:fs');
  const seg = join(dir, 'g-0', '00000000000000000000.log');
  const good = statSync(seg).size;
  appendFileSync(seg, Buffer.alloc(100, 0xee));
  mgr = LogManager.open({ logDirs: [dir], nodeId: 1 });
  t.teardown(() => mgr.close());
  t.equal(statSync(seg).size, good);
  t.equal(mgr.getLog('g', 0)!.appendAsLeader(await kafkajsBatch(SPECS[0]!, false), 0).baseOffset, 5);
});

t.test('segments in the legacy v0/v1 message format (old Kafka) load, recover and read', async (t) => {
  const { encodeLegacyMessageSet } = await import('../../src/records/legacy.js');
  const dir = tempDir(t);
  const v0 = encodeLegacyMessageSet({ magic: 0, baseOffset: 0, messages: [{ key: Buffer.from('a'), value: Buffer.from('1') }, { key: null, value: Buffer.from('2') }] });
  const v1 = encodeLegacyMessageSet({ magic: 1, baseOffset: 2, compression: 1, messages: [{ timestampMs: T, key: null, value: Buffer.from('3') }, { timestampMs: T + 7, key: null, value: Buffer.from('4') }] });
  mkdirSync(join(dir, 'legacy-0'));
  const torn = (await kafkajsBatch(SPECS[0]!, true)).subarray(0, 30);
  writeFileSync(join(dir, 'legacy-0', '00000000000000000000.log'), Buffer.concat([v0, v1, torn]));
  const mgr = LogManager.open({ logDirs: [dir], nodeId: 1 });
  t.teardown(() => mgr.close());
  const log = mgr.getLog('legacy', 0)!;
  t.equal(log.logEndOffset, 4, 'the compressed v1 wrapper carries its last offset');
  t.same(log.read(0, 1 << 20).records, Buffer.concat([v0, v1]), 'torn tail cut, legacy bytes served as stored');
  t.same(log.read(3, 1 << 20).records, v1);
  t.same(log.offsetForTimestamp(T + 1), { timestampMs: T + 7, offset: 3, leaderEpoch: -1 }, 'inner messages of a compressed wrapper searched');
  t.same(log.offsetForTimestamp(T), { timestampMs: T, offset: 2, leaderEpoch: -1 });
  t.equal(log.appendAsLeader(await kafkajsBatch(SPECS[0]!, false), 0).baseOffset, 4, 'v2 batches follow');
  const bad = Buffer.concat([v0]);
  bad[bad.length - 1] ^= 1;
  t.equal(checkEntry(bad, 0), null, 'the first v0 message is intact');
});

t.test('an empty checkpoint file (Kafka creates leader-epoch-checkpoint empty) reads as no entries', async (t) => {
  const dir = tempDir(t);
  const { readLeaderEpochCheckpoint, readOffsetCheckpoint } = await import('../../src/storage/checkpoint.js');
  writeFileSync(join(dir, 'leader-epoch-checkpoint'), '');
  writeFileSync(join(dir, 'recovery-point-offset-checkpoint'), '');
  t.same(readLeaderEpochCheckpoint(join(dir, 'leader-epoch-checkpoint')), []);
  t.same([...readOffsetCheckpoint(join(dir, 'recovery-point-offset-checkpoint'))], []);
  writeFileSync(join(dir, 'leader-epoch-checkpoint'), '\n');
  t.throws(() => readLeaderEpochCheckpoint(join(dir, 'leader-epoch-checkpoint')), /unrecognised checkpoint version/, 'a blank line is still corrupt');
});
