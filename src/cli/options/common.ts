/**
 * Option groups shared by the client commands: where to connect (`--bootstrap-server`
 * or the local data dir), Kafka client config (`--command-config`, `--command-property`)
 * and `--json`. Commands spread these into their `options`.
 */
import type { OptionSpec, ParsedArgs, CliIo } from '../command.js';
import { type Properties, mergeProperties, parseKeyValuePairs, readPropertiesFile, stringList } from '../util/properties.js';

export const connectionOptions = {
  'bootstrap-server': {
    type: 'string',
    placeholder: '<host:port,...>',
    describe:
      'Kafka broker(s) to connect to. Without it (and without --data-dir): $KTS_BOOTSTRAP_SERVER, else the profile in effect (kts profile), else the local data dir: a kts server running on it, else the engine in-process.',
  },
  'data-dir': {
    type: 'string',
    placeholder: '<dir>',
    describe: 'Local data dir when no --bootstrap-server is given (default: $KTS_DATA_DIR, else ${XDG_DATA_HOME:-~/.local/share}/kts/data).',
  },
  'command-config': {
    type: 'string',
    placeholder: '<file>',
    describe: 'Properties file of Kafka client configs (client.id, request.timeout.ms, ...).',
  },
  'command-property': {
    type: 'array',
    placeholder: '<key=value>',
    describe: 'A Kafka client config as key=value (repeatable); wins over --command-config.',
  },
} as const satisfies Record<string, OptionSpec>;

export const jsonOption = {
  json: { type: 'boolean', describe: 'Print machine-readable JSON instead of Kafka\'s text format.' },
} as const satisfies Record<string, OptionSpec>;

/** Client config from the config files and key=value flags named, in order (later wins). */
export function clientConfig(
  args: ParsedArgs,
  io: CliIo,
  files: readonly string[] = ['command-config'],
  pairs: readonly string[] = ['command-property'],
): Properties {
  const maps: Properties[] = [];
  for (const flag of files) {
    const path = args[flag];
    if (typeof path === 'string' && path !== '') maps.push(readPropertiesFile(path, io.cwd, `--${flag}`));
  }
  for (const flag of pairs) maps.push(parseKeyValuePairs(stringList(args[flag]), `--${flag}`));
  return mergeProperties(...maps);
}

export function propsToRecord(p: Properties): Record<string, string> {
  return Object.fromEntries(p);
}
