/**
 * Opens the client for a command from the shared connection options and always closes it,
 * so an in-process engine is stopped cleanly even when the command fails.
 */
import { resolve } from 'node:path';
import { openClient, type KafkaClient } from '../../client/index.js';
import type { CliIo, ParsedArgs } from '../command.js';
import { mergeProperties, readPropertiesFile, type Properties } from './properties.js';
import { activeProfile } from './profiles.js';
import { withSpinner } from './tty.js';

/**
 * Where a command connects: --bootstrap-server; else --data-dir (local); else
 * $KTS_BOOTSTRAP_SERVER; else the profile in effect (kts profile); else the local data dir.
 */
export function resolveTarget(args: ParsedArgs, io: CliIo, config: Properties): { bootstrap: string | undefined; dataDir: string | undefined; config: Properties } {
  const dataDir = typeof args['data-dir'] === 'string' ? resolve(io.cwd, args['data-dir']) : undefined;
  if (typeof args['bootstrap-server'] === 'string') return { bootstrap: args['bootstrap-server'], dataDir, config };
  if (dataDir !== undefined) return { bootstrap: undefined, dataDir, config };
  const fromEnv = io.env.KTS_BOOTSTRAP_SERVER;
  if (fromEnv !== undefined && fromEnv.trim() !== '') return { bootstrap: fromEnv, dataDir, config };
  const active = activeProfile(io.env);
  if (!active) return { bootstrap: undefined, dataDir, config };
  const file = active.profile.commandConfig;
  const merged = file !== undefined && typeof args['command-config'] !== 'string' ? mergeProperties(readPropertiesFile(file, io.cwd, `profile ${active.name}`), config) : config;
  return { bootstrap: active.profile.bootstrapServer, dataDir, config: merged };
}

/**
 * Commands (and actions) that never write: on a data dir that does not exist they refuse
 * instead of creating an empty cluster there. Anything not listed may write.
 */
function onlyReads(args: ParsedArgs): boolean {
  const command = String(args._?.[0] ?? '');
  const has = (flag: string): boolean => args[flag] === true;
  switch (command) {
    case 'topics':
      return has('list') || has('describe');
    case 'console-consumer':
      return args.group === undefined;
    case 'consumer-groups':
      return has('list') || (has('describe') && !has('reset-offsets'));
    case 'configs':
      return has('describe');
    case 'get-offsets':
    case 'log-dirs':
    case 'consumer-perf-test':
    case 'broker-api-versions':
    case 'replica-verification':
      return true;
    case 'transactions':
      return ['list', 'describe', 'describe-producers', 'find-hanging'].includes(String(args.action));
    default:
      return false;
  }
}

export async function withClient<T>(args: ParsedArgs, io: CliIo, givenConfig: Properties, work: (client: KafkaClient) => Promise<T>): Promise<T> {
  const { bootstrap, dataDir, config } = resolveTarget(args, io, givenConfig);
  const client = await withSpinner(
    io,
    bootstrap ? `connecting to ${bootstrap}` : 'opening the local engine',
    openClient({
      bootstrapServer: bootstrap,
      dataDir,
      config: Object.fromEntries(config),
      env: io.env,
      missingDataDir: onlyReads(args) ? 'refuse' : 'create',
      onCreate: (dir) => io.stderr.write(`kts: creating a new data dir in ${dir}\n`),
    }),
  );
  try {
    return await work(client);
  } finally {
    await client.close();
  }
}
