/**
 * Java `.properties` syntax as java.util.Properties reads it: `key=value`, `key:value` or
 * `key value`; `#`/`!` comments; a trailing odd backslash continues the line (leading
 * whitespace of the next line dropped); escapes \t \n \r \f \uXXXX and `\x` → x; keys may
 * contain escaped separators. Returns entries in file order with their line numbers so
 * config errors can point at the line.
 */
import { KtsError } from './errors.js';

export interface PropertyEntry {
  key: string;
  value: string;
  line: number;
}

export function parseProperties(text: string, source = 'properties'): PropertyEntry[] {
  const lines = text.split(/\r\n|\r|\n/);
  const entries: PropertyEntry[] = [];
  for (let i = 0; i < lines.length; i++) {
    const startLine = i + 1;
    let logical = lines[i]!.replace(/^[ \t\f]+/, '');
    if (logical === '' || logical.startsWith('#') || logical.startsWith('!')) continue;
    while (endsWithContinuation(logical) && i + 1 < lines.length) {
      i++;
      logical = logical.slice(0, -1) + lines[i]!.replace(/^[ \t\f]+/, '');
    }
    if (endsWithContinuation(logical)) logical = logical.slice(0, -1);
    const { key, rest } = splitKey(logical);
    entries.push({ key: unescape(key, source, startLine), value: unescape(rest, source, startLine), line: startLine });
  }
  return entries;
}

function endsWithContinuation(line: string): boolean {
  let slashes = 0;
  for (let j = line.length - 1; j >= 0 && line[j] === '\\'; j--) slashes++;
  return slashes % 2 === 1;
}

function splitKey(line: string): { key: string; rest: string } {
  let j = 0;
  while (j < line.length) {
    const c = line[j]!;
    if (c === '\\') {
      j += 2;
      continue;
    }
    if (c === '=' || c === ':' || c === ' ' || c === '\t' || c === '\f') break;
    j++;
  }
  const key = line.slice(0, Math.min(j, line.length));
  let k = j;
  while (k < line.length && /[ \t\f]/.test(line[k]!)) k++;
  if (k < line.length && (line[k] === '=' || line[k] === ':')) k++;
  while (k < line.length && /[ \t\f]/.test(line[k]!)) k++;
  return { key, rest: line.slice(k) };
}

function unescape(s: string, source: string, line: number): string {
  if (!s.includes('\\')) return s;
  let out = '';
  for (let j = 0; j < s.length; j++) {
    const c = s[j]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const n = s[++j];
    if (n === undefined) break;
    if (n === 't') out += '\t';
    else if (n === 'n') out += '\n';
    else if (n === 'r') out += '\r';
    else if (n === 'f') out += '\f';
    else if (n === 'u') {
      const hex = s.slice(j + 1, j + 5);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
        throw new KtsError('KTS_CONFIG', `${source}:${line}: malformed \\uxxxx escape "\\u${hex}"`);
      }
      out += String.fromCharCode(parseInt(hex, 16));
      j += 4;
    } else out += n;
  }
  return out;
}
