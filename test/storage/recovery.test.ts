import t, { type Test } from 'tap';
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, rmSync, writeFileSync, truncateSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LogManager } from '../../src/storage/index.js';
import { baseOffset, batchSize, isCrcValid, lastOffset } from '../../src/records/batch-header.js';
import { simpleBatch, tempDir } from './helpers.js';

const WRITER = fileURLToPath(new URL('./fixtures/writer.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Walk every batch of the log and check offsets are contiguous and CRCs valid. */
function checkLog(t: Test, mgr: LogManager, topic: string): Map<number, number> {
  const log = mgr.getLog(topic, 0)!;
  const seen = new Map<number, number>();
  let next = log.logStartOffset;
  while (next < log.logEndOffset) {
    const buf = log.read(next, 1 << 20, { minOneMessage: true }).records;
    if (buf.length === 0) break;
    for (let at = 0; at < buf.length; at += batchSize(buf, at)) {
      if (baseOffset(buf, at) !== next) t.equal(baseOffset(buf, at), next, 'contiguous offsets');
      if (!isCrcValid(buf, at)) t.ok(false, `CRC of batch at ${next}`);
      seen.set(baseOffset(buf, at), lastOffset(buf, at));
      next = lastOffset(buf, at) + 1;
    }
  }
  t.equal(next, log.logEndOffset, 'batches reach the log end offset');
  return seen;
}

function runWriterAndKill(dir: string, acksBeforeKill: number): Promise<{ acked: Array<[number, number]>; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WRITER, dir, '20000'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const acked: Array<[number, number]> = [];
    let out = '';
    let stderr = '';
    let killed = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`writer did not ack ${acksBeforeKill} batches in time: ${stderr}`));
    }, 15000);
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const lines = out.split('\n');
      out = lines.pop()!;
      for (const line of lines) {
        const m = /^ACK (\d+) (\d+)$/.exec(line);
        if (m) acked.push([Number(m[1]), Number(m[2])]);
      }
      if (!killed && acked.length >= acksBeforeKill) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.on('exit', () => {
      clearTimeout(timer);
      resolve({ acked, stderr });
    });
    child.on('error', reject);
  });
}

t.test('kill -9 in the middle of appends: every acknowledged batch survives, the tail is valid', async (t) => {
  const dir = tempDir(t);
  let total = 0;
  for (const round of [1, 2]) {
    const { acked } = await runWriterAndKill(dir, 150 + round * 37);
    t.notOk(existsSync(join(dir, '.kafka_cleanshutdown')), 'no clean shutdown marker after kill -9');
    const mgr = LogManager.open({ logDirs: [dir], nodeId: 1 });
    t.match(mgr.notices.join('\n'), /stale lock of process \d+ \(crash-writer\)/, 'the dead writer\'s lock is reported stale');
    const seen = checkLog(t, mgr, 'crash');
    t.comment(mgr.notices.filter((n) => n.includes('truncated')).join('; ') || 'no torn tail this time');
    let missing = 0;
    for (const [base, last] of acked) if (seen.get(base) !== last) missing++;
    t.equal(missing, 0, `round ${round}: all ${acked.length} acknowledged batches present`);
    const log = mgr.getLog('crash', 0)!;
    t.ok(log.logEndOffset >= acked.at(-1)![1] + 1);
    total = log.logEndOffset;
    // Producer state was rebuilt: a retry of the last batch is a duplicate, the next sequence follows.
    const lastBatch = log.read(acked.at(-1)![0], 1 << 20).records;
    let at = 0;
    while (at + batchSize(lastBatch, at) < lastBatch.length) at += batchSize(lastBatch, at);
    const retry = Buffer.from(lastBatch.subarray(at));
    const retryBase = baseOffset(retry);
    retry.writeBigInt64BE(0n, 0);
    const dup = log.appendAsLeader(retry, 1);
    t.same([dup.duplicate, dup.baseOffset], [true, retryBase], `round ${round}: retry of the last batch is a duplicate`);
    const nextSeq = retry.readInt32BE(53) + retry.readInt32BE(57);
    t.equal(log.appendAsLeader(simpleBatch(1, { producerId: 77, producerEpoch: 0, baseSequence: nextSeq }), 1).baseOffset, total);
    mgr.close();
  }
});

function buildLog(dir: string, batches: number): number[] {
  const mgr = LogManager.open({ logDirs: [dir], nodeId: 1 });
  const log = mgr.createLog('c', 0, 'AAAAAAAAAAAAAAAAAAAABA', { 'index.interval.bytes': '200' });
  const sizes: number[] = [];
  for (let i = 0; i < batches; i++) {
    const b = simpleBatch(2, { valueBytes: 100 });
    sizes.push(b.length);
    log.appendAsLeader(b, 0);
  }
  mgr.close();
  return sizes;
}

const SEG = (dir: string, ext: string): string => join(dir, 'c-0', `00000000000000000000.${ext}`);

t.test('a torn or corrupt tail is truncated after an unclean shutdown', async (t) => {
  const dir = tempDir(t);
  const sizes = buildLog(dir, 10);
  const good = sizes.reduce((a, b) => a + b, 0);
  // Unclean: no marker, recovery point back at 0, a half-written batch at the end.
  rmSync(join(dir, '.kafka_cleanshutdown'));
  writeFileSync(join(dir, 'recovery-point-offset-checkpoint'), '0\n1\nc 0 0\n');
  const tornBytes = simpleBatch(3, { baseOffset: 20 }).subarray(0, 50);
  appendFileSync(SEG(dir, 'log'), tornBytes);
  let mgr = LogManager.open({ logDirs: [dir], nodeId: 1 });
  t.equal(statSync(SEG(dir, 'log')).size, good, 'torn batch cut off');
  t.equal(mgr.getLog('c', 0)!.logEndOffset, 20);
  const [torn] = mgr.warnings;
  t.match(torn, /^c-0: recovery dropped offsets from 20, 50 bytes of an incomplete or corrupt tail; the dropped bytes are kept in /);
  const side = /kept in (\S+) \(/.exec(torn ?? '')?.[1] ?? '';
  t.same(readFileSync(side), tornBytes, 'the side file holds the dropped bytes');
  rmSync(side);
  checkLog(t, mgr, 'c');
  mgr.close();
  // Flip a byte inside the 8th batch: it and everything after it go.
  const bytes = readFileSync(SEG(dir, 'log'));
  const at8 = sizes.slice(0, 7).reduce((a, b) => a + b, 0);
  bytes[at8 + 100] ^= 0xff;
  writeFileSync(SEG(dir, 'log'), bytes);
  rmSync(join(dir, '.kafka_cleanshutdown'));
  writeFileSync(join(dir, 'recovery-point-offset-checkpoint'), '0\n1\nc 0 0\n');
  mgr = LogManager.open({ logDirs: [dir], nodeId: 1 });
  t.teardown(() => mgr.close());
  const log = mgr.getLog('c', 0)!;
  t.equal(log.logEndOffset, 14);
  t.equal(statSync(SEG(dir, 'log')).size, at8);
  t.match(mgr.warnings[0], `c-0: recovery dropped offsets 14 to 15 (as the first dropped batch claims), ${good - at8} bytes`);
  const dropped = /kept in (\S+) \(/.exec(mgr.warnings[0] ?? '')?.[1] ?? '';
  t.same(readFileSync(dropped).subarray(0, 100), bytes.subarray(at8, at8 + 100), 'the corrupt batch and what followed are kept');
  checkLog(t, mgr, 'c');
  t.equal(log.appendAsLeader(simpleBatch(1), 0).baseOffset, 14);
});

t.test('missing or corrupt indexes are rebuilt with the same bytes', async (t) => {
  const dir = tempDir(t);
  buildLog(dir, 30);
  const index = readFileSync(SEG(dir, 'index'));
  const timeindex = readFileSync(SEG(dir, 'timeindex'));
  t.ok(index.length > 8, 'the index has entries');
  rmSync(SEG(dir, 'index'));
  rmSync(SEG(dir, 'timeindex'));
  let mgr = LogManager.open({ logDirs: [dir], nodeId: 1 });
  mgr.close();
  t.same(readFileSync(SEG(dir, 'index')), index, 'rebuilt offset index equals the original');
  t.same(readFileSync(SEG(dir, 'timeindex')), timeindex, 'rebuilt time index equals the original');
  // Clean shutdown but a garbage index: the sanity check catches it.
  const bad = Buffer.from(index);
  bad.writeInt32BE(0x7fffffff, 4);
  writeFileSync(SEG(dir, 'index'), bad);
  mgr = LogManager.open({ logDirs: [dir], nodeId: 1 });
  t.equal(mgr.getLog('c', 0)!.read(25, 1000).records.length > 0, true);
  mgr.close();
  t.same(readFileSync(SEG(dir, 'index')), index);
  // An index left preallocated by a crash (zeros after the entries) is read as its entries.
  const padded = Buffer.alloc(1024);
  index.copy(padded);
  writeFileSync(SEG(dir, 'index'), padded);
  truncateSync(SEG(dir, 'timeindex'), 1200);
  rmSync(join(dir, '.kafka_cleanshutdown'));
  mgr = LogManager.open({ logDirs: [dir], nodeId: 1 });
  checkLog(t, mgr, 'c');
  mgr.close();
  t.same(readFileSync(SEG(dir, 'index')), index);
});
