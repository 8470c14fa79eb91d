// The console's history store: samples survive a reopen (a restart of kts ui), old samples
// move to the per-minute tier and expire, the files stay under the size cap, and a torn last
// line (a crash mid-append) is skipped.
import t from 'tap';
import { appendFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { HistoryStore, FINE_RETENTION_MS } from '../../src/ui/history.js';
import { tempDir } from '../broker/helpers.js';

const HOUR = 3_600_000;

t.test('samples survive a reopen and queries read both tiers', async (t) => {
  const dir = await tempDir(t, 'kts-history-');
  const start = Date.UTC(2026, 0, 1);
  const store = new HistoryStore({ dir }, start);
  // 10 hours of samples every 30 s: the first hours are only in the per-minute tier later.
  for (let ms = 0; ms <= 10 * HOUR; ms += 30_000) store.add({ t: start + ms, v: { a: ms / 1000, [`x${ms % 60_000}`]: 1 } });
  const now = start + 10 * HOUR;
  const reopened = new HistoryStore({ dir }, now);
  const all = reopened.query(['a'], start);
  t.equal(all.t[all.t.length - 1], now, 'the newest sample is there after a reopen');
  const fineFrom = now - FINE_RETENTION_MS;
  const older = all.t.filter((x) => x < fineFrom);
  t.ok(older.length > 0, 'samples older than the fine tier come from the coarse tier');
  t.ok(older.every((x, i) => i === 0 || x - older[i - 1]! >= 60_000), 'coarse samples are one per minute');
  t.ok(all.t.filter((x) => x >= fineFrom).length >= (FINE_RETENTION_MS / 30_000) - 1, 'recent samples at full resolution');
  t.same(all.values.a!.slice(-2), [(10 * HOUR - 30_000) / 1000, (10 * HOUR) / 1000]);
  const missing = reopened.query(['nope'], now - HOUR);
  t.ok(missing.values.nope!.every((x) => x === null), 'absent series are null');
});

t.test('the store stays under its size cap and skips a torn line', async (t) => {
  const dir = await tempDir(t, 'kts-history-');
  const start = Date.UTC(2026, 0, 1);
  const maxBytes = 200_000;
  const store = new HistoryStore({ dir, maxBytes }, start);
  const big: Record<string, number> = {};
  for (let i = 0; i < 40; i++) big[`topic:t${i}:endOffsets`] = i * 1000;
  for (let i = 0; i < 2_000; i++) store.add({ t: start + i * 1000, v: big });
  const size = statSync(join(dir, 'fine.jsonl')).size + statSync(join(dir, 'coarse.jsonl')).size;
  t.ok(size <= maxBytes, `history files are ${size} bytes, cap ${maxBytes}`);
  appendFileSync(join(dir, 'fine.jsonl'), '{"t":12');
  const reopened = new HistoryStore({ dir, maxBytes }, start + 2_000_000);
  const q = reopened.query(['topic:t1:endOffsets'], start);
  t.ok(q.t.length > 0, 'the store opens past a torn line');
  t.ok(q.values['topic:t1:endOffsets']!.every((x) => x === 1000));
});
