/**
 * `<first log dir>/kts-server.json`: written while a broker listens on a data dir so CLI
 * commands without --bootstrap-server can find it (after checking the pid is alive), and
 * `kts server-stop` can signal it. Removed on a graceful stop.
 */
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const SERVER_FILE = 'kts-server.json';

export interface ServerFile {
  pid: number;
  nodeId: number;
  listeners: string[];
  startedAt: string;
}

export function serverFilePath(logDir: string): string {
  return join(logDir, SERVER_FILE);
}

export function writeServerFile(logDir: string, info: ServerFile): void {
  const path = serverFilePath(logDir);
  writeFileSync(`${path}.tmp`, JSON.stringify(info, null, 2) + '\n');
  renameSync(`${path}.tmp`, path);
}

/** The file's content, or undefined when absent or unreadable. */
export function readServerFile(logDir: string): ServerFile | undefined {
  try {
    const parsed = JSON.parse(readFileSync(serverFilePath(logDir), 'utf8')) as Partial<ServerFile>;
    if (typeof parsed.pid !== 'number' || !Array.isArray(parsed.listeners)) return undefined;
    return {
      pid: parsed.pid,
      nodeId: typeof parsed.nodeId === 'number' ? parsed.nodeId : -1,
      listeners: parsed.listeners.filter((l): l is string => typeof l === 'string'),
      startedAt: typeof parsed.startedAt === 'string' ? parsed.startedAt : '',
    };
  } catch {
    return undefined;
  }
}

/** Removes the file only if it still names `pid` (a newer broker may have replaced it). */
export function removeServerFile(logDir: string, pid: number): void {
  const current = readServerFile(logDir);
  if (current && current.pid !== pid) return;
  rmSync(serverFilePath(logDir), { force: true });
}

export function isPidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A live broker on this data dir, or undefined (a stale file from a crashed broker is ignored). */
export function findRunningServer(logDir: string): ServerFile | undefined {
  const info = readServerFile(logDir);
  return info && isPidAlive(info.pid) ? info : undefined;
}
