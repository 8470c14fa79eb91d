import t from 'tap';
import { parseProperties, parseKeyValuePairs, propBoolean } from '../../../src/cli/util/properties.js';
import { parseAddConfig, parseDeleteConfig } from '../../../src/cli/util/config-list.js';
import { parseTimeSpec, parseDurationMs } from '../../../src/cli/util/time-spec.js';

t.test('properties: separators, comments, continuations, escapes', async (t) => {
  const p = parseProperties(
    ['# comment', '! also', 'a=1', 'b : 2', 'c 3', '  d=x\\', '   y', 'e=tab\\there', 'f\\=g=h', 'a=last', 'u=\\u0041'].join('\n'),
  );
  t.equal(p.get('a'), 'last');
  t.equal(p.get('b'), '2');
  t.equal(p.get('c'), '3');
  t.equal(p.get('d'), 'xy');
  t.equal(p.get('e'), 'tab\there');
  t.equal(p.get('f=g'), 'h');
  t.equal(p.get('u'), 'A');
  t.equal(p.size, 7);
});

t.test('key=value pairs keep = in the value and refuse a missing key', async (t) => {
  t.same([...parseKeyValuePairs(['x=a=b', 'y='], '--property')], [['x', 'a=b'], ['y', '']]);
  t.throws(() => parseKeyValuePairs(['novalue'], '--property'), /expects key=value/);
  t.equal(propBoolean(new Map([['k', 'TRUE']]), 'k', false), true);
  t.equal(propBoolean(new Map([['k', 'yes']]), 'k', true), false);
});

t.test('add-config groups bracketed values', async (t) => {
  t.same([...parseAddConfig('k1=v1,k2=[a,b],k3=v3')], [['k1', 'v1'], ['k2', 'a,b'], ['k3', 'v3']]);
  t.throws(() => parseAddConfig('k1'), /key=value/);
  t.throws(() => parseAddConfig('k=[a,b'), /unbalanced/);
  t.same(parseDeleteConfig(['a,b', 'c']), ['a', 'b', 'c']);
});

t.test('time specs: ms, ISO, durations ago', async (t) => {
  const now = 1_700_000_000_000;
  t.equal(parseTimeSpec('1690000000000', now), 1690000000000);
  t.equal(parseTimeSpec('2h', now), now - 7_200_000);
  t.equal(parseTimeSpec('-1h30m', now), now - 5_400_000);
  t.equal(parseTimeSpec('2024-01-01T00:00:00Z', now), Date.UTC(2024, 0, 1));
  t.equal(parseDurationMs('250ms'), 250);
  t.equal(parseDurationMs('h2'), null);
  t.throws(() => parseTimeSpec('yesterday', now), /cannot read/);
});
