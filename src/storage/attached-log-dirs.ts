/**
 * Log dirs attached to a data dir: the in-process engine of a data dir (local mode) has no
 * server.properties, so the other log dirs its partitions may live in are recorded in the
 * data dir itself, `kts-log-dirs.json` (`{"version":1,"logDirs":["/disk2/kts"]}`, absolute
 * paths, the data dir not included). Whatever opens the data dir (a local command, or
 * `kts server-start` with it as its first log dir) opens those dirs too (LogManager.open).
 *
 * The attached dir says whose it is (`{"version":1,"logDirs":[],"attachedTo":"/data/kts"}`), so
 * that opening it alone as a data dir is refused rather than splitting the data dir in two.
 *
 * A dir is attached by a trusted AlterReplicaLogDirs naming it (the owner of the data dir:
 * the in-process transport or the data dir's Unix socket), and detached by
 * `kts log-dirs --detach-log-dir DIR` once no partition lives there.
 */
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { KtsError, UsageError } from '../util/errors.js';
import { writeFileAtomic } from './checkpoint.js';
import { LogDirLock } from './log-dir-lock.js';
import { parseFutureDirName } from './log-dir-move.js';
import { META_PROPERTIES } from './meta-properties.js';
import { parseTopicPartitionDir } from './partition-log.js';

export const ATTACHED_LOG_DIRS_FILE = 'kts-log-dirs.json';

/** The log dirs attached to `dataDir` (absolute paths), in the order they were attached. */
export function readAttachedLogDirs(dataDir: string): string[] {
  const path = join(dataDir, ATTACHED_LOG_DIRS_FILE);
  if (!existsSync(path)) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new KtsError('KTS_CORRUPT', `${path} is not valid JSON`, `It lists the other log dirs of ${dataDir}: restore it, or write {"version":1,"logDirs":["/other/dir"]} naming them.`, { cause: err });
  }
  const dirs = (parsed as { logDirs?: unknown }).logDirs;
  if (!Array.isArray(dirs) || !dirs.every((d): d is string => typeof d === 'string' && isAbsolute(d))) {
    throw new KtsError('KTS_CORRUPT', `${path} has no "logDirs" list of absolute paths`, `Restore it, or write {"version":1,"logDirs":["/other/dir"]} naming the other log dirs of ${dataDir}.`);
  }
  return dirs.map((d) => resolve(d));
}

export function writeAttachedLogDirs(dataDir: string, dirs: readonly string[]): void {
  writeFileAtomic(join(dataDir, ATTACHED_LOG_DIRS_FILE), `${JSON.stringify({ version: 1, logDirs: dirs }, null, 2)}\n`);
}

/** Mark `dir` as a log dir of `dataDir` (or, with undefined, as no longer one). */
export function markAttachedTo(dir: string, dataDir: string | undefined): void {
  if (dataDir === undefined) rmSync(join(dir, ATTACHED_LOG_DIRS_FILE), { force: true });
  else writeFileAtomic(join(dir, ATTACHED_LOG_DIRS_FILE), `${JSON.stringify({ version: 1, logDirs: [], attachedTo: dataDir }, null, 2)}\n`);
}

/** The data dir `dir` is attached to, if it is one's second disk. */
export function attachedTo(dir: string): string | undefined {
  try {
    const owner = (JSON.parse(readFileSync(join(dir, ATTACHED_LOG_DIRS_FILE), 'utf8')) as { attachedTo?: unknown }).attachedTo;
    return typeof owner === 'string' ? owner : undefined;
  } catch {
    return undefined;
  }
}

/** Opening a dir attached to another data dir as a data dir of its own is refused, unless that data dir is opened with it. */
export function checkNotAttachedElsewhere(first: string, logDirs: readonly string[]): void {
  const owner = attachedTo(first);
  if (owner === undefined || logDirs.includes(owner)) return;
  throw new KtsError(
    'KTS_ATTACHED_LOG_DIR',
    `${first} is a log dir of the data dir ${owner} (kts reassign added it there), not a data dir of its own`,
    `Use --data-dir ${owner}: it opens ${first} too. To make it independent, move its partitions back and run kts log-dirs --detach-log-dir ${first} --data-dir ${owner}.`,
  );
}

/**
 * An attached dir must be there with its meta.properties when the data dir is opened: a
 * missing one (an unmounted disk) would otherwise be recreated empty and its partitions
 * silently lost from view.
 */
export function checkAttachedLogDirPresent(dataDir: string, dir: string): void {
  const file = join(dataDir, ATTACHED_LOG_DIRS_FILE);
  if (!existsSync(join(dir, META_PROPERTIES))) {
    throw new KtsError(
      'KTS_LOG_DIR_MISSING',
      `Log dir ${dir} (attached to ${dataDir} in ${file}) ${existsSync(dir) ? 'has no meta.properties' : 'does not exist'}: is its disk mounted?`,
      `Mount it and run again. If its data is gone for good, remove it from ${file} (its partitions are lost).`,
    );
  }
}

function inside(parent: string, child: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/**
 * Why `dir` cannot become one more log dir beside `logDirs`, or undefined when it can: it
 * must be an absolute path outside the other log dirs (and not holding them), and either
 * missing, empty, or a log dir already (meta.properties; its cluster id is checked when it
 * is opened).
 */
export function attachProblem(dir: string, logDirs: readonly string[]): string | undefined {
  if (!isAbsolute(dir)) return `${dir} is not an absolute path (log dirs are absolute paths, as log.dirs lists them)`;
  const nested = logDirs.find((d) => inside(d, dir) || inside(dir, d));
  if (nested !== undefined) return `${dir} ${inside(nested, dir) ? 'is inside' : 'holds'} log dir ${nested}: log dirs must not nest`;
  if (!existsSync(dir)) return undefined;
  if (!statSync(dir).isDirectory()) return `${dir} is not a directory`;
  if (existsSync(join(dir, META_PROPERTIES))) return undefined;
  const entries = readdirSync(dir).filter((n) => n !== 'lost+found');
  if (entries.length > 0) return `${dir} is not empty and has no meta.properties, so it is not a log dir (it holds ${entries.slice(0, 3).join(', ')}${entries.length > 3 ? ', ...' : ''})`;
  return undefined;
}

/** Partition and future-log dirs in `dir` (what would be lost from view if it were detached). */
export function partitionDirsIn(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((name) => {
    if (name.endsWith('-delete') || name.endsWith('-stray')) return false;
    if (parseFutureDirName(name)) return true;
    return parseTopicPartitionDir(name) !== undefined && statSync(join(dir, name)).isDirectory();
  });
}

/**
 * Detach `dir` from `dataDir`, which no process may have open (its lock is taken for the
 * change): refused while partitions (or a move's future log) live there. Returns the
 * attached dirs left.
 */
export function detachLogDir(dataDir: string, dir: string, command: string): string[] {
  const home = resolve(dataDir);
  const target = resolve(dir);
  if (!existsSync(join(home, META_PROPERTIES))) throw new KtsError('KTS_NO_DATA_DIR', `No kts data in ${home}: nothing has been written there yet`);
  const lock = LogDirLock.acquire(home, command);
  try {
    const attached = readAttachedLogDirs(home);
    if (target === home) throw new UsageError(`${home} is the data dir itself, not a log dir attached to it`, 'Detach the other log dirs with --detach-log-dir <dir>.');
    if (!attached.includes(target)) {
      throw new UsageError(`${target} is not a log dir attached to ${home}${attached.length > 0 ? ` (attached: ${attached.join(', ')})` : ' (it has none)'}`);
    }
    const living = partitionDirsIn(target);
    if (living.length > 0) {
      const names = living.slice(0, 5).join(', ') + (living.length > 5 ? `, ... (${living.length} in all)` : '');
      throw new KtsError(
        'KTS_LOG_DIR_IN_USE',
        `Log dir ${target} still holds partitions of ${home}: ${names}`,
        `Move them to another log dir first (kts reassign --execute --data-dir ${home} with "log_dirs":["${home}"]), then detach it.`,
      );
    }
    const left = attached.filter((d) => d !== target);
    writeAttachedLogDirs(home, left);
    if (existsSync(target) && attachedTo(target) === home) markAttachedTo(target, undefined);
    return left;
  } finally {
    lock.release();
  }
}
