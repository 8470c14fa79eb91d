/**
 * dump-log on legacy v0/v1 message sets (hand-built and kts-written wrappers with every
 * legacy codec) and on KRaft snapshot files with their control records: full output
 * compared with the lines Kafka's kafka-dump-log.sh prints.
 */
import t from 'tap';
import { gzipSync } from 'node:zlib';
import { runKts } from '../helpers/run-kts.js';
import { encodeLegacyMessageSet } from '../../src/records/legacy.js';
import { handBatch, handMessage, handRecord, messageCrc, SEG, tempPartitionDir } from './fixtures.js';

const TS = 1739569505569;

t.test('legacy v0 and v1 messages, with a gzip wrapper', async (t) => {
  const tmp = tempPartitionDir();
  t.teardown(() => tmp.cleanup());
  const v0 = handMessage({ offset: 0, magic: 0, key: Buffer.from('k'), value: Buffer.from('v') });
  const v1 = handMessage({ offset: 1, magic: 1, timestamp: 1500, key: null, value: Buffer.from('plain') });
  const inner1 = handMessage({ offset: 0, magic: 1, timestamp: 1000, key: null, value: Buffer.from('a') });
  const inner2 = handMessage({ offset: 1, magic: 1, timestamp: 2000, key: Buffer.from('kb'), value: Buffer.from('b') });
  const wrapper = handMessage({ offset: 3, magic: 1, attributes: 1, timestamp: 2000, key: null, value: gzipSync(Buffer.concat([inner1, inner2])) });
  const path = tmp.write(`${SEG}.log`, Buffer.concat([v0, v1, wrapper]));
  const r = await runKts(['dump-log', '--files', path, '--print-data-log']);
  t.equal(r.code, 0);
  t.equal(r.stderr, '');
  t.equal(r.stdout, [
    `Dumping ${path}`,
    'Log starting offset: 0',
    `offset: 0 position: 0 NoTimestampType: -1 size: ${v0.length} magic: 0 compresscodec: none crc: ${messageCrc(v0)} isvalid: true`,
    `| offset: 0 NoTimestampType: -1 keySize: 1 valueSize: 1 isValid: true crc: ${messageCrc(v0)}} key: k payload: v`,
    `offset: 1 position: ${v0.length} CreateTime: 1500 size: ${v1.length} magic: 1 compresscodec: none crc: ${messageCrc(v1)} isvalid: true`,
    `| offset: 1 CreateTime: 1500 keySize: -1 valueSize: 5 isValid: true crc: ${messageCrc(v1)}} payload: plain`,
    `offset: 3 position: ${v0.length + v1.length} CreateTime: 2000 size: ${wrapper.length} magic: 1 compresscodec: gzip crc: ${messageCrc(wrapper)} isvalid: true`,
    `| offset: 2 CreateTime: 1000 keySize: -1 valueSize: 1 isValid: true crc: ${messageCrc(inner1)}} payload: a`,
    `| offset: 3 CreateTime: 2000 keySize: 2 valueSize: 1 isValid: true crc: ${messageCrc(inner2)}} key: kb payload: b`,
    '',
  ].join('\n'));
});

t.test('KRaft snapshot files: header line and control records as Kafka prints them', async (t) => {
  const tmp = tempPartitionDir('__cluster_metadata-0');
  t.teardown(() => tmp.cleanup());
  const control = (type: number, value: Buffer, baseOffset: number): Buffer =>
    handBatch({ baseOffset, attributes: 0x20, lastOffsetDelta: 0, baseTimestamp: TS, maxTimestamp: TS, count: 1, records: handRecord({ offsetDelta: 0, timestampDelta: 0, key: Buffer.from([0, 0, 0, type]), value }) });
  const header = Buffer.alloc(11);
  header.writeBigInt64BE(1700000000000n, 2);
  const kraftVersion = Buffer.from([0, 0, 0, 1, 0]);
  const uuid = Buffer.alloc(16, 0xab);
  const voters = Buffer.concat([
    Buffer.from([0, 0, 2]), // version 0, one voter (compact length + 1)
    Buffer.from([0, 0, 0, 1]), uuid,
    Buffer.from([2, 11]), Buffer.from('CONTROLLER'), Buffer.from([10]), Buffer.from('localhost'), Buffer.from([0x23, 0x85, 0]),
    Buffer.from([0, 0, 0, 1, 0, 0]), // feature range, tagged fields of the voter
    Buffer.from([0]), // tagged fields of the record
  ]);
  const footer = Buffer.from([0, 0, 0]);
  const leaderChange = Buffer.from([0, 0, 0, 0, 0, 1, 1, 1, 0]);
  const path = tmp.write('00000000000000000100-0000000003.checkpoint', Buffer.concat([
    control(3, header, 0), control(5, kraftVersion, 1), control(6, voters, 2), control(2, leaderChange, 3), control(4, footer, 4),
  ]));
  const r = await runKts(['dump-log', '--files', path, '--deep-iteration', '--skip-record-metadata']);
  t.equal(r.stdout.split('\n')[1], 'Snapshot end offset: 100, epoch: 3');
  const lines = await runKts(['dump-log', '--files', path, '--deep-iteration']);
  const records = lines.stdout.split('\n').filter((l) => l.startsWith('|')).map((l) => l.replace(/^.*headerKeys: \[\]/, ''));
  t.same(records, [
    ' SnapshotHeader {"version":0,"lastContainedLogTimestamp":1700000000000}',
    ' KRaftVersion {"version":0,"kRaftVersion":1}',
    ` KRaftVoters {"version":0,"voters":[{"voterId":1,"voterDirectoryId":"${uuid.toString('base64url')}","endpoints":[{"name":"CONTROLLER","host":"localhost","port":9093}],"kRaftVersionFeature":{"minSupportedVersion":0,"maxSupportedVersion":1}}]}`,
    ' controlType: LEADER_CHANGE(2)',
    ' SnapshotFooter {"version":0}',
  ]);
  const boot = tmp.write('bootstrap.checkpoint', control(4, footer, 0));
  const b = await runKts(['dump-log', '--files', boot]);
  t.equal(b.stdout.split('\n')[1], 'KRaft bootstrap snapshot');
});

t.test('legacy wrappers written by kts with every legacy codec, magic 0 and 1', async (t) => {
  const tmp = tempPartitionDir();
  t.teardown(() => tmp.cleanup());
  const messages = [
    { key: Buffer.from('a'), value: Buffer.from('one'), timestampMs: 5000 },
    { key: null, value: Buffer.from('two'), timestampMs: 5001 },
    { key: Buffer.from('c'), value: null, timestampMs: 5002 },
  ];
  for (const magic of [0, 1] as const) {
    for (const codec of [1, 2, 3] as const) {
      const set = encodeLegacyMessageSet({ magic, baseOffset: 40, compression: codec, messages });
      const path = tmp.write(`${SEG}.log`, set);
      const r = await runKts(['dump-log', '--files', path, '--print-data-log', '--skip-record-metadata']);
      const what = `magic ${magic} codec ${codec}`;
      t.equal(r.stderr, '', what);
      const lines = r.stdout.split('\n');
      const ts = magic === 0 ? 'NoTimestampType: -1' : 'CreateTime: 5002';
      t.match(lines[2], new RegExp(`^offset: 42 position: 0 ${ts} size: ${set.length} magic: ${magic} compresscodec: ${['', 'gzip', 'snappy', 'lz4'][codec]} crc: \\d+ isvalid: true$`), what);
      t.same(lines.slice(3), ['| key: a payload: one', ' payload: two', '| key: c', ''], what);
      const deep = await runKts(['dump-log', '--files', path, '--deep-iteration']);
      t.same(deep.stdout.split('\n').slice(3).map((l) => l.replace(/ isValid: true crc: \d+\}$/, '').replace(/ keySize.*$/, '')), [
        `| offset: 40 ${magic === 0 ? 'NoTimestampType: -1' : 'CreateTime: 5000'}`,
        `| offset: 41 ${magic === 0 ? 'NoTimestampType: -1' : 'CreateTime: 5001'}`,
        `| offset: 42 ${magic === 0 ? 'NoTimestampType: -1' : 'CreateTime: 5002'}`,
        '',
      ], what);
    }
  }
});
