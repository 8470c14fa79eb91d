/**
 * dump-log on a partition written by kts's own storage engine: several rolled segments
 * with offset and time indexes, producer snapshots and checkpoints. Every index entry
 * must verify against its log (no Kafka mismatch report, no --check problem), and the
 * summaries must add up to what was appended.
 */
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runKts } from '../helpers/run-kts.js';
import { LogManager } from '../../src/storage/index.js';
import { encodeRecordBatch } from '../../src/records/record-batch.js';

t.test('a kts-written partition verifies clean', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kts-dump-log-storage-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const mgr = LogManager.open({ logDirs: [dir], nodeId: 1 });
  const log = mgr.createLog('orders', 0, 'AAAAAAAAAAAAAAAAAAAAAg', { 'index.interval.bytes': '200', 'segment.bytes': '3000' });
  let records = 0;
  const nextSequence = [0, 0];
  for (let i = 0; i < 60; i++) {
    const n = 1 + (i % 4);
    const producer = i % 2;
    const batch = encodeRecordBatch({
      compression: (i % 5) as 0 | 1 | 2 | 3 | 4,
      producerId: 500 + producer,
      producerEpoch: 0,
      baseSequence: nextSequence[producer],
      records: Array.from({ length: n }, (_, k) => ({ timestampMs: 1700000000000 + i * 10 + k, key: Buffer.from(`k${i}`), value: Buffer.alloc(90, 65 + k) })),
    });
    nextSequence[producer]! += n;
    log.appendAsLeader(batch, 1);
    records += n;
  }
  mgr.close();
  const partition = join(dir, 'orders-0');
  const check = await runKts(['dump-log', '--files', partition, '--check', '--deep-iteration']);
  t.equal(check.code, 0, check.stdout);
  t.match(check.stdout, /^No problems found in \d+ file\(s\)\.\n$/);
  const verify = await runKts(['dump-log', '--files', partition, '--verify-index-only']);
  t.equal(verify.stderr, '', 'no mismatch report from Kafka\'s checks');
  t.match(verify.stdout, /\.index\n/);
  const summary = await runKts(['dump-log', '--files', partition, '--summary', '--json']);
  const sums = summary.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; kind: string; records: number; batches: number; entries: number });
  const logs = sums.filter((s) => s.type === 'summary' && s.kind === 'log');
  t.ok(logs.length > 2, `${logs.length} segments`);
  t.equal(logs.reduce((n, s) => n + s.batches, 0), 60);
  t.equal(logs.reduce((n, s) => n + s.records, 0), records);
  t.ok(sums.some((s) => s.kind === 'index' && s.entries > 0), 'indexes have entries');
  t.ok(sums.some((s) => s.kind === 'snapshot' && s.entries === 2), 'producer snapshots list both producers');
});
