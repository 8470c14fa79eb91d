/**
 * Key and value decoders for `dump-log --print-data-log`: the `--key-decoder-class` /
 * `--value-decoder-class` equivalents. Kafka's own decoder class names are accepted and
 * mapped to the same behaviour; kts adds hex, base64 and json.
 */
import { UsageError } from '../../util/errors.js';

export type PayloadDecoder = (bytes: Buffer) => string;

export const DECODER_NAMES = ['string', 'hex', 'base64', 'json', 'int', 'long'] as const;
export type DecoderName = (typeof DECODER_NAMES)[number];

const KAFKA_CLASSES: Record<string, DecoderName> = {
  'org.apache.kafka.tools.api.StringDecoder': 'string',
  'org.apache.kafka.tools.api.IntegerDecoder': 'int',
  'org.apache.kafka.tools.api.LongDecoder': 'long',
  'org.apache.kafka.tools.api.DefaultDecoder': 'hex',
  'kafka.serializer.StringDecoder': 'string',
  'kafka.serializer.IntegerDecoder': 'int',
  'kafka.serializer.LongDecoder': 'long',
  'kafka.serializer.DefaultDecoder': 'hex',
  StringDecoder: 'string',
  IntegerDecoder: 'int',
  LongDecoder: 'long',
  DefaultDecoder: 'hex',
};

/** The string decoder (Kafka's default); dump-log copies valid UTF-8 bytes instead of calling it. */
export const utf8Decoder: PayloadDecoder = (b) => b.toString('utf8');

const decoders: Record<DecoderName, PayloadDecoder> = {
  string: utf8Decoder,
  hex: (b) => b.toString('hex'),
  base64: (b) => b.toString('base64'),
  json: (b) => {
    const text = b.toString('utf8');
    try {
      return JSON.stringify(JSON.parse(text));
    } catch {
      return text;
    }
  },
  int: (b) => (b.length === 4 ? String(b.readInt32BE(0)) : `<${b.length} bytes, not an int32: ${b.toString('hex')}>`),
  long: (b) => (b.length === 8 ? b.readBigInt64BE(0).toString() : `<${b.length} bytes, not an int64: ${b.toString('hex')}>`),
};

/** Resolve a decoder by kts name or Kafka class name; '' means Kafka's default (string). */
export function resolveDecoder(name: string, flag: string): PayloadDecoder {
  const key = name === '' ? 'string' : (KAFKA_CLASSES[name] ?? name.toLowerCase());
  if (!(DECODER_NAMES as readonly string[]).includes(key)) {
    throw new UsageError(
      `unknown ${flag} '${name}'`,
      `use one of ${DECODER_NAMES.join(', ')} (or Kafka's StringDecoder, IntegerDecoder, LongDecoder, DefaultDecoder); custom Java classes cannot be loaded`,
    );
  }
  return decoders[key as DecoderName];
}
