/**
 * Points in time typed on the command line (`--from-time`): epoch milliseconds, an ISO
 * 8601 date or date-time, or a duration back from now such as `2h`, `90m`, `1d12h`, `-30s`.
 */
import { UsageError } from '../../util/errors.js';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** Milliseconds in a duration like `1h30m` or `250ms`; null when `text` is not a duration. */
export function parseDurationMs(text: string): number | null {
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g;
  let total = 0;
  let consumed = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m.index !== consumed) return null;
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    consumed = re.lastIndex;
  }
  return consumed === text.length && consumed > 0 ? Math.round(total) : null;
}

/** Resolve a time spec to epoch ms. */
export function parseTimeSpec(text: string, nowMs: number, flag = '--from-time'): number {
  const t = text.trim();
  if (/^\d+$/.test(t)) return Number(t);
  const d = parseDurationMs(t.replace(/^-/, ''));
  if (d !== null) return nowMs - d;
  if (/^\d{4}-\d{2}-\d{2}/.test(t)) {
    const ms = Date.parse(t);
    if (!Number.isNaN(ms)) return ms;
  }
  throw new UsageError(`${flag}: cannot read '${text}' as a time`, 'use epoch ms (1700000000000), an ISO date (2024-05-01T12:00:00Z) or a duration ago (2h, 30m, 1d)');
}
