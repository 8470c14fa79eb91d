/**
 * Local mode shared by several processes. The process that opens a data dir's engine owns
 * it and serves the other kts processes of this user over a Unix socket in the data dir
 * (the Kafka protocol, as over TCP: local vs remote is only a transport).
 *
 * Ownership is a Linux abstract-namespace socket named after the data dir: binding it is
 * atomic and the kernel releases it when the process dies, even by SIGKILL, so two
 * processes can never both believe they own a data dir (the `.lock` file alone cannot tell
 * a dead holder from a slow one without a race). Other systems have no abstract sockets:
 * there the `.lock` file is the only guard.
 */
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, realpathSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** The data socket's file name inside the first log dir. */
export const LOCAL_SOCKET_FILE = 'kts.sock';

/** sun_path holds 108 bytes with its NUL: longer paths go to a hashed name in the temp dir. */
const SOCKET_PATH_MAX_BYTES = 100;

function dirKey(logDir: string): string {
  let path = resolve(logDir);
  try {
    path = realpathSync(path);
  } catch {
    // Not created yet: the resolved path is its name.
  }
  return createHash('sha256').update(path).digest('hex').slice(0, 32);
}

/** Where the owner of `logDir` listens for the other local processes. */
export function localSocketPath(logDir: string): string {
  const inDir = join(resolve(logDir), LOCAL_SOCKET_FILE);
  if (Buffer.byteLength(inDir) <= SOCKET_PATH_MAX_BYTES) return inDir;
  return join(tmpdir(), `kts-${dirKey(logDir)}.sock`);
}

export interface DataDirOwnership {
  release(): Promise<void>;
}

/**
 * Takes the ownership of `logDir` (created when missing). Resolves null when another live
 * process owns it; on systems without abstract sockets resolves an ownership that guards
 * nothing (the `.lock` file decides).
 */
export async function acquireDataDirOwnership(logDir: string): Promise<DataDirOwnership | null> {
  if (process.platform !== 'linux') return { release: async () => undefined };
  mkdirSync(logDir, { recursive: true });
  const server = createServer((socket) => socket.destroy());
  const bound = await new Promise<boolean>((resolvePromise, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => (err.code === 'EADDRINUSE' ? resolvePromise(false) : reject(err)));
    server.listen(`\0kts-owner-${dirKey(logDir)}`, () => resolvePromise(true));
  });
  if (!bound) return null;
  // The owner's lifetime is its command's: this socket must not keep a finished process alive.
  server.unref();
  return { release: () => closeServer(server) };
}

/**
 * Listens on `path` (a stale socket file from a dead owner is removed first: only the owner
 * calls this) and keeps it to this user (mode 0600): requests over it are trusted as the
 * data dir owner's own, like the in-process transport's.
 */
export async function listenLocalSocket(path: string): Promise<Server> {
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
