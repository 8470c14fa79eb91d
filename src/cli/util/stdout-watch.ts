/**
 * Notices that whoever reads our stdout has gone while we write nothing: `kts
 * console-consumer | head -2` waiting for new records would otherwise only learn it from
 * the EPIPE of its next write, which may never come.
 *
 * - stdout a socket (a socketpair, as Node's child_process and others give): its read side
 *   ends when the peer closes it.
 * - stdout a pipe (a shell pipeline), on Linux: the processes holding its read end are found
 *   in /proc (the parent and its children first: the shell and the pipeline), then only
 *   their descriptors are looked at, once a second; when none holds it any more and a scan
 *   of every process finds no other reader, the pipe is closed. Readers that /proc does not
 *   show us (another user's) mean we never conclude anything.
 */
import { fstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';

const CHECK_INTERVAL_MS = 1000;

interface Reader {
  pid: string;
  fd: string;
}

/** Calls `onClosed` once when stdout's reader is gone; returns a function that stops watching. */
export function watchStdoutReader(stdout: NodeJS.WriteStream, onClosed: () => void): () => void {
  let stat;
  try {
    stat = fstatSync(1);
  } catch {
    return () => undefined;
  }
  if (stat.isSocket()) return watchSocket(stdout, onClosed);
  if (stat.isFIFO() && process.platform === 'linux') return watchPipe(`pipe:[${stat.ino}]`, onClosed);
  return () => undefined;
}

/** Node's stream handle, reached for its read side (the Writable stream hides it). */
interface StreamHandle {
  readStart?: () => number;
  readStop?: () => number;
  onread?: (buffer: ArrayBuffer | undefined) => void;
}

function watchSocket(stdout: NodeJS.WriteStream, onClosed: () => void): () => void {
  const handle = (stdout as unknown as { _handle?: StreamHandle })._handle;
  if (typeof handle?.readStart !== 'function') return () => undefined;
  // Nothing is ever sent to us on stdout: a read that ends (EOF or error) is the peer closing.
  handle.onread = (buffer) => {
    if (buffer === undefined) {
      handle.readStop?.();
      onClosed();
    }
  };
  if (handle.readStart() !== 0) return () => undefined;
  return () => handle.readStop?.();
}

function watchPipe(target: string, onClosed: () => void): () => void {
  let readers: Reader[] | null = null;
  const check = (): void => {
    readers ??= findReaders(target, familyPids());
    if (readers.length === 0) readers = findReaders(target, allPids());
    if (readers.length === 0) {
      // Nobody we can see reads it: say nothing rather than guess.
      clearInterval(timer);
      return;
    }
    readers = readers.filter((r) => holdsPipe(r, target));
    if (readers.length > 0) return;
    readers = findReaders(target, allPids());
    if (readers.length > 0) return;
    clearInterval(timer);
    onClosed();
  };
  const timer = setInterval(check, CHECK_INTERVAL_MS);
  timer.unref();
  // At once: the readers are there now (a fast `head` may be gone within the first second).
  check();
  return () => clearInterval(timer);
}

function familyPids(): string[] {
  const parent = String(process.ppid);
  let children: string[] = [];
  try {
    children = readFileSync(`/proc/${parent}/task/${parent}/children`, 'utf8').split(' ').filter((p) => p !== '');
  } catch {
    // Without CONFIG_PROC_CHILDREN the full scan finds them.
  }
  return [parent, ...children];
}

function allPids(): string[] {
  try {
    return readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return [];
  }
}

function findReaders(target: string, pids: readonly string[]): Reader[] {
  const out: Reader[] = [];
  const self = String(process.pid);
  for (const pid of pids) {
    if (pid === self) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) if (holdsPipe({ pid, fd }, target) && readsOnly({ pid, fd })) out.push({ pid, fd });
  }
  return out;
}

function holdsPipe(r: Reader, target: string): boolean {
  try {
    return readlinkSync(`/proc/${r.pid}/fd/${r.fd}`) === target;
  } catch {
    return false;
  }
}

/** A pipe end opened for reading (O_RDONLY in fdinfo's octal flags); writers do not count. */
function readsOnly(r: Reader): boolean {
  try {
    const flags = /flags:\s*([0-7]+)/.exec(readFileSync(`/proc/${r.pid}/fdinfo/${r.fd}`, 'utf8'));
    return flags !== null && (parseInt(flags[1]!, 8) & 3) === 0;
  } catch {
    return false;
  }
}
