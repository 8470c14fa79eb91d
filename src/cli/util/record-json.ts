/**
 * The JSON line form of a record, written by `console-consumer --json` and read by
 * `console-producer --input-format json`, so the two pipe into each other losslessly.
 *
 *   {"topic":"t","partition":0,"offset":7,"timestamp":1700000000000,"timestampType":"CreateTime",
 *    "leaderEpoch":0,"key":"k","value":"v","headers":[{"key":"h","value":"x"}]}
 *
 * Bytes that are valid UTF-8 are written as JSON strings. Anything else is written as
 * base64 with a sibling field saying so: `"keyEncoding":"base64"`, `"valueEncoding":"base64"`,
 * and `"valueEncoding":"base64"` inside a header object. A null key, value or header value
 * is JSON null. On input, `partition` and `timestamp` are optional; topic, offset,
 * timestampType and leaderEpoch are ignored (the broker assigns them).
 */
import type { ConsoleRecord } from './record.js';
import type { ParsedHeader, ParsedRecord } from './line-reader.js';
import { BadLineError } from './line-reader.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The string for `b` and, when it is not valid UTF-8, the encoding used instead. */
export function encodeBytes(b: Buffer): { text: string; encoding?: 'base64' } {
  try {
    return { text: utf8.decode(b) };
  } catch {
    return { text: b.toString('base64'), encoding: 'base64' };
  }
}

export interface JsonRecord {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  timestampType: string;
  leaderEpoch?: number;
  key: string | null;
  keyEncoding?: 'base64';
  value: string | null;
  valueEncoding?: 'base64';
  headers: { key: string; value: string | null; valueEncoding?: 'base64' }[];
}

export function recordToJson(r: ConsoleRecord): JsonRecord {
  const out: JsonRecord = {
    topic: r.topic,
    partition: r.partition,
    offset: r.offset,
    timestamp: r.timestampMs,
    timestampType: r.timestampType,
    key: null,
    value: null,
    headers: [],
  };
  if (r.leaderEpoch >= 0) out.leaderEpoch = r.leaderEpoch;
  if (r.key !== null) {
    const k = encodeBytes(r.key);
    out.key = k.text;
    if (k.encoding) out.keyEncoding = k.encoding;
  }
  if (r.value !== null) {
    const v = encodeBytes(r.value);
    out.value = v.text;
    if (v.encoding) out.valueEncoding = v.encoding;
  }
  out.headers = r.headers.map((h) => {
    if (h.value === null) return { key: h.key, value: null };
    const v = encodeBytes(h.value);
    return v.encoding ? { key: h.key, value: v.text, valueEncoding: v.encoding } : { key: h.key, value: v.text };
  });
  return out;
}

/** Parse one JSON line into a record to produce; errors name the line number. */
export function parseJsonRecord(line: string, lineNumber: number): ParsedRecord {
  let obj: unknown;
  try {
    obj = JSON.parse(line);
  } catch (err) {
    throw new BadLineError(`Invalid JSON on line number ${lineNumber}: ${(err as Error).message}`, lineNumber);
  }
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
    throw new BadLineError(`Expected a JSON object on line number ${lineNumber}`, lineNumber);
  }
  const o = obj as Record<string, unknown>;
  const bad = (msg: string): never => {
    throw new BadLineError(`${msg} on line number ${lineNumber}`, lineNumber);
  };
  const rec: ParsedRecord = {
    key: decodeField(o.key, o.keyEncoding, 'key', bad),
    value: decodeField(o.value, o.valueEncoding, 'value', bad),
    headers: decodeHeaders(o.headers, bad),
  };
  if (o.partition !== undefined && o.partition !== null) {
    if (!Number.isInteger(o.partition) || (o.partition as number) < 0) bad('"partition" must be a non-negative integer');
    rec.partition = o.partition as number;
  }
  if (o.timestamp !== undefined && o.timestamp !== null) {
    if (!Number.isSafeInteger(o.timestamp)) bad('"timestamp" must be an integer (ms since the epoch)');
    rec.timestampMs = o.timestamp as number;
  }
  return rec;
}

function decodeField(v: unknown, encoding: unknown, name: string, bad: (m: string) => never): Buffer | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') bad(`"${name}" must be a string or null`);
  if (encoding === undefined || encoding === null || encoding === 'utf8') return Buffer.from(v as string, 'utf8');
  if (encoding === 'base64') {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(v as string)) bad(`"${name}" is not valid base64`);
    return Buffer.from(v as string, 'base64');
  }
  return bad(`unknown ${name}Encoding '${String(encoding)}' (use base64)`);
}

function decodeHeaders(v: unknown, bad: (m: string) => never): ParsedHeader[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) {
    // Also accept kcat's map form {"name":"value"}.
    if (typeof v === 'object') {
      return Object.entries(v as Record<string, unknown>).map(([key, value]) => ({ key, value: decodeField(value, undefined, 'header value', bad) }));
    }
    return bad('"headers" must be an array of {key, value}');
  }
  return v.map((h: unknown) => {
    if (typeof h !== 'object' || h === null || typeof (h as { key?: unknown }).key !== 'string') bad('each header needs a string "key"');
    const hh = h as { key: string; value?: unknown; valueEncoding?: unknown };
    return { key: hh.key, value: decodeField(hh.value, hh.valueEncoding, 'header value', bad) };
  });
}
