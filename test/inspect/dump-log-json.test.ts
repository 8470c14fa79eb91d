/**
 * dump-log's structured outputs: the --json event schema (exact key sets), --summary
 * totals, and the internal-topic decoders (--offsets-decoder, --transaction-log-decoder)
 * on hand-encoded __consumer_offsets and __transaction_state records.
 */
import t from 'tap';
import { runKts } from '../helpers/run-kts.js';
import { encodeRecordBatch } from '../../src/records/record-batch.js';
import { handBatch, handRecord, SEG, tempPartitionDir } from './fixtures.js';

const TS = 1700000000000;

function i16(v: number): Buffer { const b = Buffer.alloc(2); b.writeInt16BE(v); return b; }
function i32(v: number): Buffer { const b = Buffer.alloc(4); b.writeInt32BE(v); return b; }
function i64(v: number): Buffer { const b = Buffer.alloc(8); b.writeBigInt64BE(BigInt(v)); return b; }
function str(s: string | null): Buffer { return s === null ? i16(-1) : Buffer.concat([i16(Buffer.byteLength(s)), Buffer.from(s)]); }
function bytes(b: Buffer): Buffer { return Buffer.concat([i32(b.length), b]); }

function segmentOf(records: { key: Buffer | null; value: Buffer | null }[]): Buffer {
  return handBatch({
    baseOffset: 0, lastOffsetDelta: records.length - 1, baseTimestamp: TS, maxTimestamp: TS, count: records.length,
    records: Buffer.concat(records.map((r, i) => handRecord({ offsetDelta: i, timestampDelta: 0, key: r.key, value: r.value }))),
  });
}

t.test('--json: one object per line with a stable schema', async (t) => {
  const tmp = tempPartitionDir();
  t.teardown(() => tmp.cleanup());
  const batch = encodeRecordBatch({ baseOffset: 0, producerId: 7, producerEpoch: 0, baseSequence: 0, records: [{ timestampMs: TS, key: Buffer.from('k'), value: Buffer.from('v'), headers: [{ key: 'h', value: null }] }] });
  const path = tmp.write(`${SEG}.log`, Buffer.concat([batch, Buffer.alloc(5)]));
  const r = await runKts(['dump-log', '--files', path, '--json', '--print-data-log']);
  t.equal(r.code, 0);
  t.equal(r.stderr, '');
  const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  t.same(events.map((e) => e.type), ['file', 'logStart', 'batch', 'record', 'problem', 'invalidBytes']);
  t.same(Object.keys(events[2]!).sort(), [
    'baseOffset', 'baseSequence', 'compression', 'compressionType', 'count', 'crc', 'deleteHorizonMs', 'isControl', 'isTransactional', 'isValid',
    'lastOffset', 'lastSequence', 'magic', 'maxTimestamp', 'partitionLeaderEpoch', 'path', 'position', 'producerEpoch', 'producerId', 'size', 'timestampType', 'type',
  ].sort());
  t.same(events[3], {
    type: 'record', path, magic: 2, timestampType: 'CreateTime', isControl: false, offset: 0, timestamp: TS, keySize: 1, valueSize: 1,
    sequence: 0, headerKeys: ['h'], key: 'k', payload: 'v',
  });
  t.same(events[5], { type: 'invalidBytes', path, name: `${SEG}.log`, position: batch.length, count: 5 });
});

t.test('--summary: totals per file', async (t) => {
  const tmp = tempPartitionDir();
  t.teardown(() => tmp.cleanup());
  const a = encodeRecordBatch({ baseOffset: 0, compression: 1, producerId: 11, producerEpoch: 0, baseSequence: 0, records: [{ timestampMs: TS + 5, key: null, value: Buffer.from('a') }, { timestampMs: TS + 9, key: null, value: Buffer.from('b') }] });
  const b = encodeRecordBatch({ baseOffset: 2, compression: 4, producerId: 12, producerEpoch: 0, baseSequence: 0, transactional: true, records: [{ timestampMs: TS + 20, key: null, value: Buffer.from('c') }] });
  const c = encodeRecordBatch({ baseOffset: 3, producerId: 12, producerEpoch: 0, transactional: true, control: true, records: [{ timestampMs: TS + 30, key: Buffer.from([0, 0, 0, 1]), value: Buffer.from([0, 0, 0, 0, 0, 0]) }] });
  const path = tmp.write(`${SEG}.log`, Buffer.concat([a, b, c, Buffer.alloc(3)]));
  const r = await runKts(['dump-log', '--files', path, '--summary']);
  t.equal(r.code, 0);
  const total = a.length + b.length + c.length;
  t.equal(r.stdout, [
    `Problem in ${path} at byte ${total}: torn-tail: 3 bytes cannot hold an entry header`,
    `Summary of ${path} (log)`,
    `  bytes: ${total + 3} validBytes: ${total} invalidBytes: 3`,
    '  batches: 3 records: 4 controlBatches: 1 transactionalBatches: 2',
    `  offsets: 0..3 timestamps: ${TS + 9}..${TS + 30}`,
    '  magic: v2=3 codecs: gzip=1 zstd=1 none=1',
    '  producerIds: 11,12',
    '  problems: 1',
    '',
  ].join('\n'));
});

t.test('--offsets-decoder: __consumer_offsets keys and values as JSON', async (t) => {
  const tmp = tempPartitionDir('__consumer_offsets-0');
  t.teardown(() => tmp.cleanup());
  const commitKey = Buffer.concat([i16(1), str('g'), str('t'), i32(0)]);
  const commitValue = Buffer.concat([i16(3), i64(42), i32(5), str(''), i64(TS)]);
  const groupKey = Buffer.concat([i16(2), str('g')]);
  const member = Buffer.concat([str('m-1'), str(null), str('client'), str('/127.0.0.1'), i32(300000), i32(45000), bytes(Buffer.from([1, 2])), bytes(Buffer.alloc(0))]);
  const groupValue = Buffer.concat([i16(3), str('consumer'), i32(4), str('range'), str('m-1'), i64(TS), i32(1), member]);
  const path = tmp.write(`${SEG}.log`, segmentOf([
    { key: commitKey, value: commitValue },
    { key: groupKey, value: groupValue },
    { key: commitKey, value: null },
    { key: Buffer.concat([i16(9), str('x')]), value: null },
  ]));
  const r = await runKts(['dump-log', '--files', path, '--offsets-decoder', '--skip-record-metadata']);
  t.equal(r.code, 0);
  t.same(r.stdout.split('\n').slice(3), [
    '| key: {"type":"1","data":{"group":"g","topic":"t","partition":0}} payload: {"version":"3","data":{"offset":42,"leaderEpoch":5,"metadata":"","commitTimestamp":1700000000000}}',
    '| key: {"type":"2","data":{"group":"g"}} payload: {"version":"3","data":{"protocolType":"consumer","generation":4,"protocol":"range","leader":"m-1","currentStateTimestamp":1700000000000,"members":[{"memberId":"m-1","groupInstanceId":null,"clientId":"client","clientHost":"/127.0.0.1","rebalanceTimeout":300000,"sessionTimeout":45000,"subscription":"AQI=","assignment":""}]}}',
    '| key: {"type":"1","data":{"group":"g","topic":"t","partition":0}} payload: <DELETE>',
    '| key: Unknown record type 9 at offset 3, skipping.',
    '',
  ]);
});

t.test('--transaction-log-decoder: __transaction_state records', async (t) => {
  const tmp = tempPartitionDir('__transaction_state-0');
  t.teardown(() => tmp.cleanup());
  const key = Buffer.concat([i16(0), str('my-txn')]);
  const value = Buffer.concat([i16(0), i64(1000), i16(2), i32(60000), Buffer.from([1]), i32(1), str('t'), i32(2), i32(0), i32(1), i64(TS + 1), i64(TS)]);
  const path = tmp.write(`${SEG}.log`, segmentOf([{ key, value }, { key, value: null }]));
  const r = await runKts(['dump-log', '--files', path, '--transaction-log-decoder']);
  t.equal(r.code, 0);
  t.same(r.stdout.split('\n').slice(3), [
    `| offset: 0 CreateTime: ${TS} keySize: ${key.length} valueSize: ${value.length} sequence: -1 headerKeys: [] key: transaction_metadata::transactionalId=my-txn payload: producerId:1000,producerEpoch:2,state=Ongoing,partitions=[t-0,t-1],txnLastUpdateTimestamp=1700000000001,txnTimeoutMs=60000`,
    `| offset: 1 CreateTime: ${TS} keySize: ${key.length} valueSize: -1 sequence: -1 headerKeys: [] key: transaction_metadata::transactionalId=my-txn payload: <DELETE>`,
    '',
  ]);
});
