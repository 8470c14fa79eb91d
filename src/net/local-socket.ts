/**
 * Local mode shared by several processes. The process that opens a data dir's engine owns
 * it and serves the other kts processes of this user over a Unix socket (the Kafka protocol,
 * as over TCP: local vs remote is only a transport). The socket lives in a private directory
 * of this user, not in the data dir: a command that only reads leaves the data dir exactly as
 * it was, not even an entry created and removed (issue 17).
 *
 * Ownership is a Linux abstract-namespace socket per log dir: binding it is atomic and the
 * kernel releases it when the process dies, even by SIGKILL, so two processes can never both
 * believe they own a log dir (the `.lock` file alone cannot tell a dead holder from a slow
 * one without a race). Other systems have no abstract sockets: there the `.lock` file is the
 * only guard.
 */
import { createHash } from 'node:crypto';
import { chmodSync, lstatSync, mkdirSync, realpathSync, rmSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { KtsError } from '../util/errors.js';

/** sun_path holds 108 bytes with its NUL (104 on macOS and the BSDs). */
const SOCKET_PATH_MAX_BYTES = 100;
/** A socket's name in its directory: a slash, 32 hex digits and `.sock`. */
const SOCKET_NAME_BYTES = 38;

function dirKey(logDir: string): string {
  let path = resolve(logDir);
  try {
    path = realpathSync(path);
  } catch {
    // Not created yet: the resolved path is its name.
  }
  return createHash('sha256').update(path).digest('hex').slice(0, 32);
}

/**
 * This user's directory of data sockets: `$XDG_RUNTIME_DIR/kts` (the session's private
 * runtime dir), else `<tmpdir>/kts-<uid>`, else `/tmp/kts-<uid>` when that path would be too
 * long for a socket. Every process sharing a data dir must see the same one.
 */
function socketDir(): string {
  const runtime = process.env['XDG_RUNTIME_DIR'];
  if (runtime !== undefined && isAbsolute(runtime)) return join(runtime, 'kts');
  const user = `kts-${process.getuid?.() ?? 'user'}`;
  const dir = join(tmpdir(), user);
  return Buffer.byteLength(dir) + SOCKET_NAME_BYTES <= SOCKET_PATH_MAX_BYTES ? dir : join('/tmp', user);
}

/** Where the owner of `logDir` listens for the other local processes: named from the dir's real path. */
export function localSocketPath(logDir: string): string {
  return join(socketDir(), `${dirKey(logDir)}.sock`);
}

/**
 * Checks (creating it, mode 0700, when `create` and missing) that the directory of the
 * socket `path` belongs to this user and is closed to group and others: a socket there is
 * trusted both ways (the owner trusts its peers as itself, a client sends its records to
 * whoever listens), so a directory another user could write is refused, never used.
 * Returns false when it does not exist (and was not to be created).
 */
export function checkLocalSocketDir(path: string, create: boolean): boolean {
  const dir = dirname(path);
  if (create) {
    try {
      mkdirSync(dir, { mode: 0o700 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  let st;
  try {
    st = lstatSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' && !create) return false;
    throw err;
  }
  const uid = process.getuid?.();
  const problem = !st.isDirectory()
    ? 'is not a directory (a symbolic link is refused too)'
    : uid !== undefined && st.uid !== uid
      ? `belongs to uid ${st.uid}, not to this user (uid ${uid})`
      : (st.mode & 0o077) !== 0
        ? `is open to group or others (mode ${(st.mode & 0o777).toString(8)})`
        : undefined;
  if (problem !== undefined) {
    throw new KtsError(
      'KTS_UNSAFE_SOCKET_DIR',
      `The local socket directory ${dir} ${problem}: kts will not share a data dir through it`,
      `Remove ${dir} (kts creates it again, mode 0700), or set XDG_RUNTIME_DIR or TMPDIR to a directory of your own.`,
    );
  }
  return true;
}

export interface DataDirOwnership {
  /** Whether this ownership excludes every other process (an abstract socket); false: the `.lock` file decides. */
  readonly exclusive: boolean;
  release(): Promise<void>;
}

/**
 * Takes the ownership of `logDir` (created when missing). Resolves null when another live
 * process owns it; on systems without abstract sockets resolves an ownership that guards
 * nothing (the `.lock` file decides).
 */
export async function acquireDataDirOwnership(logDir: string): Promise<DataDirOwnership | null> {
  if (process.platform !== 'linux') return { exclusive: false, release: async () => undefined };
  mkdirSync(logDir, { recursive: true });
  // It answers where its data socket is (ownerSocketPath): with this process's environment,
  // so that a command run with another XDG_RUNTIME_DIR or TMPDIR (cron, ssh) still finds it.
  const announced = `${localSocketPath(logDir)}\n`;
  const server = createServer((socket) => {
    socket.on('error', () => socket.destroy());
    socket.end(announced);
  });
  const bound = await new Promise<boolean>((resolvePromise, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => (err.code === 'EADDRINUSE' ? resolvePromise(false) : reject(err)));
    server.listen(`\0kts-owner-${dirKey(logDir)}`, () => resolvePromise(true));
  });
  if (!bound) return null;
  // The owner's lifetime is its command's: this socket must not keep a finished process alive.
  server.unref();
  return { exclusive: true, release: () => closeServer(server) };
}

/** Bytes an owner's answer may have: a path, short enough for a socket. */
const ANNOUNCE_MAX_BYTES = 1024;
const ANNOUNCE_TIMEOUT_MS = 2000;

/**
 * Where the owner of `logDir` says its data socket is (Linux: asked over the ownership
 * socket), or undefined when no process owns it, or it does not say (another system, an
 * older kts): the caller then uses localSocketPath. The answer is only a path: the caller
 * checks its directory (checkLocalSocketDir) before sending anything there.
 */
export async function ownerSocketPath(logDir: string): Promise<string | undefined> {
  if (process.platform !== 'linux') return undefined;
  return new Promise((resolvePromise) => {
    let text = '';
    const socket = connect(`\0kts-owner-${dirKey(logDir)}`);
    const done = (path: string | undefined): void => {
      clearTimeout(timer);
      socket.destroy();
      resolvePromise(path);
    };
    const timer = setTimeout(() => done(undefined), ANNOUNCE_TIMEOUT_MS);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      text += chunk;
      if (Buffer.byteLength(text) > ANNOUNCE_MAX_BYTES) done(undefined);
    });
    socket.on('end', () => {
      const path = text.trim();
      done(isAbsolute(path) && path.endsWith('.sock') && !path.includes('\n') ? path : undefined);
    });
    socket.on('error', () => done(undefined));
  });
}

/**
 * Takes the ownership of every log dir a process opens (a dir named twice, or through a
 * symbolic link, once): all of them, or none and the first dir another process owns.
 */
export async function acquireLogDirsOwnership(logDirs: readonly string[]): Promise<{ owned: DataDirOwnership } | { heldDir: string }> {
  const taken: DataDirOwnership[] = [];
  const keys = new Set<string>();
  for (const dir of logDirs) {
    const key = dirKey(dir);
    if (keys.has(key)) continue;
    keys.add(key);
    const ownership = await acquireDataDirOwnership(dir).catch(async (err: unknown) => {
      await Promise.all(taken.map((o) => o.release()));
      throw err;
    });
    if (!ownership) {
      await Promise.all(taken.map((o) => o.release()));
      return { heldDir: dir };
    }
    taken.push(ownership);
  }
  return {
    owned: {
      exclusive: taken.every((o) => o.exclusive),
      release: async () => {
        await Promise.all(taken.map((o) => o.release()));
      },
    },
  };
}

/**
 * Listens on `path` (a stale socket file from a dead owner is removed first: only the owner
 * calls this) and keeps it to this user (mode 0600, in a directory of mode 0700): requests
 * over it are trusted as the data dir owner's own, like the in-process transport's.
 */
export async function listenLocalSocket(path: string): Promise<Server> {
  checkLocalSocketDir(path, true);
  rmSync(path, { force: true });
  const server = createServer({ pauseOnConnect: false });
  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject);
    // The socket file is created by the bind inside listen(): born 0600, never open to others.
    const umask = process.umask(0o077);
    try {
      server.listen(path, () => {
        server.off('error', reject);
        resolvePromise();
      });
    } finally {
      process.umask(umask);
    }
  });
  chmodSync(path, 0o600);
  return server;
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolvePromise) => server.close(() => resolvePromise()));
}
