/**
 * The security stores' files in the data dir (SCRAM credentials, ACLs): JSON written to a
 * temporary file, fsynced and renamed over the old one, so a crash leaves the old or the
 * new content, never a torn file.
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { KtsError, errorMessage } from '../../util/errors.js';

export function readJsonFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new KtsError('KTS_STORAGE', `Cannot read ${path}: ${errorMessage(err)}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new KtsError('KTS_STORAGE', `${path} is not valid JSON (${errorMessage(err)}).`, 'Restore it from a backup, or move it away to start without its entries.');
  }
}

export function writeJsonFile(path: string, value: unknown): void {
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, `${JSON.stringify(value, null, 2)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}
