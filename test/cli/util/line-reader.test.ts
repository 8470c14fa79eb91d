import t from 'tap';
import { Readable } from 'node:stream';
import { lineReaderConfig, parseLine, splitRecords } from '../../../src/cli/util/line-reader.js';

const cfg = (o: Record<string, string>) => lineReaderConfig(new Map(Object.entries(o)));
const s = (b: Buffer | null) => (b === null ? null : b.toString());

t.test('value only by default: the whole line', async (t) => {
  const r = parseLine(cfg({}), 'a\tb', 1);
  t.equal(r.key, null);
  t.equal(s(r.value), 'a\tb');
  t.same(r.headers, []);
});

t.test('parse.key splits at the first key.separator', async (t) => {
  const r = parseLine(cfg({ 'parse.key': 'true', 'key.separator': ':' }), 'k:v:w', 1);
  t.equal(s(r.key), 'k');
  t.equal(s(r.value), 'v:w');
  t.throws(() => parseLine(cfg({ 'parse.key': 'true' }), 'novalue', 7), { message: "No key separator found on line number 7: 'novalue'" });
  const ignored = parseLine(cfg({ 'parse.key': 'true', 'ignore.error': 'true' }), 'novalue', 7);
  t.equal(ignored.key, null);
  t.equal(s(ignored.value), 'novalue');
});

t.test('parse.headers + parse.key in Kafka order', async (t) => {
  const c = cfg({ 'parse.key': 'true', 'parse.headers': 'true' });
  const r = parseLine(c, 'h1:v1,h2:v2\tkey\tvalue', 1);
  t.equal(s(r.key), 'key');
  t.equal(s(r.value), 'value');
  t.same(r.headers.map((h) => [h.key, s(h.value)]), [['h1', 'v1'], ['h2', 'v2']]);
  t.throws(() => parseLine(c, 'h1\tk\tv', 3), { message: "No header key separator found in pair 'h1' on line number 3" });
  const ig = parseLine(cfg({ 'parse.headers': 'true', 'ignore.error': 'true' }), 'h1\tv', 3);
  t.same(ig.headers.map((h) => [h.key, h.value]), [['h1', null]]);
});

t.test('null.marker makes key, value and header values null; a null header key is an error', async (t) => {
  const c = cfg({ 'parse.key': 'true', 'parse.headers': 'true', 'null.marker': 'NULL' });
  const r = parseLine(c, 'h:NULL\tNULL\tNULL', 1);
  t.equal(r.key, null);
  t.equal(r.value, null);
  t.equal(r.headers[0]!.value, null);
  t.throws(() => parseLine(c, 'NULL:x\tk\tv', 2), /Header keys should not be equal to the null marker/);
  const noHeaders = parseLine(c, 'NULL\tk\tv', 2);
  t.same(noHeaders.headers, []);
});

t.test('separators must differ', async (t) => {
  t.throws(() => cfg({ 'parse.headers': 'true', 'headers.delimiter': ',' }), /headers.delimiter and headers.separator may not be equal/);
  t.throws(() => cfg({ 'parse.headers': 'true', 'headers.key.separator': ',' }), /headers.separator and headers.key.separator may not be equal/);
  t.throws(() => cfg({ 'null.marker': '\t' }), /null.marker and key.separator/);
});

t.test('splitRecords: lines across chunks, CRLF, last line without newline, custom delimiter', async (t) => {
  const collect = async (chunks: string[], delim?: string) => {
    const out: string[] = [];
    for await (const b of splitRecords(Readable.from(chunks.map((c) => Buffer.from(c))), delim ? Buffer.from(delim) : undefined)) out.push(b.toString());
    return out;
  };
  t.same(await collect(['a\nb', 'c\r\n', '\nd']), ['a', 'bc', '', 'd']);
  t.same(await collect(['x||y|', '|z'], '||'), ['x', 'y', 'z']);
  await t.rejects(async () => {
    for await (const _ of splitRecords(Readable.from([Buffer.alloc(100, 0x61)]), undefined, 10)) void _;
  }, /longer than 10 bytes/);
});
