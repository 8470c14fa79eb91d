import t from 'tap';
import { formatterConfig, formatRecord } from '../../../src/cli/util/message-formatter.js';
import { compileFormat, compileInputFormat, parseWithFormat, renderFormat } from '../../../src/cli/util/format-string.js';
import { parseJsonRecord, recordToJson } from '../../../src/cli/util/record-json.js';
import type { ConsoleRecord } from '../../../src/cli/util/record.js';

const rec: ConsoleRecord = {
  topic: 't',
  partition: 2,
  offset: 42,
  timestampMs: 1700000000000,
  timestampType: 'CreateTime',
  leaderEpoch: 3,
  key: Buffer.from('k'),
  value: Buffer.from('v'),
  headers: [
    { key: 'h1', value: Buffer.from('x') },
    { key: 'h2', value: null },
  ],
};
const fmt = (o: Record<string, string>, r: ConsoleRecord = rec) => formatRecord(formatterConfig(new Map(Object.entries(o))), r).toString();

t.test('default formatter prints the value and a newline', async (t) => {
  t.equal(fmt({}), 'v\n');
  t.equal(fmt({}, { ...rec, value: null }), 'null\n');
});

t.test('every field in Kafka order with key.separator', async (t) => {
  const all = {
    'print.timestamp': 'true',
    'print.partition': 'true',
    'print.offset': 'true',
    'print.epoch': 'true',
    'print.headers': 'true',
    'print.key': 'true',
  };
  t.equal(fmt(all), 'CreateTime:1700000000000\tPartition:2\tOffset:42\tEpoch:3\th1:x,h2:null\tk\tv\n');
  t.equal(
    fmt({ ...all, 'key.separator': ' | ', 'line.separator': '\r\n', 'headers.separator': ';', 'null.literal': '-', 'print.value': 'false' }),
    'CreateTime:1700000000000 | Partition:2 | Offset:42 | Epoch:3 | h1:x;h2:- | k\r\n',
  );
  t.equal(fmt({ 'print.headers': 'true', 'print.timestamp': 'true' }, { ...rec, headers: [], timestampType: 'NoTimestampType', leaderEpoch: -1 }), 'NO_TIMESTAMP\tNO_HEADERS\tv\n');
  t.throws(() => fmt({ 'print.nonsense': 'true' }), /unknown formatter property/);
});

t.test('format strings render every token', async (t) => {
  const out = renderFormat(compileFormat('%t [%p] @%o %T %k=%v (%K/%S) %h %%\\n'), rec).toString();
  t.equal(out, 't [2] @42 1700000000000 k=v (1/1) h1=x,h2= %\n');
  t.equal(renderFormat(compileFormat('%S\\x41'), { ...rec, value: null }).toString(), '-1A');
  t.throws(() => compileFormat('%q'), /unknown format token/);
  t.throws(() => compileFormat('\\q'), /unknown escape/);
});

t.test('input formats parse what the output format printed', async (t) => {
  const f = compileInputFormat('%k %v\\n');
  t.same(f.terminator, Buffer.from('\n'));
  const r = parseWithFormat(f, Buffer.from('key with value'), 1);
  t.equal(r.key!.toString(), 'key');
  t.equal(r.value!.toString(), 'with value');
  const g = compileInputFormat('%p|%T|%h|%k|%v\\n');
  const r2 = parseWithFormat(g, Buffer.from('1|99|a=b,c|K|V'), 2);
  t.equal(r2.partition, 1);
  t.equal(r2.timestampMs, 99);
  t.same(r2.headers.map((h) => [h.key, h.value?.toString() ?? null]), [['a', 'b'], ['c', null]]);
  t.throws(() => parseWithFormat(f, Buffer.from('nospace'), 5), /Record 5 does not match/);
  t.throws(() => compileInputFormat('%k %v'), /must end with a record delimiter/);
  t.throws(() => compileInputFormat('%k%v\\n'), /need a literal between/);
  t.throws(() => compileInputFormat('%o\\n'), /cannot be used for producing/);
});

t.test('JSON records round-trip bytes exactly, base64 for non-UTF-8', async (t) => {
  const binary = Buffer.from([0xff, 0x00, 0xfe]);
  const r: ConsoleRecord = { ...rec, key: null, value: binary, headers: [{ key: 'b', value: binary }, { key: 'n', value: null }] };
  const j = recordToJson(r);
  t.equal(j.valueEncoding, 'base64');
  t.equal(j.key, null);
  const back = parseJsonRecord(JSON.stringify(j), 1);
  t.equal(back.key, null);
  t.same(back.value, binary);
  t.same(back.headers[0]!.value, binary);
  t.equal(back.headers[1]!.value, null);
  t.equal(back.partition, 2);
  t.equal(back.timestampMs, 1700000000000);
  const plain = recordToJson(rec);
  t.equal(plain.value, 'v');
  t.notOk('valueEncoding' in plain);
  t.throws(() => parseJsonRecord('{nope', 9), /Invalid JSON on line number 9/);
  t.throws(() => parseJsonRecord('{"value":5}', 3), /"value" must be a string or null on line number 3/);
  t.throws(() => parseJsonRecord('{"value":"x","valueEncoding":"hex"}', 3), /unknown valueEncoding/);
  const kc = parseJsonRecord('{"value":"x","headers":{"a":"1"}}', 1);
  t.equal(kc.headers[0]!.value!.toString(), '1');
});
