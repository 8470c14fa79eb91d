/**
 * openClient: resolves where to talk (bootstrap servers, a running kts server on the data
 * dir, or the in-process engine) and builds the KafkaClient facade over one transport.
 */
import { join } from 'node:path';
import { homedir } from 'node:os';
import { KtsError } from '../util/errors.js';
import type { KafkaClient, OpenClientOptions } from './types.js';

/** --data-dir, else $KTS_DATA_DIR, else ${XDG_DATA_HOME:-$HOME/.local/share}/kts/data. */
export function defaultDataDir(env: Readonly<Record<string, string | undefined>> = process.env): string {
  if (env.KTS_DATA_DIR) return env.KTS_DATA_DIR;
  const base = env.XDG_DATA_HOME || join(env.HOME || homedir(), '.local', 'share');
  return join(base, 'kts', 'data');
}

export async function openClient(options: OpenClientOptions): Promise<KafkaClient> {
  void options;
  throw new KtsError('KTS_CONNECTION', 'The kts client is being built; openClient is not available in this commit');
}
