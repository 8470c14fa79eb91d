/**
 * Exclusive lock of a log dir. Node has no flock, so the `.lock` file is created
 * exclusively and holds `{pid, host, command, startedAt}`; a lock left by a dead process
 * (same host) is stale and taken over. Apache Kafka leaves an empty `.lock` behind, which
 * is treated as stale too.
 */
import { closeSync, linkSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { KtsError } from '../util/errors.js';

export const LOCK_FILE = '.lock';

export interface LockHolder {
  pid: number;
  host: string;
  command: string;
  startedAt: string;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The holder named by `dir`'s lock file, if any. */
export function readLockHolder(dir: string): LockHolder | undefined {
  return readHolder(join(dir, LOCK_FILE));
}

/** The refusal of a held log dir, naming its holder when the lock file does. */
export function logDirLockedError(dir: string, holder: LockHolder | undefined): KtsError {
  // A local command that has only read holds a dir without a lock file (LogManagerOptions.lockAtFirstWrite).
  const who = holder ? `process ${holder.pid} on ${holder.host} (${holder.command}, since ${holder.startedAt})` : 'another process (starting up, or a local command that has only read it)';
  return new KtsError(
    'KTS_LOG_DIR_LOCKED',
    `log dir ${dir} is locked by ${who}`,
    'Only one process may open a data dir. Stop that process, or run `kts server-start` and point commands at it so they share one data dir.',
  );
}

function readHolder(path: string): LockHolder | undefined {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockHolder>;
    if (typeof parsed.pid !== 'number') return undefined;
    return { pid: parsed.pid, host: String(parsed.host ?? ''), command: String(parsed.command ?? ''), startedAt: String(parsed.startedAt ?? '') };
  } catch {
    return undefined;
  }
}

export class LogDirLock {
  private constructor(readonly path: string) {}

  /**
   * Take the lock of `dir`. `onStale` hears about a lock taken over from a dead process.
   * Throws KtsError KTS_LOG_DIR_LOCKED naming the live holder.
   *
   * The lock appears with its holder already in it (a hard link of a file written first),
   * so no other process ever reads a half-written lock and mistakes it for a stale one; a
   * stale lock is moved aside by rename, which only one of several processes taking it over
   * at once can do. On Linux the data dir's abstract socket (net/local-socket.ts) guards
   * ownership too; elsewhere this file is the only guard.
   */
  static acquire(dir: string, command: string, onStale: (message: string) => void = () => {}): LogDirLock {
    const path = join(dir, LOCK_FILE);
    const me: LockHolder = { pid: process.pid, host: hostname(), command, startedAt: new Date().toISOString() };
    const mine = `${path}.${process.pid}.tmp`;
    writeFileSync(mine, JSON.stringify(me));
    try {
      for (let attempt = 0; attempt < 3; attempt++) {
        if (createLockFrom(mine, path, me)) return new LogDirLock(path);
        const holder = readHolder(path);
        if (holder && holder.host === me.host && !pidAlive(holder.pid)) {
          onStale(`log dir ${dir}: removing stale lock of process ${holder.pid} (${holder.command}), which is no longer running`);
        } else if (holder) {
          throw logDirLockedError(dir, holder);
        } else {
          onStale(`log dir ${dir}: replacing a lock file without a kts holder (left by Apache Kafka or a crashed writer)`);
        }
        moveStaleLockAside(path, holder);
      }
    } finally {
      rmSync(mine, { force: true });
    }
    throw new KtsError('KTS_LOG_DIR_LOCKED', `could not lock log dir ${dir}: another process keeps taking the lock`);
  }

  release(): void {
    const holder = readHolder(this.path);
    if (holder && holder.pid === process.pid) rmSync(this.path, { force: true });
  }
}

/** Creates `path` holding `me` if it does not exist; false when it does. */
function createLockFrom(written: string, path: string, me: LockHolder): boolean {
  try {
    linkSync(written, path);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    // A file system without hard links: an exclusive create, written at once.
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw err;
  }
  try {
    const fd = openSync(path, 'wx');
    writeSync(fd, JSON.stringify(me));
    closeSync(fd);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return false;
  }
}

/**
 * Removes the stale lock read as `stale`. Renamed aside first: of several processes doing
 * this at once one gets it and the others find nothing; one that moved a lock another
 * process has just taken (not the stale one it read) puts it back.
 */
function moveStaleLockAside(path: string, stale: LockHolder | undefined): void {
  const aside = `${path}.stale-${process.pid}`;
  try {
    renameSync(path, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  const moved = readHolder(aside);
  const same = moved === undefined ? stale === undefined : stale !== undefined && moved.pid === stale.pid && moved.startedAt === stale.startedAt;
  try {
    if (!same) linkSync(aside, path);
  } catch {
    // Yet another lock was made meanwhile: it stands, and ours is refused at the next attempt.
  } finally {
    rmSync(aside, { force: true });
  }
}
