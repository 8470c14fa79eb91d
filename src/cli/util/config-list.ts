/**
 * kafka-configs' `--add-config 'k1=v1,k2=[a,b],k3=v3'` syntax: commas separate entries
 * except inside square brackets, which group a value that itself contains commas.
 */
import { UsageError } from '../../util/errors.js';

export function parseAddConfig(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const entry of splitTopLevel(text)) {
    if (entry.trim() === '') continue;
    const eq = entry.indexOf('=');
    if (eq <= 0) {
      throw new UsageError(`--add-config entries must be key=value; got '${entry}'`, "group values with commas in brackets: 'k=[a,b]'");
    }
    let value = entry.slice(eq + 1).trim();
    if (value.startsWith('[') && value.endsWith(']')) value = value.slice(1, -1);
    out.set(entry.slice(0, eq).trim(), value);
  }
  return out;
}

function splitTopLevel(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '[') depth++;
    else if (c === ']') depth = Math.max(0, depth - 1);
    else if (c === ',' && depth === 0) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  if (depth !== 0) throw new UsageError(`unbalanced '[' in --add-config '${text}'`);
  out.push(text.slice(start));
  return out;
}

/** `--delete-config k1,k2` (repeatable). */
export function parseDeleteConfig(values: readonly string[]): string[] {
  return values.flatMap((v) => v.split(',')).map((k) => k.trim()).filter((k) => k !== '');
}
