/**
 * Kafka's record line for a v2 data record (not a control record), written straight from
 * the record's bytes into dump-log's output: the same text recordLine() in render-text.ts
 * builds from a RecordInfo, without the RecordInfo, the strings or the per-line write.
 * Deep iteration and --print-data-log spend nearly all their time on these lines.
 */
import type { RecordFields } from '../records/record-batch.js';
import type { TimestampTypeName } from './batch.js';
import { AsciiConst, DecimalCounter, DigitsCache, type ByteLines } from './byte-lines.js';
import { utf8Decoder, type PayloadDecoder } from './decoders/payload.js';

/** Key and value decoders of --print-data-log (--key-decoder-class, --value-decoder-class). */
export interface RecordDecoders {
  key: PayloadDecoder;
  value: PayloadDecoder;
}

/** Room for the metadata part of a line: its constants and five integers. */
const METADATA_BYTES = 256;

const TIMESTAMP_LABEL: Record<TimestampTypeName, string> = {
  CreateTime: ' CreateTime: ',
  LogAppendTime: ' LogAppendTime: ',
  NoTimestampType: ' NoTimestampType: ',
};
const KEY_SIZE = new AsciiConst(' keySize: ');
const VALUE_SIZE = new AsciiConst(' valueSize: ');
const SEQUENCE = new AsciiConst(' sequence: ');
const HEADER_KEYS = new AsciiConst(' headerKeys: [');
const KEY = new AsciiConst(' key: ');
const FIRST_KEY = new AsciiConst('| key: ');
const PAYLOAD = new AsciiConst(' payload: ');
const COMMA = 44;
const CLOSE = 93;
const NEWLINE = 10;

export class RecordTextWriter {
  private readonly out: ByteLines;
  private readonly skipRecordMetadata: boolean;
  private decoders: RecordDecoders | null = null;
  private readonly offsets = new DecimalCounter('| offset: ');
  /** The batch's timestamp label and the leading digits of its timestamps, and the last timestamp's text. */
  private readonly timestamps = new DigitsCache(6);
  private readonly lastTimestamp = new DecimalCounter();
  /**
   * Key and value sizes of the last record and whether it had no sequence (-1), and once
   * two records in a row shared them their text, up to the header keys' bracket then.
   */
  private keySize = -2;
  private valueSize = -2;
  private noSequence = false;
  private sizesText: AsciiConst | null = null;

  constructor(out: ByteLines, skipRecordMetadata: boolean) {
    this.out = out;
    this.skipRecordMetadata = skipRecordMetadata;
  }

  /** The batch the next records belong to; `decoders` null prints no key or payload. */
  beginBatch(timestampType: TimestampTypeName, decoders: RecordDecoders | null): void {
    this.timestamps.setPrefix(TIMESTAMP_LABEL[timestampType]);
    this.lastTimestamp.setPrefix(TIMESTAMP_LABEL[timestampType]);
    this.decoders = decoders;
  }

  /** One line for the record read into `f` (positions in `data`). */
  v2Record(f: RecordFields, data: Buffer, offset: number, timestamp: number, sequence: number): void {
    const out = this.out;
    // Header keys, key and value copied as they are fit in the record's own bytes (plus a comma per header).
    out.ensure(METADATA_BYTES + f.end - f.start + f.headerCount);
    if (!this.skipRecordMetadata) this.metadata(f, data, offset, timestamp, sequence);
    const decoders = this.decoders;
    if (decoders !== null) {
      if (f.keySize >= 0) {
        out.put(this.skipRecordMetadata ? FIRST_KEY : KEY);
        this.field(decoders.key, data, f.keyStart, f.keySize);
      }
      if (f.valueSize >= 0) {
        out.put(PAYLOAD);
        this.field(decoders.value, data, f.valueStart, f.valueSize);
      }
    }
    out.byte(NEWLINE);
  }

  private metadata(f: RecordFields, data: Buffer, offset: number, timestamp: number, sequence: number): void {
    const out = this.out;
    out.counted(offset, this.offsets);
    out.steppedInt(timestamp, this.timestamps, this.lastTimestamp);
    if (!this.sizesAndSequence(f.keySize, f.valueSize, sequence)) {
      out.int(sequence);
      out.put(HEADER_KEYS);
    }
    const spans = f.headerSpans;
    for (let i = 0; i < f.headerCount; i++) {
      if (i > 0) out.byte(COMMA);
      out.utf8(data, spans[4 * i]!, spans[4 * i]! + spans[4 * i + 1]!);
    }
    out.byte(CLOSE);
  }

  /**
   * " keySize: K valueSize: V sequence: ", from a cached text when sizes repeat (records
   * of a fixed size); with no sequence (-1) the cached text goes on to the header keys'
   * bracket, and true says so.
   */
  private sizesAndSequence(keySize: number, valueSize: number, sequence: number): boolean {
    const out = this.out;
    const noSequence = sequence === -1;
    if (keySize === this.keySize && valueSize === this.valueSize && noSequence === this.noSequence) {
      this.sizesText ??= new AsciiConst(` keySize: ${keySize} valueSize: ${valueSize} sequence: ${noSequence ? '-1 headerKeys: [' : ''}`);
      out.put(this.sizesText);
      return noSequence;
    }
    this.keySize = keySize;
    this.valueSize = valueSize;
    this.noSequence = noSequence;
    this.sizesText = null;
    out.put(KEY_SIZE);
    out.int(keySize);
    out.put(VALUE_SIZE);
    out.int(valueSize);
    out.put(SEQUENCE);
    return false;
  }

  private field(decoder: PayloadDecoder, data: Buffer, start: number, size: number): void {
    if (decoder === utf8Decoder) this.out.utf8(data, start, start + size);
    else this.out.text(decoder(data.subarray(start, start + size)));
  }
}
