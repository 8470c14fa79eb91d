/**
 * Record values for producer-perf-test: a fixed random payload of --record-size bytes
 * (uppercase letters, as Kafka's tool), one of the pieces of --payload-file picked at
 * random per record, or the record number as text (--payload-monotonic).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { KtsError, UsageError } from '../../util/errors.js';

/** The value of record `index`; `fixed` is set when every record has the same value. */
export type PayloadSource = ((index: number) => Buffer) & { fixed?: Buffer };

export function randomPayload(size: number): PayloadSource {
  const bytes = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) bytes[i] = 65 + Math.floor(Math.random() * 26);
  return Object.assign(() => bytes, { fixed: bytes });
}

export function filePayload(path: string, cwd: string, delimiter: string): PayloadSource {
  let text: string;
  try {
    text = readFileSync(resolve(cwd, path), 'utf8');
  } catch (err) {
    throw new KtsError('KTS_PAYLOAD_FILE', `Cannot read --payload-file ${path}: ${(err as Error).message}`);
  }
  const unescaped = delimiter.replace(/\\n/g, '\n').replace(/\\t/g, '\t').replace(/\\r/g, '\r');
  if (unescaped === '') throw new UsageError('--payload-delimiter must not be empty');
  const pieces = text
    .split(unescaped)
    .filter((p) => p !== '')
    .map((p) => Buffer.from(p, 'utf8'));
  if (pieces.length === 0) throw new KtsError('KTS_PAYLOAD_FILE', `File is empty: ${path}`);
  return () => pieces[Math.floor(Math.random() * pieces.length)]!;
}

export function monotonicPayload(): PayloadSource {
  return (index) => Buffer.from(String(index));
}
