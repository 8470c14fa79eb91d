/**
 * How many file descriptors this process may open: the soft "Max open files" limit of
 * `/proc/self/limits` (what `ulimit -n` shows). Undefined where the file does not exist
 * (not Linux) or says "unlimited".
 */
import { readFileSync } from 'node:fs';

let cached: number | null | undefined;

export function descriptorLimit(): number | undefined {
  if (cached === undefined) cached = readDescriptorLimit();
  return cached ?? undefined;
}

/** Parses the "Max open files  <soft>  <hard>  files" line of /proc/<pid>/limits text. */
export function parseDescriptorLimit(limitsText: string): number | null {
  const line = limitsText.split('\n').find((l) => l.startsWith('Max open files'));
  const soft = line?.slice('Max open files'.length).trim().split(/\s+/)[0];
  if (soft === undefined || !/^\d+$/.test(soft)) return null;
  return Number(soft);
}

function readDescriptorLimit(): number | null {
  try {
    return parseDescriptorLimit(readFileSync('/proc/self/limits', 'utf8'));
  } catch {
    return null;
  }
}
