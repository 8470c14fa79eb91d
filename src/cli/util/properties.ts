/**
 * Java `.properties` parsing for `--command-config`, `--producer.config`, `--reader-config`
 * and friends, plus the `k=v` pairs of `--command-property`/`--property`. Kafka's tools
 * read these with java.util.Properties, so comments, `=`/`:`/space separators, line
 * continuations and backslash escapes behave the same here.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { KtsError, UsageError, errorMessage } from '../../util/errors.js';
import { parseProperties as parseJavaProperties } from '../../util/java-properties.js';

export type Properties = Map<string, string>;

/** Parse the text of a properties file; later keys win, as in java.util.Properties. */
export function parseProperties(text: string, source = 'properties'): Properties {
  return new Map(parseJavaProperties(text, source).map((e) => [e.key, e.value]));
}

/** Read a properties file named on the command line, relative to the working directory. */
export function readPropertiesFile(path: string, cwd: string, flag: string): Properties {
  let text: string;
  try {
    text = readFileSync(resolve(cwd, path), 'utf8');
  } catch (err) {
    throw new KtsError('KTS_CONFIG_FILE', `cannot read ${flag} file ${path}: ${errorMessage(err)}`, 'check the path and permissions');
  }
  return parseProperties(text, path);
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
