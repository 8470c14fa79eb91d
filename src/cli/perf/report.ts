/**
 * The output lines of Kafka's perf tools, character for character: producer progress and
 * total lines (ProducerPerformance), the consumer CSV (ConsumerPerformance) and the
 * end-to-end latency summary (EndToEndLatency). Also a Java SimpleDateFormat subset for
 * consumer-perf-test's --date-format.
 */
import type { LatencySummary } from './histogram.js';
import { UsageError } from '../../util/errors.js';

const MB = 1024 * 1024;

export interface ThroughputWindow {
  records: number;
  bytes: number;
  elapsedMs: number;
}

function rates(w: ThroughputWindow): { recsPerSec: number; mbPerSec: number } {
  const secs = Math.max(w.elapsedMs, 1) / 1000;
  return { recsPerSec: w.records / secs, mbPerSec: w.bytes / MB / secs };
}

/** `N records sent, X records/sec (Y MB/sec), A ms avg latency, M ms max latency.` */
export function producerProgressLine(w: ThroughputWindow, avgMs: number, maxMs: number): string {
  const r = rates(w);
  return `${w.records} records sent, ${r.recsPerSec.toFixed(1)} records/sec (${r.mbPerSec.toFixed(2)} MB/sec), ${avgMs.toFixed(1)} ms avg latency, ${maxMs.toFixed(1)} ms max latency.`;
}

/** The final line; `label` is '' or 'steady state ' (warm-up excluded). Percentiles print as whole ms. */
export function producerTotalLine(w: ThroughputWindow, l: LatencySummary, label = ''): string {
  const r = rates(w);
  const ms = (v: number) => String(Math.trunc(v));
  return (
    `${w.records} ${label}records sent, ${r.recsPerSec.toFixed(6)} records/sec (${r.mbPerSec.toFixed(2)} MB/sec), ` +
    `${l.avgMs.toFixed(2)} ms avg latency, ${l.maxMs.toFixed(2)} ms max latency, ` +
    `${ms(l.p50Ms)} ms 50th, ${ms(l.p95Ms)} ms 95th, ${ms(l.p99Ms)} ms 99th, ${ms(l.p999Ms)} ms 99.9th.`
  );
}

const CONSUMER_EXTRA_COLUMNS = 'rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec';

export function consumerHeader(detailed: boolean): string {
  const first = detailed ? 'time, threadId' : 'start.time, end.time';
  return `${first}, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, ${CONSUMER_EXTRA_COLUMNS}`;
}

export interface ConsumerTotals {
  bytes: number;
  records: number;
  /** Whole run, start to end. */
  elapsedMs: number;
  rebalanceMs: number;
  /** elapsed minus the rebalance time. */
  fetchMs: number;
}

function div(a: number, b: number): number {
  return b === 0 ? (a === 0 ? Number.NaN : Number.POSITIVE_INFINITY) : a / b;
}

/** Java prints NaN and Infinity by name; keep that for the zero-time corner. */
function fixed4(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : '-Infinity';
  return v.toFixed(4);
}

function consumerColumns(t: ConsumerTotals, totalMb: number): string {
  const mb = t.bytes / MB;
  const secs = t.elapsedMs / 1000;
  const fetchSecs = t.fetchMs / 1000;
  return [
    fixed4(totalMb),
    fixed4(div(mb, secs)),
    String(t.records),
    fixed4(div(t.records, secs)),
    String(Math.trunc(t.rebalanceMs)),
    String(Math.trunc(t.fetchMs)),
    fixed4(div(mb, fetchSecs)),
    fixed4(div(t.records, fetchSecs)),
  ].join(', ');
}

export function consumerTotalLine(start: string, end: string, t: ConsumerTotals): string {
  return `${start}, ${end}, ${consumerColumns(t, t.bytes / MB)}`;
}

/** A --show-detailed-stats line: totals so far in MB, rates over the interval `t`. */
export function consumerIntervalLine(time: string, threadId: number, totalBytes: number, t: ConsumerTotals): string {
  return `${time}, ${threadId}, ${consumerColumns(t, totalBytes / MB)}`;
}

export function e2eSummaryLines(l: LatencySummary): string[] {
  return [`Avg latency: ${l.avgMs.toFixed(4)} ms`, `Percentiles: 50th = ${Math.trunc(l.p50Ms)}, 99th = ${Math.trunc(l.p99Ms)}, 99.9th = ${Math.trunc(l.p999Ms)}`];
}

type DateToken = { literal: string } | { field: string; width: number };

/** Compiles a Java SimpleDateFormat pattern (letters y M d H h m s S a E Z, quotes) to a formatter. */
export function compileDateFormat(pattern: string): (ms: number) => string {
  const tokens = tokenizeDate(pattern);
  return (ms) => {
    const d = new Date(ms);
    return tokens.map((t) => ('literal' in t ? t.literal : dateField(d, t.field, t.width))).join('');
  };
}

const DATE_FIELDS = new Set(['y', 'M', 'd', 'H', 'h', 'm', 's', 'S', 'a', 'E', 'Z']);
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

function tokenizeDate(pattern: string): DateToken[] {
  const out: DateToken[] = [];
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i]!;
    if (c === "'") {
      const end = pattern.indexOf("'", i + 1);
      if (end < 0) throw new UsageError(`Invalid --date-format '${pattern}': unterminated quote`);
      out.push({ literal: end === i + 1 ? "'" : pattern.slice(i + 1, end) });
      i = end + 1;
    } else if (/[A-Za-z]/.test(c)) {
      if (!DATE_FIELDS.has(c)) throw new UsageError(`Invalid --date-format '${pattern}': unsupported pattern letter '${c}'`);
      let j = i;
      while (pattern[j] === c) j++;
      out.push({ field: c, width: j - i });
      i = j;
    } else {
      out.push({ literal: c });
      i++;
    }
  }
  return out;
}

function pad(v: number, width: number): string {
  return String(v).padStart(width, '0');
}

function dateField(d: Date, field: string, width: number): string {
  switch (field) {
    case 'y':
      return width === 2 ? pad(d.getFullYear() % 100, 2) : pad(d.getFullYear(), width);
    case 'M':
      return pad(d.getMonth() + 1, width);
    case 'd':
      return pad(d.getDate(), width);
    case 'H':
      return pad(d.getHours(), width);
    case 'h':
      return pad(d.getHours() % 12 === 0 ? 12 : d.getHours() % 12, width);
    case 'm':
      return pad(d.getMinutes(), width);
    case 's':
      return pad(d.getSeconds(), width);
    case 'S':
      return pad(d.getMilliseconds(), width);
    case 'a':
      return d.getHours() < 12 ? 'AM' : 'PM';
    case 'E':
      return DAYS[d.getDay()]!;
    default:
      return zone(d);
  }
}

function zone(d: Date): string {
  const off = -d.getTimezoneOffset();
  const sign = off >= 0 ? '+' : '-';
  const a = Math.abs(off);
  return `${sign}${pad(Math.floor(a / 60), 2)}${pad(a % 60, 2)}`;
}

/** `--print-metrics` output: Kafka's two-column metric table. */
export function metricsTable(metrics: readonly (readonly [name: string, value: number])[]): string {
  const width = Math.max('Metric Name'.length, ...metrics.map(([n]) => n.length));
  const lines = [`${'Metric Name'.padEnd(width)}  Value`];
  for (const [n, v] of metrics) lines.push(`${n.padEnd(width)} : ${v.toFixed(3)}`);
  return lines.join('\n');
}
