/**
 * dump-log on .log segments: the full text output compared with the lines Kafka's
 * kafka-dump-log.sh prints (cli-tools.md §1.5), for hand-built v2 batches (idempotent,
 * transactional, control, LogAppendTime, delete horizon), kts-written batches with every
 * codec, decoders and flags. Legacy and KRaft files: dump-log-legacy-kraft.test.ts.
 */
import t from 'tap';
import { resolve } from 'node:path';
import { runKts } from '../helpers/run-kts.js';
import { encodeRecordBatch } from '../../src/records/record-batch.js';
import { handBatch, handRecord, SEG, storedCrc, tempPartitionDir } from './fixtures.js';

const TS = 1739569505569;

function batchLine(b: Buffer, fields: string, position: number, tsLabel = 'CreateTime', ts = TS, codec = 'none'): string {
  return `${fields} position: ${position} ${tsLabel}: ${ts} size: ${b.length} magic: 2 compresscodec: ${codec} crc: ${storedCrc(b)} isvalid: true`;
}

const PLAIN = 'baseSequence: -1 lastSequence: -1 producerId: -1 producerEpoch: -1 partitionLeaderEpoch: 0 isTransactional: false isControl: false deleteHorizonMs: OptionalLong.empty';

t.test('one uncompressed record, as in Kafka\'s documentation example', async (t) => {
  const tmp = tempPartitionDir();
  t.teardown(() => tmp.cleanup());
  const batch = handBatch({
    baseOffset: 0, lastOffsetDelta: 0, baseTimestamp: TS, maxTimestamp: TS, count: 1,
    records: handRecord({ offsetDelta: 0, timestampDelta: 0, key: null, value: Buffer.from('This is a test') }),
  });
  const path = tmp.write(`${SEG}.log`, batch);
  const shallow = await runKts(['dump-log', '--files', path]);
  t.equal(shallow.code, 0);
  t.equal(shallow.stderr, '');
  t.equal(shallow.stdout, [`Dumping ${path}`, 'Log starting offset: 0', batchLine(batch, `baseOffset: 0 lastOffset: 0 count: 1 ${PLAIN}`, 0), ''].join('\n'));
  const data = await runKts(['dump-log', '--files', path, '--print-data-log']);
  t.equal(data.stdout.split('\n')[3], `| offset: 0 CreateTime: ${TS} keySize: -1 valueSize: 14 sequence: -1 headerKeys: [] payload: This is a test`);
  const deep = await runKts(['dump-log', '--files', path, '--deep-iteration']);
  t.equal(deep.stdout.split('\n')[3], `| offset: 0 CreateTime: ${TS} keySize: -1 valueSize: 14 sequence: -1 headerKeys: []`);
  const skip = await runKts(['dump-log', '--files', path, '--print-data-log', '--skip-record-metadata']);
  t.equal(skip.stdout.split('\n')[3], ' payload: This is a test', 'Kafka prints the payload with its leading space and no indent');
});

t.test('idempotent, transactional and control batches', async (t) => {
  const tmp = tempPartitionDir();
  t.teardown(() => tmp.cleanup());
  const idem = handBatch({
    baseOffset: 5, partitionLeaderEpoch: 3, lastOffsetDelta: 2, baseTimestamp: TS, maxTimestamp: TS + 2, producerId: 1000, producerEpoch: 1, baseSequence: 7, count: 3,
    records: Buffer.concat([
      handRecord({ offsetDelta: 0, timestampDelta: 0, key: Buffer.from('k0'), value: Buffer.from('v0'), headers: [['h1', Buffer.from('x')], ['h2', null]] }),
      handRecord({ offsetDelta: 1, timestampDelta: 1, key: Buffer.from('k1'), value: null }),
      handRecord({ offsetDelta: 2, timestampDelta: 2, key: null, value: Buffer.from('v2') }),
    ]),
  });
  const txn = handBatch({
    baseOffset: 8, attributes: 0x10, lastOffsetDelta: 0, baseTimestamp: TS + 3, maxTimestamp: TS + 3, producerId: 2000, producerEpoch: 0, baseSequence: 0, count: 1,
    records: handRecord({ offsetDelta: 0, timestampDelta: 0, key: null, value: Buffer.from('t') }),
  });
  const markerKey = Buffer.from([0, 0, 0, 1]);
  const markerValue = Buffer.from([0, 0, 0, 0, 0, 3]);
  const marker = handBatch({
    baseOffset: 9, attributes: 0x30, lastOffsetDelta: 0, baseTimestamp: TS + 4, maxTimestamp: TS + 4, producerId: 2000, producerEpoch: 0, baseSequence: -1, count: 1,
    records: handRecord({ offsetDelta: 0, timestampDelta: 0, key: markerKey, value: markerValue }),
  });
  const path = tmp.write(`${SEG}.log`, Buffer.concat([idem, txn, marker]));
  const r = await runKts(['dump-log', '--files', path, '--print-data-log']);
  t.equal(r.code, 0);
  t.equal(r.stderr, '');
  const expected = [
    `Dumping ${path}`,
    'Log starting offset: 0',
    batchLine(idem, 'baseOffset: 5 lastOffset: 7 count: 3 baseSequence: 7 lastSequence: 9 producerId: 1000 producerEpoch: 1 partitionLeaderEpoch: 3 isTransactional: false isControl: false deleteHorizonMs: OptionalLong.empty', 0, 'CreateTime', TS + 2),
    `| offset: 5 CreateTime: ${TS} keySize: 2 valueSize: 2 sequence: 7 headerKeys: [h1,h2] key: k0 payload: v0`,
    `| offset: 6 CreateTime: ${TS + 1} keySize: 2 valueSize: -1 sequence: 8 headerKeys: [] key: k1`,
    `| offset: 7 CreateTime: ${TS + 2} keySize: -1 valueSize: 2 sequence: 9 headerKeys: [] payload: v2`,
    batchLine(txn, 'baseOffset: 8 lastOffset: 8 count: 1 baseSequence: 0 lastSequence: 0 producerId: 2000 producerEpoch: 0 partitionLeaderEpoch: 0 isTransactional: true isControl: false deleteHorizonMs: OptionalLong.empty', idem.length, 'CreateTime', TS + 3),
    `| offset: 8 CreateTime: ${TS + 3} keySize: -1 valueSize: 1 sequence: 0 headerKeys: [] payload: t`,
    batchLine(marker, 'baseOffset: 9 lastOffset: 9 count: 1 baseSequence: -1 lastSequence: -1 producerId: 2000 producerEpoch: 0 partitionLeaderEpoch: 0 isTransactional: true isControl: true deleteHorizonMs: OptionalLong.empty', idem.length + txn.length, 'CreateTime', TS + 4),
    `| offset: 9 CreateTime: ${TS + 4} keySize: 4 valueSize: 6 sequence: -1 headerKeys: [] endTxnMarker: COMMIT coordinatorEpoch: 3`,
    '',
  ];
  t.equal(r.stdout, expected.join('\n'));
});

t.test('LogAppendTime, delete horizon, non-consecutive offsets reported on stderr newest first', async (t) => {
  const tmp = tempPartitionDir();
  t.teardown(() => tmp.cleanup());
  const lat = handBatch({
    baseOffset: 0, attributes: 0x08, lastOffsetDelta: 3, baseTimestamp: 1000, maxTimestamp: 9999, count: 2,
    records: Buffer.concat([
      handRecord({ offsetDelta: 0, timestampDelta: 5, key: null, value: Buffer.from('a') }),
      handRecord({ offsetDelta: 3, timestampDelta: 7, key: null, value: Buffer.from('b') }),
    ]),
  });
  const horizon = handBatch({
    baseOffset: 10, attributes: 0x40, lastOffsetDelta: 0, baseTimestamp: 1700000000000, maxTimestamp: 1700000000000, count: 1,
    records: handRecord({ offsetDelta: 0, timestampDelta: 0, key: Buffer.from('k'), value: null }),
  });
  const path = tmp.write(`${SEG}.log`, Buffer.concat([lat, horizon]));
  const r = await runKts(['dump-log', '--files', path, '--deep-iteration']);
  t.equal(r.stdout, [
    `Dumping ${path}`,
    'Log starting offset: 0',
    batchLine(lat, `baseOffset: 0 lastOffset: 3 count: 2 ${PLAIN}`, 0, 'LogAppendTime', 9999),
    '| offset: 0 LogAppendTime: 9999 keySize: -1 valueSize: 1 sequence: -1 headerKeys: []',
    '| offset: 3 LogAppendTime: 9999 keySize: -1 valueSize: 1 sequence: -1 headerKeys: []',
    batchLine(horizon, `baseOffset: 10 lastOffset: 10 count: 1 ${PLAIN.replace('OptionalLong.empty', 'OptionalLong[1700000000000]')}`, lat.length, 'CreateTime', 1700000000000),
    '| offset: 10 CreateTime: 1700000000000 keySize: 1 valueSize: -1 sequence: -1 headerKeys: []',
    '',
  ].join('\n'));
  t.equal(r.stderr, [`Non-consecutive offsets in ${resolve(path)}`, '  3 is followed by 10', '  0 is followed by 3', ''].join('\n'));
});

t.test('every codec: kts-written batches decode to the same records', async (t) => {
  const tmp = tempPartitionDir();
  t.teardown(() => tmp.cleanup());
  const records = Array.from({ length: 50 }, (_, i) => ({ timestampMs: TS + i, key: Buffer.from(`key-${i}`), value: Buffer.from(`value-${i}`.repeat(5)) }));
  const names = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];
  const outputs: string[] = [];
  for (let codec = 0; codec <= 4; codec++) {
    const batch = encodeRecordBatch({ baseOffset: 0, compression: codec as 0 | 1 | 2 | 3 | 4, records });
    const path = tmp.write(`${String(codec * 1000).padStart(20, '0')}.log`, batch);
    const r = await runKts(['dump-log', '--files', path, '--print-data-log']);
    t.equal(r.code, 0, names[codec]);
    t.equal(r.stderr, '', names[codec]);
    const lines = r.stdout.split('\n');
    t.match(lines[2], new RegExp(`compresscodec: ${names[codec]} crc: \\d+ isvalid: true$`), names[codec]);
    t.equal(lines[3], `| offset: 0 CreateTime: ${TS} keySize: 5 valueSize: 35 sequence: -1 headerKeys: [] key: key-0 payload: ${'value-0'.repeat(5)}`);
    outputs.push(lines.slice(3).join('\n'));
  }
  t.equal(new Set(outputs).size, 1, 'records print the same whatever the codec');
  t.equal(outputs[0]!.split('\n').length, 51);
});

t.test('decoders, --max-bytes and refused decoders', async (t) => {
  const tmp = tempPartitionDir();
  t.teardown(() => tmp.cleanup());
  const n = Buffer.alloc(4);
  n.writeInt32BE(-42);
  const b1 = handBatch({ baseOffset: 0, lastOffsetDelta: 0, baseTimestamp: TS, maxTimestamp: TS, count: 1, records: handRecord({ offsetDelta: 0, timestampDelta: 0, key: n, value: Buffer.from('{ "a": 1 }') }) });
  const b2 = handBatch({ baseOffset: 1, lastOffsetDelta: 0, baseTimestamp: TS, maxTimestamp: TS, count: 1, records: handRecord({ offsetDelta: 0, timestampDelta: 0, key: null, value: Buffer.from([0xde, 0xad]) }) });
  const path = tmp.write(`${SEG}.log`, Buffer.concat([b1, b2]));
  const r = await runKts(['dump-log', '--files', path, '--key-decoder-class', 'org.apache.kafka.tools.api.IntegerDecoder', '--value-decoder-class', 'json', '--skip-record-metadata', '--max-bytes', String(b1.length + 10)]);
  t.equal(r.code, 0);
  t.equal(r.stdout.split('\n').slice(3).join('\n'), '| key: -42 payload: {"a":1}\n', 'only the first batch fits, no invalid-bytes line with --max-bytes');
  const hex = await runKts(['dump-log', '--files', path, '--value-decoder-class', 'hex', '--skip-record-metadata']);
  t.equal(hex.stdout.split('\n')[5], ' payload: dead');
  const bad = await runKts(['dump-log', '--files', path, '--value-decoder-class', 'com.example.MyDecoder']);
  t.equal(bad.code, 2);
  t.match(bad.stderr, /com\.example\.MyDecoder/);
  const refused = await runKts(['dump-log', '--files', path, '--cluster-metadata-decoder']);
  t.equal(refused.code, 2);
  t.match(refused.stderr, /--cluster-metadata-decoder is not supported/);
  const none = await runKts(['dump-log']);
  t.equal(none.code, 2);
  t.match(none.stderr, /--files is required/);
});

t.test('a file that does not exist: a message on stderr, exit 1, the other files still dumped', async (t) => {
  const tmp = tempPartitionDir();
  t.teardown(() => tmp.cleanup());
  const good = tmp.write(`${SEG}.log`, handBatch({ baseOffset: 0, lastOffsetDelta: 0, baseTimestamp: TS, maxTimestamp: TS, count: 1, records: handRecord({ offsetDelta: 0, timestampDelta: 0, key: null, value: null }) }));
  const missing = `${tmp.dir}/00000000000000000099.log`;
  const r = await runKts(['dump-log', '--files', `${missing},${good}`]);
  t.equal(r.code, 1);
  t.match(r.stderr, new RegExp(`^Cannot read ${missing}: ENOENT`));
  t.match(r.stdout, new RegExp(`^Dumping ${missing}\\nLog starting offset: 99\\nDumping ${good}\\nLog starting offset: 0\\nbaseOffset: 0 `));
});
