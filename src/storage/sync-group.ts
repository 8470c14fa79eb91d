/**
 * Group fsync: work that touches thousands of files (creating 10,000 partitions, closing
 * them at shutdown) collects the paths it would fsync one by one and fsyncs them together,
 * many at once on libuv's threads. On a busy disk, concurrent fsyncs share journal commits:
 * several times faster than one after another, with the same durability once the group
 * has completed (callers acknowledge or write their markers only after that).
 */
import { close, fsync, fsyncSync, open } from 'node:fs';

let collecting: Set<string> | undefined;

/** fsync now, or, inside collectSyncs, remember the path for the group. */
export function syncFile(path: string, fd: () => number): void {
  if (collecting) collecting.add(path);
  else fsyncSync(fd());
}

/** True while a group is being collected (writers may then skip their own fsync). */
export function isCollectingSyncs(): boolean {
  return collecting !== undefined;
}

/** Add a path (a file, or a directory whose entries changed) to the group being collected. */
export function deferSync(path: string): void {
  collecting?.add(path);
}

/** Runs `fn` (synchronous) with every fsync it asks for collected instead of done. */
export function collectSyncs<T>(fn: () => T): { result: T; paths: string[] } {
  if (collecting) return { result: fn(), paths: [] }; // nested: the outer group syncs them
  const paths = new Set<string>();
  collecting = paths;
  try {
    return { result: fn(), paths: [...paths] };
  } finally {
    collecting = undefined;
  }
}

/** fsync every path, at most `concurrency` at a time (each holds a descriptor while it runs). */
export async function syncAll(paths: readonly string[], concurrency = 32): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < paths.length) await syncPath(paths[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, paths.length) }, worker));
}

function syncPath(path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    open(path, 'r', (err, fd) => {
      if (err) {
        // A file removed since (a segment deleted by retention) has nothing left to make durable.
        if (err.code === 'ENOENT') resolve();
        else reject(err);
        return;
      }
      fsync(fd, (syncErr) => close(fd, () => (syncErr && !isDirectoryFsyncRefusal(syncErr) ? reject(syncErr) : resolve())));
    });
  });
}

/** Some filesystems refuse fsync on a directory; the rename is still atomic there. */
function isDirectoryFsyncRefusal(err: NodeJS.ErrnoException): boolean {
  return err.code === 'EINVAL' || err.code === 'EISDIR';
}
