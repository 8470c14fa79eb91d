// The read buffer pool (util/buffer-pool.ts): size classes, reuse of what is given back,
// the bound on free bytes kept, and nothing taken back that it did not lend or already has.
import t from 'tap';
import { BufferPool } from '../../src/util/buffer-pool.js';

const KiB = 1024;

t.test('a buffer given back is lent again for a request of its size class', async (t) => {
  const pool = new BufferPool(64 * KiB, 1024 * KiB, 4096 * KiB);
  const a = pool.take(100 * KiB);
  t.equal(a.length, 100 * KiB, 'exactly the length asked for');
  t.equal(a.buffer.byteLength, 128 * KiB, 'backed by the 128 KiB class');
  a.fill(7);
  pool.give(a.subarray(0, 10)); // the response carried a view of it
  const b = pool.take(70 * KiB);
  t.equal(b.buffer, a.buffer, 'the same memory comes back for 70 KiB');
  t.equal(pool.reused, 1);
  const c = pool.take(70 * KiB);
  t.not(c.buffer, a.buffer, 'a buffer still lent is not lent twice');
  t.equal(pool.allocated, 2);
});

t.test('outside the classes: plain allocations, never kept', async (t) => {
  const pool = new BufferPool(64 * KiB, 1024 * KiB, 4096 * KiB);
  const small = pool.take(1000);
  const large = pool.take(2048 * KiB);
  pool.give(small);
  pool.give(large);
  t.equal(pool.keptBytes, 0, 'nothing kept');
  t.equal(pool.allocated, 0, 'neither came from the pool');
});

t.test('given back twice, or never lent: no change', async (t) => {
  const pool = new BufferPool(64 * KiB, 1024 * KiB, 4096 * KiB);
  const a = pool.take(64 * KiB);
  pool.give(a);
  pool.give(a);
  t.equal(pool.keptBytes, 64 * KiB, 'kept once');
  pool.give(Buffer.alloc(64 * KiB));
  t.equal(pool.keptBytes, 64 * KiB, 'a foreign buffer is not taken');
  const b = pool.take(64 * KiB);
  const c = pool.take(64 * KiB);
  t.equal(b.buffer, a.buffer, 'the kept one is reused');
  t.not(c.buffer, a.buffer, 'and lent once only');
});

t.test('free buffers kept are bounded by keepBytes', async (t) => {
  const pool = new BufferPool(64 * KiB, 1024 * KiB, 2048 * KiB);
  const lent = Array.from({ length: 5 }, () => pool.take(1024 * KiB));
  for (const b of lent) pool.give(b);
  t.equal(pool.keptBytes, 2048 * KiB, 'two of the five megabytes kept, the rest left to the collector');
});
