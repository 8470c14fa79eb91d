/**
 * The console's history: a small on-disk time-series store, so charts cover days and survive
 * a restart of `kts ui` with no database to install. Two tiers of append-only JSON lines in
 * one directory:
 *   fine.jsonl    every sample (one per sampling interval), kept FINE_RETENTION_MS;
 *   coarse.jsonl  one sample per COARSE_STEP_MS (the last of each minute), kept coarseRetentionMs.
 * A line is `{"t":<ms>,"v":{"<series>":<number>,...}}`. Files are rewritten without expired
 * lines when they outgrow their share of `maxBytes` (and at open), so the store stays bounded;
 * a torn last line (crash mid-append) is skipped when read.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const FINE_RETENTION_MS = 6 * 3_600_000;
export const COARSE_STEP_MS = 60_000;
export const DEFAULT_COARSE_RETENTION_MS = 7 * 86_400_000;
export const DEFAULT_HISTORY_MAX_BYTES = 64 * 1024 * 1024;

export interface Sample {
  t: number;
  v: Record<string, number>;
}

export interface HistoryOptions {
  dir: string;
  maxBytes?: number;
  coarseRetentionMs?: number;
}

export interface SeriesPoints {
  /** Sample times (ms). */
  t: number[];
  /** One array per requested series, aligned with `t` (null where the series was absent). */
  values: Record<string, (number | null)[]>;
}

class Tier {
  samples: Sample[] = [];
  constructor(
    readonly path: string,
    readonly retentionMs: number,
    readonly maxBytes: number,
  ) {
    this.samples = readSamples(path);
  }

  append(sample: Sample, nowMs: number): void {
    this.samples.push(sample);
    appendFileSync(this.path, JSON.stringify(sample) + '\n');
    if (statSync(this.path).size > this.maxBytes) this.compact(nowMs);
  }

  /** Drops expired samples (and, if still too big, the oldest half) and rewrites the file. */
  compact(nowMs: number): void {
    this.samples = this.samples.filter((s) => s.t >= nowMs - this.retentionMs);
    let text = this.samples.map((s) => JSON.stringify(s) + '\n').join('');
    while (Buffer.byteLength(text) > this.maxBytes && this.samples.length > 1) {
      this.samples = this.samples.slice(Math.floor(this.samples.length / 2));
      text = this.samples.map((s) => JSON.stringify(s) + '\n').join('');
    }
    const tmp = `${this.path}.tmp`;
    writeFileSync(tmp, text);
    renameSync(tmp, this.path);
  }
}

function readSamples(path: string): Sample[] {
  if (!existsSync(path)) return [];
  const out: Sample[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line === '') continue;
    try {
      const s = JSON.parse(line) as Sample;
      if (typeof s.t === 'number' && s.v && typeof s.v === 'object') out.push(s);
    } catch {
      // a torn line from a crash mid-append: skipped
    }
  }
  return out.sort((a, b) => a.t - b.t);
}

export class HistoryStore {
  private readonly fine: Tier;
  private readonly coarse: Tier;
  /** The last sample not yet written to the coarse tier (its minute is still open). */
  private pendingCoarse: Sample | undefined;

  constructor(options: HistoryOptions, nowMs: number = Date.now()) {
    mkdirSync(options.dir, { recursive: true });
    const maxBytes = options.maxBytes ?? DEFAULT_HISTORY_MAX_BYTES;
    this.fine = new Tier(join(options.dir, 'fine.jsonl'), FINE_RETENTION_MS, Math.floor(maxBytes / 2));
    this.coarse = new Tier(join(options.dir, 'coarse.jsonl'), options.coarseRetentionMs ?? DEFAULT_COARSE_RETENTION_MS, Math.floor(maxBytes / 2));
    this.fine.compact(nowMs);
    this.coarse.compact(nowMs);
  }

  add(sample: Sample): void {
    this.fine.append(sample, sample.t);
    const minute = Math.floor(sample.t / COARSE_STEP_MS);
    if (this.pendingCoarse && Math.floor(this.pendingCoarse.t / COARSE_STEP_MS) !== minute) {
      this.coarse.append(this.pendingCoarse, sample.t);
    }
    this.pendingCoarse = sample;
  }

  /** Points of `series` since `sinceMs`: the fine tier where it reaches back that far, else coarse + fine. */
  query(series: readonly string[], sinceMs: number): SeriesPoints {
    const fineStart = this.fine.samples[0]?.t ?? Infinity;
    const picked: Sample[] = [];
    if (sinceMs < fineStart) for (const s of this.coarse.samples) if (s.t >= sinceMs && s.t < fineStart) picked.push(s);
    for (const s of this.fine.samples) if (s.t >= sinceMs) picked.push(s);
    const values: Record<string, (number | null)[]> = {};
    for (const name of series) values[name] = picked.map((s) => (name in s.v ? s.v[name]! : null));
    return { t: picked.map((s) => s.t), values };
  }

  /** Names of every series in the newest sample. */
  seriesNames(): string[] {
    const last = this.fine.samples[this.fine.samples.length - 1];
    return last ? Object.keys(last.v) : [];
  }
}
