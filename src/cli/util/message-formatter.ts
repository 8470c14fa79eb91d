/**
 * console-consumer's default output: Kafka's DefaultMessageFormatter, field for field
 * (timestamp, partition, offset, epoch, headers, key, value, in that order, separated by
 * key.separator and ended by line.separator).
 */
import { UsageError } from '../../util/errors.js';
import { type Properties, propBoolean } from './properties.js';
import type { ConsoleRecord } from './record.js';

export interface FormatterConfig {
  printTimestamp: boolean;
  printKey: boolean;
  printValue: boolean;
  printPartition: boolean;
  printOffset: boolean;
  printHeaders: boolean;
  printEpoch: boolean;
  keySeparator: Buffer;
  lineSeparator: Buffer;
  headersSeparator: Buffer;
  nullLiteral: Buffer;
}

const KNOWN = new Set([
  'print.timestamp',
  'print.key',
  'print.value',
  'print.partition',
  'print.offset',
  'print.headers',
  'print.epoch',
  'key.separator',
  'line.separator',
  'headers.separator',
  'null.literal',
]);

/** Formatter properties from `--property`/`--formatter-property`; unknown keys are refused. */
export function formatterConfig(props: Properties): FormatterConfig {
  for (const k of props.keys()) {
    if (!KNOWN.has(k)) {
      throw new UsageError(`unknown formatter property '${k}'`, `known: ${[...KNOWN].join(', ')}`);
    }
  }
  return {
    printTimestamp: propBoolean(props, 'print.timestamp', false),
    printKey: propBoolean(props, 'print.key', false),
    printValue: propBoolean(props, 'print.value', true),
    printPartition: propBoolean(props, 'print.partition', false),
    printOffset: propBoolean(props, 'print.offset', false),
    printHeaders: propBoolean(props, 'print.headers', false),
    printEpoch: propBoolean(props, 'print.epoch', false),
    keySeparator: Buffer.from(props.get('key.separator') ?? '\t'),
    lineSeparator: Buffer.from(props.get('line.separator') ?? '\n'),
    headersSeparator: Buffer.from(props.get('headers.separator') ?? ','),
    nullLiteral: Buffer.from(props.get('null.literal') ?? 'null'),
  };
}

/** One record as bytes, exactly as Kafka's formatter writes it. */
export function formatRecord(cfg: FormatterConfig, r: ConsoleRecord): Buffer {
  const fields: Buffer[] = [];
  if (cfg.printTimestamp) {
    fields.push(Buffer.from(r.timestampType === 'NoTimestampType' ? 'NO_TIMESTAMP' : `${r.timestampType}:${r.timestampMs}`));
  }
  if (cfg.printPartition) fields.push(Buffer.from(`Partition:${r.partition}`));
  if (cfg.printOffset) fields.push(Buffer.from(`Offset:${r.offset}`));
  if (cfg.printEpoch) fields.push(Buffer.from(r.leaderEpoch >= 0 ? `Epoch:${r.leaderEpoch}` : 'NOT_PRESENT'));
  if (cfg.printHeaders) fields.push(formatHeaders(cfg, r));
  if (cfg.printKey) fields.push(r.key ?? cfg.nullLiteral);
  if (cfg.printValue) fields.push(r.value ?? cfg.nullLiteral);
  const parts: Buffer[] = [];
  fields.forEach((f, i) => {
    if (i > 0) parts.push(cfg.keySeparator);
    parts.push(f);
  });
  parts.push(cfg.lineSeparator);
  return Buffer.concat(parts);
}

function formatHeaders(cfg: FormatterConfig, r: ConsoleRecord): Buffer {
  if (r.headers.length === 0) return Buffer.from('NO_HEADERS');
  const parts: Buffer[] = [];
  r.headers.forEach((h, i) => {
    if (i > 0) parts.push(cfg.headersSeparator);
    parts.push(Buffer.from(`${h.key}:`), h.value ?? cfg.nullLiteral);
  });
  return Buffer.concat(parts);
}
