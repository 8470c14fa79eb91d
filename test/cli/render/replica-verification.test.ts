// The batch comparison of kts replica-verification on hand-made replicas.
import t from 'tap';
import { verifyPartition, renderEvent, renderMaxLag } from '../../../src/cli/replica/verify.js';
import { makeBatch } from '../../storage/helpers.js';

const batch = (base: number, values: string[]): Buffer => makeBatch(values.map((v) => ({ value: v })), { baseOffset: base, timestampMs: 1_700_000_000_000 });
const log = (...bs: Buffer[]): Buffer => Buffer.concat(bs);

t.test('equal replicas verify up to the lowest high watermark that covers whole batches', async (t) => {
  const a = log(batch(0, ['a', 'b']), batch(2, ['c']), batch(3, ['d', 'e']));
  const r = verifyPartition(0, [{ brokerId: 2, highWatermark: 5, records: a }, { brokerId: 1, highWatermark: 3, records: a }]);
  t.same(r, { nextOffset: 3, maxHighWatermark: 5, events: [], diverged: false }, 'broker 1 has only offsets below 3 committed');
  const partial = verifyPartition(0, [{ brokerId: 1, highWatermark: 5, records: a.subarray(0, a.length - 3) }, { brokerId: 2, highWatermark: 5, records: a }]);
  t.equal(partial.nextOffset, 3, 'a batch cut by the fetch size is not verified yet');
});

t.test('a different batch is a checksum mismatch; a different offset stops the walk', async (t) => {
  const r = verifyPartition(0, [
    { brokerId: 1, highWatermark: 3, records: log(batch(0, ['a', 'b']), batch(2, ['c'])) },
    { brokerId: 2, highWatermark: 3, records: log(batch(0, ['a', 'X']), batch(2, ['c'])) },
  ]);
  t.equal(r.nextOffset, 3);
  t.equal(r.events.length, 1);
  t.equal(renderEvent('D', 't-0', r.events[0]!), `D: partition t-0 has unmatched checksum at offset 1; replica 1's checksum ${(r.events[0] as { firstChecksum: number }).firstChecksum}; replica 2's checksum ${(r.events[0] as { checksum: number }).checksum}\n`);
  const d = verifyPartition(0, [
    { brokerId: 1, highWatermark: 4, records: log(batch(0, ['a', 'b']), batch(2, ['c'])) },
    { brokerId: 2, highWatermark: 4, records: log(batch(0, ['a', 'b', 'c'])) },
  ]);
  t.equal(d.diverged, true);
  t.equal(renderEvent('D', 't-0', d.events[0]!), "D: partition t-0: replica 1's offset 1 doesn't match replica 2's offset 2\n");
  t.equal(renderMaxLag('D', 0, 't-0', 3, 2), 'D: max lag is 0 for partition t-0 at offset 3 among 2 partitions\n');
});
