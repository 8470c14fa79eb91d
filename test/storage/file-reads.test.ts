// Fetch's asynchronous file reads (storage/file-reads.ts): the same bytes as the synchronous
// read, a bounded number in flight, and a descriptor that stays open under a read even when
// the cache evicts it or its log closes meanwhile.
import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LogManager } from '../../src/storage/index.js';
import { CachedFile, FileCache } from '../../src/storage/file-cache.js';
import { FileReads } from '../../src/storage/file-reads.js';
import { simpleBatch, tempDir } from './helpers.js';

const TOPIC_ID = 'AAAAAAAAAAAAAAAAAAAABw';

t.test('readAsync returns what read returns: offsets, bounds, minOneMessage, several segments', async (t) => {
  const dir = tempDir(t);
  const mgr = LogManager.open({ logDirs: [dir], nodeId: 1 });
  t.teardown(() => mgr.close());
  const log = await mgr.createLog('t', 0, TOPIC_ID, { 'segment.bytes': '2000' });
  for (let i = 0; i < 80; i++) log.appendAsLeader(simpleBatch(3), 0);
  t.ok(log.segmentCount > 2, `${log.segmentCount} segments`);
  const reads = new FileReads(2);
  for (const [offset, maxBytes, options] of [
    [0, 1 << 20, {}],
    [7, 500, {}],
    [7, 10, { minOneMessage: true }],
    [7, 10, {}],
    [30, 1 << 20, { maxOffset: 61 }],
    [100, 1 << 20, { maxOffset: 100 }],
    [239, 1 << 20, {}],
    [240, 1 << 20, {}],
  ] as const) {
    const sync = log.read(offset, maxBytes, options);
    const got = await log.readAsync(offset, maxBytes, options, reads);
    t.same(got, sync, `fetch at ${offset}, ${maxBytes} bytes, ${JSON.stringify(options)}`);
    // onEventLoop (a follower's unreplicated tail): the same bytes, read without the pool.
    const inFlightBefore = reads.inFlight;
    const now = log.readAsync(offset, maxBytes, { ...options, onEventLoop: true }, reads);
    t.equal(reads.inFlight, inFlightBefore, `onEventLoop at ${offset}: no thread-pool read`);
    t.same(await now, sync, `onEventLoop at ${offset}, ${maxBytes} bytes, ${JSON.stringify(options)}`);
  }
  await t.rejects(log.readAsync(241, 1 << 20, {}, reads), /outside/, 'past the log end: OFFSET_OUT_OF_RANGE as read()');
});

t.test('at most maxInFlight reads run at once; the others wait holding no buffer', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'f');
  const content = Buffer.alloc(256 * 1024);
  for (let i = 0; i < content.length; i++) content[i] = i % 251;
  writeFileSync(path, content);
  const file = new CachedFile(path, false, new FileCache(8));
  t.teardown(() => file.close());
  const reads = new FileReads(2);
  let peak = 0;
  const all = Array.from({ length: 20 }, (_, i) => {
    const p = reads.read(file, i * 10_000, 50_000, () => content.length);
    peak = Math.max(peak, reads.inFlight);
    return p;
  });
  t.equal(reads.inFlight, 2, 'two reads in flight');
  t.equal(reads.queued, 18, 'eighteen wait');
  const watch = setInterval(() => (peak = Math.max(peak, reads.inFlight)), 0);
  const got = await Promise.all(all);
  clearInterval(watch);
  t.ok(peak <= 2, `never more than 2 in flight (peak ${peak})`);
  got.forEach((buf, i) => t.ok(buf.equals(content.subarray(i * 10_000, i * 10_000 + 50_000)), `read ${i} has its bytes`));
  t.equal(reads.inFlight, 0);
  const tail = await reads.read(file, content.length - 10, 100, () => content.length);
  t.equal(tail.length, 10, 'a read past the end returns what is there');
});

t.test('a descriptor under a read is neither evicted nor closed until the read returns', async (t) => {
  const dir = tempDir(t);
  const cache = new FileCache(1);
  writeFileSync(join(dir, 'a'), Buffer.alloc(1 << 20, 7));
  const a = new CachedFile(join(dir, 'a'), false, cache);
  const b = new CachedFile(join(dir, 'b'), true, cache);
  t.teardown(() => {
    a.close();
    b.close();
  });
  const reads = new FileReads(1);
  const pending = reads.read(a, 0, 1 << 20, () => 1 << 20);
  await new Promise((r) => setImmediate(r));
  b.fd(); // the cache holds one descriptor: b would evict a
  t.ok(a.isOpen, 'a stays open while it is read');
  a.close(); // its log closing meanwhile
  t.ok(a.isOpen, 'close() waits for the read');
  const got = await pending;
  t.ok(got.equals(Buffer.alloc(1 << 20, 7)), 'the read returns the file bytes');
  t.notOk(a.isOpen, 'closed once the read returned');
  t.equal(cache.openCount, 1, 'only b is open');
});
