/**
 * Named connection profiles (as rpk and kafkactl have): a bootstrap server list and an
 * optional client config file under a name, one of them current. Stored as JSON in
 * ${XDG_CONFIG_HOME:-~/.config}/kts/profiles.json; KTS_PROFILE picks one per shell.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { KtsError, UsageError } from '../../util/errors.js';

export interface Profile {
  bootstrapServer: string;
  /** A client properties file (--command-config) used when the command names none. */
  commandConfig?: string;
}

export interface ProfileStore {
  current: string | null;
  profiles: Record<string, Profile>;
}

type Env = Readonly<Record<string, string | undefined>>;

export function profilesPath(env: Env): string {
  const base = env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME !== '' ? env.XDG_CONFIG_HOME : join(env.HOME ?? homedir(), '.config');
  return join(base, 'kts', 'profiles.json');
}

export function readProfiles(env: Env): ProfileStore {
  const path = profilesPath(env);
  if (!existsSync(path)) return { current: null, profiles: {} };
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<ProfileStore>;
    return { current: typeof parsed.current === 'string' ? parsed.current : null, profiles: parsed.profiles ?? {} };
  } catch (err) {
    throw new KtsError('KTS_BAD_PROFILES', `${path} is not valid JSON: ${(err as Error).message}`, `Fix or remove ${path}`);
  }
}

/** Written to a temp file and renamed: a crash never leaves half a file. */
export function writeProfiles(env: Env, store: ProfileStore): void {
  const path = profilesPath(env);
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(store, null, 2) + '\n');
  renameSync(tmp, path);
}

/** The profile in effect: $KTS_PROFILE, else the current one; null when none is set. */
export function activeProfile(env: Env): { name: string; profile: Profile } | null {
  const fromEnv = env.KTS_PROFILE !== undefined && env.KTS_PROFILE !== '' ? env.KTS_PROFILE : null;
  const store = fromEnv !== null || existsSync(profilesPath(env)) ? readProfiles(env) : null;
  const name = fromEnv ?? store?.current ?? null;
  if (name === null || store === null) return null;
  const profile = store.profiles[name];
  if (!profile) {
    throw new UsageError(`Profile '${name}' does not exist${fromEnv !== null ? ' (from $KTS_PROFILE)' : ''}`, 'List them with kts profile list');
  }
  return { name, profile };
}
