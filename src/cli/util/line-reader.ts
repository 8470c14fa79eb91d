/**
 * console-producer's input side: split stdin into records with bounded memory, and parse
 * each line the way Kafka's LineMessageReader does (parse.key, parse.headers, separators,
 * null.marker, ignore.error). Reading is pull-based, so a slow producer slows the reader.
 */
import type { Readable } from 'node:stream';
import { KtsError, UsageError } from '../../util/errors.js';
import { type Properties, propBoolean } from './properties.js';

export interface ParsedHeader {
  key: string;
  value: Buffer | null;
}

export interface ParsedRecord {
  key: Buffer | null;
  value: Buffer | null;
  headers: ParsedHeader[];
  /** Only set by input formats that carry them (JSON, format strings). */
  partition?: number;
  timestampMs?: number;
  topic?: string;
}

/** A line that does not parse: carries its 1-based line number. */
export class BadLineError extends KtsError {
  readonly lineNumber: number;
  constructor(message: string, lineNumber: number) {
    super('KTS_BAD_LINE', message);
    this.name = 'BadLineError';
    this.lineNumber = lineNumber;
  }
}

/** Longest record we accept from stdin; beyond it the input is refused instead of buffered. */
export const MAX_RECORD_BYTES = 64 * 1024 * 1024;

/**
 * Yield the pieces of `input` between occurrences of `delimiter` (the delimiter is
 * dropped; with `\n`, a trailing `\r` is dropped too, as Java's readLine does). A final
 * piece without a delimiter is yielded if non-empty.
 */
export async function* splitRecords(input: Readable, delimiter: Buffer = Buffer.from('\n'), maxBytes = MAX_RECORD_BYTES): AsyncGenerator<Buffer> {
  const stripCr = delimiter.length === 1 && delimiter[0] === 0x0a;
  let pending: Buffer = Buffer.alloc(0);
  for await (const chunk of input as AsyncIterable<Buffer | string>) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    let data = pending.length === 0 ? buf : Buffer.concat([pending, buf]);
    let searchFrom = Math.max(0, pending.length - delimiter.length + 1);
    let start = 0;
    for (let i = data.indexOf(delimiter, searchFrom); i !== -1; i = data.indexOf(delimiter, start)) {
      yield trimCr(data.subarray(start, i), stripCr);
      start = i + delimiter.length;
    }
    data = data.subarray(start);
    if (data.length > maxBytes) {
      throw new KtsError('KTS_RECORD_TOO_LARGE', `an input record is longer than ${maxBytes} bytes`, 'check the delimiter, or split the input');
    }
    // Copy so the retained tail does not pin the whole chunk.
    pending = Buffer.from(data);
    searchFrom = 0;
  }
  if (pending.length > 0) yield trimCr(pending, stripCr);
}

function trimCr(b: Buffer, stripCr: boolean): Buffer {
  return stripCr && b.length > 0 && b[b.length - 1] === 0x0d ? b.subarray(0, b.length - 1) : b;
}

export interface LineReaderConfig {
  parseKey: boolean;
  keySeparator: string;
  parseHeaders: boolean;
  headersDelimiter: string;
  headersSeparator: string;
  headersKeySeparator: string;
  ignoreError: boolean;
  nullMarker: string | null;
}

/** Build the reader config from `--property`/`--reader-property` values, validating like Kafka. */
export function lineReaderConfig(props: Properties): LineReaderConfig {
  const cfg: LineReaderConfig = {
    parseKey: propBoolean(props, 'parse.key', false),
    keySeparator: props.get('key.separator') ?? '\t',
    parseHeaders: propBoolean(props, 'parse.headers', false),
    headersDelimiter: props.get('headers.delimiter') ?? '\t',
    headersSeparator: props.get('headers.separator') ?? ',',
    headersKeySeparator: props.get('headers.key.separator') ?? ':',
    ignoreError: propBoolean(props, 'ignore.error', false),
    nullMarker: props.get('null.marker') ?? null,
  };
  const named: [string, string][] = [
    ['key.separator', cfg.keySeparator],
    ['headers.delimiter', cfg.headersDelimiter],
    ['headers.separator', cfg.headersSeparator],
    ['headers.key.separator', cfg.headersKeySeparator],
  ];
  for (const [name, v] of named) if (v === '') throw new UsageError(`${name} may not be empty`);
  const pairs: [number, number][] = [
    [1, 2],
    [1, 3],
    [2, 3],
  ];
  if (cfg.parseHeaders) {
    for (const [a, b] of pairs) {
      if (named[a]![1] === named[b]![1]) throw new UsageError(`${named[a]![0]} and ${named[b]![0]} may not be equal`);
    }
  }
  if (cfg.nullMarker !== null) {
    if (cfg.nullMarker === '') throw new UsageError('null.marker may not be empty');
    for (const [name, v] of named) {
      if (v === cfg.nullMarker) throw new UsageError(`null.marker and ${name} may not be equal`);
    }
  }
  return cfg;
}

/** Parse one line (without its terminator) into key, value and headers. */
export function parseLine(cfg: LineReaderConfig, line: string, lineNumber: number): ParsedRecord {
  const headersText = cut(cfg, cfg.parseHeaders, line, 0, cfg.headersDelimiter, 'headers delimiter', lineNumber);
  const headerOffset = headersText === null ? 0 : headersText.length + cfg.headersDelimiter.length;
  const keyText = cut(cfg, cfg.parseKey, line, headerOffset, cfg.keySeparator, 'key separator', lineNumber);
  const keyOffset = keyText === null ? 0 : keyText.length + cfg.keySeparator.length;
  const valueText = line.slice(headerOffset + keyOffset);
  const headers = headersText === null || headersText === cfg.nullMarker ? [] : splitHeaders(cfg, headersText, lineNumber);
  return { key: bytesOrNull(cfg, keyText), value: bytesOrNull(cfg, valueText), headers };
}

function cut(cfg: LineReaderConfig, enabled: boolean, line: string, from: number, sep: string, what: string, lineNumber: number): string | null {
  if (!enabled) return null;
  const at = line.indexOf(sep, from);
  if (at === -1) {
    if (cfg.ignoreError) return null;
    throw new BadLineError(`No ${what} found on line number ${lineNumber}: '${line}'`, lineNumber);
  }
  return line.slice(from, at);
}

function bytesOrNull(cfg: LineReaderConfig, text: string | null): Buffer | null {
  return text === null || text === cfg.nullMarker ? null : Buffer.from(text, 'utf8');
}

function splitHeaders(cfg: LineReaderConfig, text: string, lineNumber: number): ParsedHeader[] {
  return text.split(cfg.headersSeparator).map((pair) => {
    const at = pair.indexOf(cfg.headersKeySeparator);
    if (at === -1) {
      if (cfg.ignoreError) return { key: pair, value: null };
      throw new BadLineError(`No header key separator found in pair '${pair}' on line number ${lineNumber}`, lineNumber);
    }
    const key = pair.slice(0, at);
    if (key === cfg.nullMarker) {
      throw new BadLineError(`Header keys should not be equal to the null marker '${cfg.nullMarker}' as they can't be null (line number ${lineNumber})`, lineNumber);
    }
    return { key, value: bytesOrNull(cfg, pair.slice(at + cfg.headersKeySeparator.length)) };
  });
}
