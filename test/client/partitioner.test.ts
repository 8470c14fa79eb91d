// murmur2 against Java's Utils.murmur2 outputs and kafkajs' Java-compatible partitioner.
import t from 'tap';
import { createRequire } from 'node:module';
import { murmur2, partitionForKey, StickyPartitioner } from '../../src/client/partitioner.js';

const JAVA_VECTORS: Record<string, number> = {
  '0': 971027396,
  '1': -1993445489,
  '12': 126087238,
  '123': -267702483,
  '1234': -1614185708,
  '12345': -1188365604,
  '128': -326012175,
  '2187': -1508407203,
  '16384': -325739742,
  '78125': -1654490814,
  '279936': 1462227128,
  '823543': -2014198330,
};

t.test('murmur2 matches Java Utils.murmur2', async (t) => {
  for (const [key, expected] of Object.entries(JAVA_VECTORS)) {
    t.equal(murmur2(Buffer.from(key)), expected, `murmur2("${key}")`);
  }
});

t.test('murmur2 agrees with kafkajs (Java-compatible) on many keys', async (t) => {
  const require = createRequire(import.meta.url);
  const kafkajsMurmur2 = require('kafkajs/src/producer/partitioners/default/murmur2.js') as (k: Buffer) => number;
  let mismatches = 0;
  for (let i = 0; i < 2000; i++) {
    const key = Buffer.from(`key-${i}-${'x'.repeat(i % 7)}`);
    if (murmur2(key) !== kafkajsMurmur2(key)) mismatches++;
  }
  t.equal(mismatches, 0);
  t.equal(murmur2(Buffer.alloc(0)), kafkajsMurmur2(Buffer.alloc(0)), 'empty key');
});

t.test('partitionForKey is toPositive(murmur2) mod n', async (t) => {
  t.equal(partitionForKey(Buffer.from('1'), 7), (-1993445489 & 0x7fffffff) % 7);
});

t.test('sticky partitioner stays until batch.size bytes then moves', async (t) => {
  let i = 0;
  const seq = [0.1, 0.6, 0.9];
  const sticky = new StickyPartitioner(100, () => seq[i++ % seq.length]!);
  const first = sticky.partition('t', 3, 60);
  t.equal(sticky.partition('t', 3, 60), first, 'same partition under batch.size');
  const next = sticky.partition('t', 3, 10);
  t.not(next, first, 'moves after batch.size bytes');
  t.equal(sticky.partition('one', 1, 500), 0);
});
