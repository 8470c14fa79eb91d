/**
 * Which files dump-log reads and how: the kind of a file from its name (the suffix rule
 * Kafka's tool uses, plus the text checkpoint files kts also decodes), and the expansion
 * of a partition directory or a whole log directory into its files, in segment order.
 */
import { readdir, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';

export type FileKind = 'log' | 'index' | 'timeindex' | 'txnindex' | 'snapshot' | 'kraft-snapshot' | 'checkpoint' | 'unknown';

const SUFFIX_KINDS: Record<string, FileKind> = {
  '.log': 'log',
  '.index': 'index',
  '.timeindex': 'timeindex',
  '.txnindex': 'txnindex',
  '.snapshot': 'snapshot',
  '.checkpoint': 'kraft-snapshot',
};

const DROPPED_TAIL = /\.log\.dropped-\d+-\d+$/;

export function fileKind(path: string): FileKind {
  const name = basename(path);
  if (name.endsWith('-checkpoint')) return 'checkpoint';
  // A tail cut by crash recovery (storage keeps it as <segment>.log.dropped-<offset>-<ms>).
  if (DROPPED_TAIL.test(name)) return 'log';
  const dot = name.lastIndexOf('.');
  if (dot < 0) return 'unknown';
  return SUFFIX_KINDS[name.slice(dot)] ?? 'unknown';
}

/** Base offset from a segment file name (`00000000000000000042.log` → 42); null when not numeric. */
export function baseOffsetOf(path: string): number | null {
  const prefix = basename(path).split('.')[0] ?? '';
  if (!/^-?\d+$/.test(prefix)) return null;
  const value = Number(prefix);
  return Number.isSafeInteger(value) ? value : null;
}

const KIND_ORDER: readonly FileKind[] = ['log', 'index', 'timeindex', 'txnindex', 'snapshot', 'kraft-snapshot', 'checkpoint'];

function orderKey(name: string): [number, number, string] {
  const kind = fileKind(name);
  const offset = baseOffsetOf(name);
  return [offset ?? Number.MAX_SAFE_INTEGER, KIND_ORDER.indexOf(kind), name];
}

function compareNames(a: string, b: string): number {
  const ka = orderKey(a);
  const kb = orderKey(b);
  return ka[0] - kb[0] || ka[1] - kb[1] || (ka[2] < kb[2] ? -1 : ka[2] > kb[2] ? 1 : 0);
}

/** Names are joined to `dir` as given (relative stays relative); reads resolve against `cwd`. */
async function knownFiles(cwd: string, dir: string): Promise<{ files: string[]; dirs: string[] }> {
  const entries = await readdir(resolve(cwd, dir), { withFileTypes: true });
  // Dropped tails are read when named, not as part of the partition they were cut from.
  const files = entries.filter((e) => e.isFile() && fileKind(e.name) !== 'unknown' && !DROPPED_TAIL.test(e.name)).map((e) => e.name).sort(compareNames);
  const dirs = entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
  return { files: files.map((f) => join(dir, f)), dirs: dirs.map((d) => join(dir, d)) };
}

/**
 * Expand `--files` arguments: a file stays as given; a partition directory becomes its
 * segment files; a log directory becomes its checkpoint files then each partition's files.
 */
export async function expandPaths(args: readonly string[], cwd: string): Promise<string[]> {
  const out: string[] = [];
  for (const arg of args) {
    const info = await stat(resolve(cwd, arg)).catch(() => null);
    if (info === null || !info.isDirectory()) {
      out.push(arg);
      continue;
    }
    const top = await knownFiles(cwd, arg);
    out.push(...top.files);
    for (const dir of top.dirs) out.push(...(await knownFiles(cwd, dir)).files);
  }
  return out;
}
