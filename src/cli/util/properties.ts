/**
 * Java `.properties` parsing for `--command-config`, `--producer.config`, `--reader-config`
 * and friends, plus the `k=v` pairs of `--command-property`/`--property`. Kafka's tools
 * read these with java.util.Properties, so comments, `=`/`:`/space separators, line
 * continuations and backslash escapes behave the same here.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { KtsError, UsageError, errorMessage } from '../../util/errors.js';

export type Properties = Map<string, string>;

/** Parse the text of a properties file; later keys win, as in java.util.Properties. */
export function parseProperties(text: string): Properties {
  const props: Properties = new Map();
  for (const logical of logicalLines(text)) {
    const { key, value } = splitEntry(logical);
    props.set(unescape(key), unescape(value));
  }
  return props;
}

/** Join continuation lines (an odd number of trailing backslashes) and drop comments and blanks. */
function logicalLines(text: string): string[] {
  const physical = text.split(/\r\n|\r|\n/);
  const out: string[] = [];
  let pending: string | null = null;
  for (const raw of physical) {
    const line: string = raw.replace(/^[ \t\f]+/, '');
    if (pending === null && (line === '' || line.startsWith('#') || line.startsWith('!'))) continue;
    const continued: boolean = trailingBackslashes(line) % 2 === 1;
    const body: string = continued ? line.slice(0, -1) : line;
    pending = (pending ?? '') + body;
    if (!continued) {
      out.push(pending);
      pending = null;
    }
  }
  if (pending !== null) out.push(pending);
  return out;
}

function trailingBackslashes(s: string): number {
  let n = 0;
  for (let i = s.length - 1; i >= 0 && s[i] === '\\'; i--) n++;
  return n;
}

/** The key ends at the first unescaped `=`, `:` or whitespace; the separator may be padded. */
function splitEntry(line: string): { key: string; value: string } {
  let i = 0;
  while (i < line.length) {
    const c = line[i]!;
    if (c === '\\') {
      i += 2;
      continue;
    }
    if (c === '=' || c === ':' || c === ' ' || c === '\t' || c === '\f') break;
    i++;
  }
  const key = line.slice(0, i);
  let j = i;
  while (j < line.length && /[ \t\f]/.test(line[j]!)) j++;
  if (j < line.length && (line[j] === '=' || line[j] === ':')) j++;
  while (j < line.length && /[ \t\f]/.test(line[j]!)) j++;
  return { key, value: line.slice(j) };
}

function unescape(s: string): string {
  return s.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_m, e: string) => {
    if (e.length === 5) return String.fromCharCode(parseInt(e.slice(1), 16));
    switch (e) {
      case 't':
        return '\t';
      case 'n':
        return '\n';
      case 'r':
        return '\r';
      case 'f':
        return '\f';
      default:
        return e;
    }
  });
}

/** Read a properties file named on the command line, relative to the working directory. */
export function readPropertiesFile(path: string, cwd: string, flag: string): Properties {
  let text: string;
  try {
    text = readFileSync(resolve(cwd, path), 'utf8');
  } catch (err) {
    throw new KtsError('KTS_CONFIG_FILE', `cannot read ${flag} file ${path}: ${errorMessage(err)}`, 'check the path and permissions');
  }
  return parseProperties(text);
}

/** `k=v` pairs from a repeatable flag; the value may contain `=`. */
export function parseKeyValuePairs(values: readonly string[], flag: string): Properties {
  const props: Properties = new Map();
  for (const item of values) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new UsageError(`${flag} expects key=value, got '${item}'`);
    props.set(item.slice(0, eq).trim(), item.slice(eq + 1));
  }
  return props;
}

/** Values of a repeatable string option as a list (yargs gives a string, an array, or undefined). */
export function stringList(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value.map((v) => String(v));
  return [String(value)];
}

/** Merge property maps; later maps win. */
export function mergeProperties(...maps: readonly Properties[]): Properties {
  const out: Properties = new Map();
  for (const m of maps) for (const [k, v] of m) out.set(k, v);
  return out;
}

/** A boolean property as Java's Boolean.parseBoolean reads it: only "true" (any case) is true. */
export function propBoolean(props: Properties, key: string, fallback: boolean): boolean {
  const v = props.get(key);
  return v === undefined ? fallback : v.trim().toLowerCase() === 'true';
}
