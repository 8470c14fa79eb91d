/**
 * A minimal DER reader for the PKCS#12 files TLS settings load (see pkcs12.ts): tag, length
 * and content of each element, every length checked against the bytes left. BER's
 * indefinite lengths are refused (Java's keytool and OpenSSL write DER).
 */

export const DER_INTEGER = 0x02;
export const DER_OCTET_STRING = 0x04;
export const DER_NULL = 0x05;
export const DER_OID = 0x06;
export const DER_SEQUENCE = 0x30;
export const DER_SET = 0x31;
/** [0], constructed: an EXPLICIT context tag. */
export const DER_CONTEXT_0 = 0xa0;
/** [0], primitive: an IMPLICIT OCTET STRING. */
export const DER_CONTEXT_0_PRIMITIVE = 0x80;

export class DerError extends Error {}

export interface DerElement {
  /** The identifier octet (class, constructed bit and tag number; tag numbers above 30 are refused). */
  tag: number;
  content: Buffer;
}

/** The element at `offset` and where the next one starts. */
export function readElement(bytes: Buffer, offset = 0): { element: DerElement; next: number } {
  if (offset + 2 > bytes.length) throw new DerError(`truncated element at byte ${offset}`);
  const tag = bytes[offset]!;
  if ((tag & 0x1f) === 0x1f) throw new DerError(`multi-byte tag at byte ${offset}`);
  let length = bytes[offset + 1]!;
  let at = offset + 2;
  if (length === 0x80) throw new DerError(`indefinite length (BER) at byte ${offset}; expected DER`);
  if (length > 0x80) {
    const count = length & 0x7f;
    if (count > 4 || at + count > bytes.length) throw new DerError(`bad length at byte ${offset}`);
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + bytes[at + i]!;
    at += count;
  }
  if (at + length > bytes.length) throw new DerError(`element at byte ${offset} claims ${length} bytes, ${bytes.length - at} left`);
  return { element: { tag, content: bytes.subarray(at, at + length) }, next: at + length };
}

/** The one element `bytes` holds, of the expected tag (any tag when undefined). */
export function readOne(bytes: Buffer, tag: number | undefined, what: string): DerElement {
  const { element, next } = readElement(bytes);
  if (tag !== undefined && element.tag !== tag) throw new DerError(`${what}: expected tag 0x${tag.toString(16)}, found 0x${element.tag.toString(16)}`);
  if (next !== bytes.length) throw new DerError(`${what}: ${bytes.length - next} trailing bytes`);
  return element;
}

/** The elements inside a constructed element (a SEQUENCE, SET or explicit tag). */
export function children(element: DerElement): DerElement[] {
  const out: DerElement[] = [];
  let at = 0;
  while (at < element.content.length) {
    const { element: child, next } = readElement(element.content, at);
    out.push(child);
    at = next;
  }
  return out;
}

/** The child at `index`, of the expected tag. */
export function child(parent: DerElement, index: number, tag: number, what: string): DerElement {
  const found = children(parent)[index];
  if (!found) throw new DerError(`${what}: missing`);
  if (found.tag !== tag) throw new DerError(`${what}: expected tag 0x${tag.toString(16)}, found 0x${found.tag.toString(16)}`);
  return found;
}

export function oid(element: DerElement): string {
  if (element.tag !== DER_OID || element.content.length === 0) throw new DerError('expected an object identifier');
  const bytes = element.content;
  const parts: number[] = [];
  let value = 0;
  for (const b of bytes) {
    value = value * 128 + (b & 0x7f);
    if ((b & 0x80) === 0) {
      if (parts.length === 0) parts.push(value < 80 ? Math.floor(value / 40) : 2, value < 80 ? value % 40 : value - 80);
      else parts.push(value);
      value = 0;
    }
  }
  return parts.join('.');
}

/** A non-negative INTEGER that fits a JavaScript number (iteration counts, key lengths). */
export function smallInteger(element: DerElement, what: string): number {
  if (element.tag !== DER_INTEGER || element.content.length === 0 || element.content.length > 6) throw new DerError(`${what}: expected a small integer`);
  if (element.content[0]! & 0x80) throw new DerError(`${what}: negative`);
  let value = 0;
  for (const b of element.content) value = value * 256 + b;
  return value;
}
