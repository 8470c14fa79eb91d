import t from 'tap';
import { LogManager, type PartitionLog } from '../../src/storage/index.js';
import { PartitionTailCache, TailCacheBudget } from '../../src/storage/tail-cache.js';
import { simpleBatch, tempDir } from './helpers.js';

const TOPIC_ID = 'AAAAAAAAAAAAAAAAAAAAAg';

function open(t: { teardown: (fn: () => void) => void }, tailCacheBytes?: number, overrides: Record<string, string> = {}): PartitionLog {
  const mgr = LogManager.open({ logDirs: [tempDir(t)], nodeId: 1, tailCacheBytes: tailCacheBytes ?? 16 * 1024 * 1024 });
  t.teardown(() => mgr.close());
  return mgr.createLog('t', 0, TOPIC_ID, overrides);
}

/** Appends of 1 to 3 batches each (one produce request may carry several), with their own buffers. */
function appends(): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < 40; i++) {
    const parts = [simpleBatch(1 + (i % 4), { valueBytes: 50 + i * 7 })];
    if (i % 5 === 0) parts.push(simpleBatch(2, { valueBytes: 300 }));
    if (i % 9 === 0) parts.push(simpleBatch(1, { valueBytes: 5000 }));
    out.push(Buffer.concat(parts));
  }
  return out;
}

t.test('a fetch at the tail gets the appended buffer itself, and every read answers as the segment does', async (t) => {
  const cached = open(t);
  const plain = open(t, 0);
  const firsts: number[] = [];
  let last: Buffer | undefined;
  for (const a of appends()) {
    firsts.push(cached.logEndOffset);
    last = Buffer.from(a);
    cached.appendAsLeader(last, 3);
    plain.appendAsLeader(Buffer.from(a), 3);
  }
  const tail = cached.read(firsts.at(-1)!, 1 << 20);
  t.equal(tail.records.buffer, last!.buffer, 'served from memory: no read, no copy');
  t.equal(tail.records.byteOffset, last!.byteOffset);
  const end = cached.logEndOffset;
  let compared = 0;
  for (let offset = 0; offset < end; offset++) {
    for (const maxBytes of [1, 200, 1000, 7000, 1 << 20]) {
      for (const maxOffset of [end, Math.floor(end / 2), firsts[20]!]) {
        for (const minOneMessage of [false, true]) {
          const a = cached.read(offset, maxBytes, { maxOffset, minOneMessage }).records;
          const b = plain.read(offset, maxBytes, { maxOffset, minOneMessage }).records;
          // The cache may answer with fewer whole appends than the segment (never other bytes).
          t.ok(b.subarray(0, a.length).equals(a), `offset ${offset} maxBytes ${maxBytes} maxOffset ${maxOffset} minOne ${minOneMessage}`);
          t.ok(a.length > 0 || b.length === 0, 'an empty answer only where the segment has none');
          compared++;
        }
      }
    }
  }
  t.ok(compared > 1000);
});

t.test('truncation forgets the cached appends: new bytes at the same offsets are read', async (t) => {
  const log = open(t);
  for (const a of appends().slice(0, 10)) log.appendAsLeader(a, 1);
  const at = log.logEndOffset;
  log.appendAsLeader(simpleBatch(3, { valueBytes: 100 }), 1);
  log.truncateTo(at);
  const replacement = simpleBatch(3, { valueBytes: 120 });
  log.appendAsLeader(replacement, 2);
  const got = log.read(at, 1 << 20).records;
  t.ok(got.equals(replacement), 'the appended replacement, epoch 2');
  t.equal(got.readInt32BE(12), 2, 'partition leader epoch of the new batch');
  log.truncateFullyAndStartAt(500);
  const fresh = simpleBatch(2, { valueBytes: 80 });
  log.appendAsFollower(Buffer.from(withBaseOffset(fresh, 500)));
  t.equal(log.read(500, 1 << 20).records.readBigInt64BE(0), 500n);
  t.equal(log.read(500, 1 << 20).records.length, fresh.length);
});

t.test('follower appends are cached too, and the broker-wide bound evicts the oldest', async (t) => {
  const budgetBytes = 64 * 1024;
  const log = open(t, budgetBytes);
  const plain = open(t, 0);
  const sent: Buffer[] = [];
  let offset = 0;
  for (let i = 0; i < 30; i++) {
    const b = withBaseOffset(simpleBatch(4, { valueBytes: 3000 }), offset);
    b.writeInt32BE(7, 12);
    sent.push(b);
    // Each follower append arrives in its own response buffer.
    log.appendAsFollower(Buffer.from(b));
    plain.appendAsFollower(Buffer.from(b));
    offset += 4;
  }
  t.equal(log.logEndOffset, 120);
  for (let o = 0; o < 120; o += 4) t.ok(log.read(o, 1 << 20).records.equals(plain.read(o, 1 << 20).records), `offset ${o}`);
  t.ok(log.read(0, 20_000).records.equals(sent[0]!), 'an evicted append is read from the segment');
  t.ok(log.read(116, 1 << 20).records.equals(sent[29]!));
});

t.test('the budget counts the memory each buffer keeps alive and evicts across partitions, oldest first', async (t) => {
  const budget = new TailCacheBudget(100_000);
  const a = new PartitionTailCache(budget);
  const b = new PartitionTailCache(budget);
  const own = (n: number): Buffer => Buffer.alloc(n, 1);
  a.add(0, 0, 10, own(40_000));
  b.add(0, 0, 5, own(40_000));
  // A small slice of a large buffer counts as the whole buffer.
  const big = Buffer.alloc(50_000);
  a.add(0, 10, 11, big.subarray(0, 100));
  t.ok(budget.retainedBytes <= 100_000, `retained ${budget.retainedBytes}`);
  t.equal(a.read(0, 1 << 20, 100, false), undefined, 'a\'s oldest went first');
  t.ok(b.read(0, 1 << 20, 100, false), 'b keeps its entry');
  t.equal(a.read(10, 1 << 20, 100, false)?.length, 100);
  a.add(0, 11, 12, own(200_000));
  t.equal(a.read(11, 1 << 20, 100, false), undefined, 'larger than the whole budget: not kept');
  t.equal(a.read(10, 1 << 20, 100, false), undefined, 'and the cache restarts from there');
  b.clear();
  t.equal(budget.retainedBytes, 0);
  t.equal(b.read(0, 1 << 20, 100, false), undefined);
  // A gap (an append not continuing the last one) restarts the cache.
  b.add(0, 50, 60, own(10));
  b.add(0, 70, 80, own(10));
  t.equal(b.read(50, 1 << 20, 100, false), undefined);
  t.equal(b.read(70, 1 << 20, 100, false)?.length, 10);
  t.equal(b.read(70, 1 << 20, 79, false), undefined, 'an append reaching past the bound is not returned');
});

function withBaseOffset(batch: Buffer, offset: number): Buffer {
  const out = Buffer.from(batch);
  out.writeBigInt64BE(BigInt(offset), 0);
  return out;
}
