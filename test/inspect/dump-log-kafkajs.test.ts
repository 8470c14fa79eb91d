/**
 * dump-log on batches written by a real client library: kafkajs's own RecordBatch
 * encoder (uncompressed and gzip, idempotent and transactional), laid out as a segment.
 * The expected lines are computed from what kafkajs was asked to write.
 */
import t from 'tap';
import { createRequire } from 'node:module';
import { runKts } from '../helpers/run-kts.js';
import { SEG, tempPartitionDir } from './fixtures.js';

const require = createRequire(import.meta.url);
interface Enc { buffer: Buffer }
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0') as { RecordBatch: (o: Record<string, unknown>) => Promise<Enc> };
const Record = require('kafkajs/src/protocol/recordBatch/record/v0') as (o: Record<string, unknown>) => Enc;
const Long = require('kafkajs/src/utils/long') as { fromValue(v: number): unknown };
const { Types } = require('kafkajs/src/protocol/message/compression') as { Types: { None: number; GZIP: number } };

const TS = 1739569505569;

async function kafkajsBatch(firstOffset: number, compression: number, opts: Record<string, unknown> = {}): Promise<Buffer> {
  const records = [
    Record({ offsetDelta: 0, timestampDelta: 0, key: Buffer.from('user-1'), value: Buffer.from('{"n":1}'), headers: { trace: Buffer.from('abc') } }),
    Record({ offsetDelta: 1, timestampDelta: 7, key: null, value: Buffer.from('second') }),
  ];
  const enc = await RecordBatch({ compression, firstOffset: Long.fromValue(firstOffset), firstTimestamp: TS, maxTimestamp: TS + 7, lastOffsetDelta: 1, records, ...opts });
  return enc.buffer;
}

t.test('kafkajs-encoded batches dump as Kafka prints them', async (t) => {
  const tmp = tempPartitionDir();
  t.teardown(() => tmp.cleanup());
  const plain = await kafkajsBatch(0, Types.None);
  const gzip = await kafkajsBatch(2, Types.GZIP, { producerId: Long.fromValue(4000), producerEpoch: 2, firstSequence: 10, transactional: true });
  const path = tmp.write(`${SEG}.log`, Buffer.concat([plain, gzip]));
  const r = await runKts(['dump-log', '--files', path, '--print-data-log']);
  t.equal(r.code, 0);
  t.equal(r.stderr, '');
  const crc = (b: Buffer): number => b.readUInt32BE(17);
  t.equal(r.stdout, [
    `Dumping ${path}`,
    'Log starting offset: 0',
    `baseOffset: 0 lastOffset: 1 count: 2 baseSequence: 0 lastSequence: 1 producerId: -1 producerEpoch: 0 partitionLeaderEpoch: 0 isTransactional: false isControl: false deleteHorizonMs: OptionalLong.empty position: 0 CreateTime: ${TS + 7} size: ${plain.length} magic: 2 compresscodec: none crc: ${crc(plain)} isvalid: true`,
    `| offset: 0 CreateTime: ${TS} keySize: 6 valueSize: 7 sequence: 0 headerKeys: [trace] key: user-1 payload: {"n":1}`,
    `| offset: 1 CreateTime: ${TS + 7} keySize: -1 valueSize: 6 sequence: 1 headerKeys: [] payload: second`,
    `baseOffset: 2 lastOffset: 3 count: 2 baseSequence: 10 lastSequence: 11 producerId: 4000 producerEpoch: 2 partitionLeaderEpoch: 0 isTransactional: true isControl: false deleteHorizonMs: OptionalLong.empty position: ${plain.length} CreateTime: ${TS + 7} size: ${gzip.length} magic: 2 compresscodec: gzip crc: ${crc(gzip)} isvalid: true`,
    `| offset: 2 CreateTime: ${TS} keySize: 6 valueSize: 7 sequence: 10 headerKeys: [trace] key: user-1 payload: {"n":1}`,
    `| offset: 3 CreateTime: ${TS + 7} keySize: -1 valueSize: 6 sequence: 11 headerKeys: [] payload: second`,
    '',
  ].join('\n'));
});
