/**
 * kcat-style format strings (`-f/--format`) for consuming and producing.
 *
 * Tokens: %t topic, %p partition, %o offset, %k key, %v (or %s) value, %h headers as
 * `name=value` pairs joined by `,`, %T timestamp (ms), %K key length, %S value length
 * (-1 for null), %% a literal percent. Escapes: \n \r \t \\ \xHH.
 *
 * For producing, the format must end with a literal (usually \n) that ends each record;
 * tokens must be separated by literals, and only %k %v %s %h %p %T %t are accepted there.
 */
import { UsageError } from '../../util/errors.js';
import { BadLineError, type ParsedRecord } from './line-reader.js';
import type { ConsoleRecord } from './record.js';

export type FormatToken = 't' | 'p' | 'o' | 'k' | 'v' | 'h' | 'T' | 'K' | 'S';
export type FormatPart = { literal: Buffer } | { token: FormatToken };

const TOKENS = new Set(['t', 'p', 'o', 'k', 'v', 's', 'h', 'T', 'K', 'S']);

/** Turn a format string into literal and token parts (adjacent literals merged). */
export function compileFormat(format: string): FormatPart[] {
  const parts: FormatPart[] = [];
  let lit: number[] = [];
  const flush = (): void => {
    if (lit.length > 0) parts.push({ literal: Buffer.from(lit) });
    lit = [];
  };
  const pushText = (s: string): void => {
    for (const b of Buffer.from(s, 'utf8')) lit.push(b);
  };
  for (let i = 0; i < format.length; i++) {
    const c = format[i]!;
    if (c === '%') {
      const n = format[i + 1];
      if (n === undefined) throw new UsageError(`format string ends with a lone '%': '${format}'`);
      i++;
      if (n === '%') {
        lit.push(0x25);
        continue;
      }
      if (!TOKENS.has(n)) throw new UsageError(`unknown format token '%${n}'`, 'tokens: %t %p %o %k %v %h %T %K %S %%');
      flush();
      parts.push({ token: (n === 's' ? 'v' : n) as FormatToken });
    } else if (c === '\\') {
      const n = format[i + 1];
      i++;
      switch (n) {
        case 'n':
          lit.push(0x0a);
          break;
        case 'r':
          lit.push(0x0d);
          break;
        case 't':
          lit.push(0x09);
          break;
        case '\\':
          lit.push(0x5c);
          break;
        case 'x': {
          const hex = format.slice(i + 1, i + 3);
          if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw new UsageError(`\\x needs two hex digits in format '${format}'`);
          lit.push(parseInt(hex, 16));
          i += 2;
          break;
        }
        default:
          throw new UsageError(`unknown escape '\\${n ?? ''}' in format '${format}'`, 'escapes: \\n \\r \\t \\\\ \\xHH');
      }
    } else {
      pushText(c);
    }
  }
  flush();
  return parts;
}

function headersText(r: ConsoleRecord): Buffer {
  const parts: Buffer[] = [];
  r.headers.forEach((h, i) => {
    if (i > 0) parts.push(Buffer.from(','));
    parts.push(Buffer.from(`${h.key}=`));
    if (h.value) parts.push(h.value);
  });
  return Buffer.concat(parts);
}

/** Render one consumed record with a compiled format. */
export function renderFormat(parts: readonly FormatPart[], r: ConsoleRecord): Buffer {
  const out: Buffer[] = [];
  for (const p of parts) {
    if ('literal' in p) {
      out.push(p.literal);
      continue;
    }
    switch (p.token) {
      case 't':
        out.push(Buffer.from(r.topic));
        break;
      case 'p':
        out.push(Buffer.from(String(r.partition)));
        break;
      case 'o':
        out.push(Buffer.from(String(r.offset)));
        break;
      case 'k':
        if (r.key) out.push(r.key);
        break;
      case 'v':
        if (r.value) out.push(r.value);
        break;
      case 'h':
        out.push(headersText(r));
        break;
      case 'T':
        out.push(Buffer.from(String(r.timestampMs)));
        break;
      case 'K':
        out.push(Buffer.from(String(r.key ? r.key.length : -1)));
        break;
      case 'S':
        out.push(Buffer.from(String(r.value ? r.value.length : -1)));
        break;
    }
  }
  return Buffer.concat(out);
}

export interface InputFormat {
  /** Ends each record in the input stream. */
  terminator: Buffer;
  /** The parts before the terminator. */
  fields: FormatPart[];
}

/** Check a format is usable for producing and split off its record terminator. */
export function compileInputFormat(format: string): InputFormat {
  const parts = compileFormat(format);
  const last = parts[parts.length - 1];
  if (!last || !('literal' in last)) {
    throw new UsageError(`an input format must end with a record delimiter such as \\n: '${format}'`);
  }
  const fields = parts.slice(0, -1);
  for (let i = 0; i < fields.length; i++) {
    const p = fields[i]!;
    if ('token' in p) {
      if (!['k', 'v', 'h', 'p', 'T', 't'].includes(p.token)) {
        throw new UsageError(`format token '%${p.token}' cannot be used for producing`, 'use %k %v %h %p %T %t');
      }
      const next = fields[i + 1];
      if (next && 'token' in next) throw new UsageError(`tokens %${p.token} and %${next.token} need a literal between them`);
    }
  }
  return { terminator: last.literal, fields };
}

/** Parse one input record (terminator already removed) with an input format. */
export function parseWithFormat(fmt: InputFormat, rec: Buffer, recordNumber: number): ParsedRecord {
  const out: ParsedRecord = { key: null, value: null, headers: [] };
  let pos = 0;
  const fail = (why: string): never => {
    throw new BadLineError(`Record ${recordNumber} does not match the input format: ${why}`, recordNumber);
  };
  for (let i = 0; i < fmt.fields.length; i++) {
    const p = fmt.fields[i]!;
    if ('literal' in p) {
      if (!rec.subarray(pos, pos + p.literal.length).equals(p.literal)) fail(`expected '${p.literal.toString()}' at byte ${pos}`);
      pos += p.literal.length;
      continue;
    }
    const next = fmt.fields[i + 1];
    let end = rec.length;
    if (next && 'literal' in next) {
      end = rec.indexOf(next.literal, pos);
      if (end === -1) fail(`missing '${next.literal.toString()}' after %${p.token}`);
    }
    assignToken(out, p.token, rec.subarray(pos, end), fail);
    pos = end;
  }
  if (pos !== rec.length) fail(`unexpected bytes after byte ${pos}`);
  return out;
}

function assignToken(out: ParsedRecord, token: FormatToken, bytes: Buffer, fail: (why: string) => never): void {
  switch (token) {
    case 'k':
      out.key = Buffer.from(bytes);
      return;
    case 'v':
      out.value = Buffer.from(bytes);
      return;
    case 't':
      out.topic = bytes.toString('utf8');
      return;
    case 'p': {
      const s = bytes.toString();
      if (!/^\d+$/.test(s)) fail(`partition '${s}' is not a number`);
      out.partition = Number(s);
      return;
    }
    case 'T': {
      const s = bytes.toString();
      if (!/^-?\d+$/.test(s)) fail(`timestamp '${s}' is not a number`);
      out.timestampMs = Number(s);
      return;
    }
    case 'h': {
      if (bytes.length === 0) return;
      for (const pair of bytes.toString('utf8').split(',')) {
        const eq = pair.indexOf('=');
        out.headers.push(eq === -1 ? { key: pair, value: null } : { key: pair.slice(0, eq), value: Buffer.from(pair.slice(eq + 1)) });
      }
      return;
    }
    default:
      fail(`token %${token} is output-only`);
  }
}
