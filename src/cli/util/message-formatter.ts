/**
 * console-consumer's default output: Kafka's DefaultMessageFormatter, field for field
 * (timestamp, partition, offset, epoch, headers, key, value, in that order, separated by
 * key.separator and ended by line.separator).
 */
import { UsageError } from '../../util/errors.js';
import { type Properties, propBoolean } from './properties.js';
import type { ConsoleRecord } from './record.js';
import { type Deserializer, deserializerFor } from './deserializers.js';

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
  keyDeserializer: Deserializer | null;
  valueDeserializer: Deserializer | null;
  headersDeserializer: Deserializer | null;
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
  'key.deserializer',
  'value.deserializer',
  'headers.deserializer',
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
    keyDeserializer: optionalDeserializer(props, 'key.deserializer'),
    valueDeserializer: optionalDeserializer(props, 'value.deserializer'),
    headersDeserializer: optionalDeserializer(props, 'headers.deserializer'),
  };
}

function optionalDeserializer(props: Properties, key: string): Deserializer | null {
  const name = props.get(key);
  return name === undefined ? null : deserializerFor(name.trim(), key);
}

function deserialize(d: Deserializer | null, bytes: Buffer | null): Buffer | null {
  return d === null ? bytes : d(bytes);
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
  if (cfg.printKey) fields.push(deserialize(cfg.keyDeserializer, r.key) ?? cfg.nullLiteral);
  if (cfg.printValue) fields.push(deserialize(cfg.valueDeserializer, r.value) ?? cfg.nullLiteral);
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
    parts.push(Buffer.from(`${h.key}:`), deserialize(cfg.headersDeserializer, h.value) ?? cfg.nullLiteral);
  });
  return Buffer.concat(parts);
}

export type FormatterKind = 'default' | 'logging' | 'noop';

const FORMATTER_CLASSES: Record<string, FormatterKind> = {
  DefaultMessageFormatter: 'default',
  LoggingMessageFormatter: 'logging',
  NoOpMessageFormatter: 'noop',
};
/** Kafka 4 moved the formatters; it still maps the old kafka.tools names onto the new ones. */
const FORMATTER_PACKAGES = ['org.apache.kafka.tools.consumer.', 'kafka.tools.', ''];

export const SUPPORTED_FORMATTERS: readonly string[] = Object.keys(FORMATTER_CLASSES).map((n) => FORMATTER_PACKAGES[0] + n);

/** The formatter a `--formatter` class name stands for. */
export function formatterKind(className: string): FormatterKind {
  for (const pkg of FORMATTER_PACKAGES) {
    if (!className.startsWith(pkg)) continue;
    const bare = className.slice(pkg.length);
    if (Object.hasOwn(FORMATTER_CLASSES, bare)) return FORMATTER_CLASSES[bare]!;
  }
  throw new UsageError(`unsupported --formatter class '${className}'`, `supported: ${SUPPORTED_FORMATTERS.join(', ')} (or their kafka.tools. names)`);
}

/** LoggingMessageFormatter's log line (it also prints the default format). */
export function loggingLine(r: ConsoleRecord): string {
  const ts = r.timestampType === 'NoTimestampType' ? '' : `${r.timestampType}:${r.timestampMs}, `;
  const str = (b: Buffer | null): string => (b === null ? 'null' : b.toString('utf8'));
  return `${ts}key:${str(r.key)}, value:${str(r.value)}`;
}
