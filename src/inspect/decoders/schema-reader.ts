/**
 * Field readers for Kafka's generated message encodings (the JSON-schema messages), in
 * their classic or flexible (compact lengths + tagged fields) form, over a bounds-checked
 * cursor. Read-only: enough to print internal-topic and KRaft control records.
 */
import { ByteCursor } from '../../protocol/varint.js';

export type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

/** Field readers that know whether the message version is flexible (compact + tagged fields). */
export class SchemaReader {
  readonly c: ByteCursor;
  readonly flexible: boolean;
  constructor(buf: Buffer, flexible: boolean) {
    this.c = new ByteCursor(buf);
    this.flexible = flexible;
  }
  int8 = (): number => this.c.readInt8();
  int16 = (): number => this.c.readInt16();
  int32 = (): number => this.c.readInt32();
  int64 = (): number => this.c.readInt64();
  uint16 = (): number => this.c.readInt16() & 0xffff;
  /** A UUID as Kafka prints it: URL-safe base64 of its 16 bytes, no padding. */
  uuid = (): string => this.c.readBytes(16, 'uuid').toString('base64url');
  private length(): number {
    return this.flexible ? this.c.readUnsignedVarint() - 1 : this.c.readInt16();
  }
  nullableString(): string | null {
    const len = this.length();
    if (len < 0) return null;
    return this.c.readBytes(len, 'string').toString('utf8');
  }
  string(): string {
    const s = this.nullableString();
    if (s === null) this.c.fail('null string in a non-nullable field');
    return s;
  }
  bytes(): Buffer {
    const len = this.flexible ? this.c.readUnsignedVarint() - 1 : this.c.readInt32();
    if (len < 0) this.c.fail('null bytes in a non-nullable field');
    return this.c.readBytes(len, 'bytes');
  }
  /** Array length; -1 for null. Each element takes at least one byte, so bound by what is left. */
  arrayLength(): number {
    const len = this.flexible ? this.c.readUnsignedVarint() - 1 : this.c.readInt32();
    if (len > this.c.remaining) this.c.fail(`array of ${len} elements overruns the message`);
    return len;
  }
  /** Skip the tagged fields, returning those the caller asked for by tag. */
  taggedFields(): Map<number, Buffer> {
    const out = new Map<number, Buffer>();
    if (!this.flexible) return out;
    const n = this.c.readUnsignedVarint();
    for (let i = 0; i < n; i++) {
      const tag = this.c.readUnsignedVarint();
      const size = this.c.readUnsignedVarint();
      out.set(tag, this.c.readBytes(size, 'tagged field'));
    }
    return out;
  }
}

