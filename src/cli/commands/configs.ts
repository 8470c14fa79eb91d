/**
 * `kts configs`: kafka-configs.sh for topics and brokers. --describe prints the dynamic
 * configs (all of them with --all) in Kafka's format; --alter sets (--add-config,
 * --add-config-file) and removes (--delete-config) keys with IncrementalAlterConfigs.
 */
import type { CliIo, CommandSpec, ParsedArgs } from '../command.js';
import { clientConfig, connectionOptions, jsonOption } from '../options/common.js';
import { withClient } from '../util/connect.js';
import { parseAddConfig, parseDeleteConfig } from '../util/config-list.js';
import { readPropertiesFile, stringList } from '../util/properties.js';
import { type ConfigLine, type ConfigsView, renderAlterDone, renderConfigs } from '../render/configs.js';
import { UsageError } from '../../util/errors.js';
import type { Admin, ConfigAlteration, ConfigEntry, ConfigResource, KafkaClient } from '../../client/index.js';

type EntityType = 'topics' | 'brokers';

export const configsCommand: CommandSpec = {
  name: 'configs',
  mirrors: 'kafka-configs.sh',
  summary: 'Describe and alter topic and broker configs',
  description:
    "--describe prints the dynamic configs of the entity (with --all, every config) as Kafka does: `  name=value sensitive=false synonyms={SOURCE:name=value, ...}`. --alter takes --add-config 'k1=v1,k2=[a,b]' (brackets group values with commas) and --delete-config k1,k2. Entities: --entity-type topics|brokers with --entity-name or --entity-default, or the shorthands --topic, --broker, --broker-defaults.",
  options: {
    ...connectionOptions,
    describe: { type: 'boolean', describe: 'Print the configs of the entity.' },
    alter: { type: 'boolean', describe: 'Change configs of the entity (--add-config, --add-config-file, --delete-config).' },
    all: { type: 'boolean', describe: 'With --describe: every config, not only the dynamic ones.' },
    'entity-type': { type: 'string', choices: ['topics', 'brokers'], describe: 'The kind of entity: topics or brokers.' },
    'entity-name': { type: 'string', placeholder: '<name>', describe: 'Topic name or broker id (default with --describe: every entity of the type).' },
    'entity-default': { type: 'boolean', describe: 'The cluster-wide default for brokers.' },
    topic: { type: 'string', placeholder: '<topic>', describe: 'Shorthand for --entity-type topics --entity-name <topic>.' },
    broker: { type: 'string', placeholder: '<id>', describe: 'Shorthand for --entity-type brokers --entity-name <id>.' },
    'broker-defaults': { type: 'boolean', describe: 'Shorthand for --entity-type brokers --entity-default.' },
    'add-config': { type: 'string', placeholder: "<k1=v1,k2=[a,b]>", describe: 'Configs to set, comma-separated; square brackets group a value containing commas.' },
    'add-config-file': { type: 'string', placeholder: '<file>', describe: 'Properties file of configs to set.' },
    'delete-config': { type: 'array', placeholder: '<k1,k2>', describe: 'Config names to remove (comma-separated, repeatable).' },
    ...jsonOption,
  },
  examples: [
    ['kts configs --describe --topic orders', 'the dynamic configs of a topic'],
    ['kts configs --describe --all --entity-type brokers --entity-name 1', 'every config of broker 1'],
    ["kts configs --alter --topic orders --add-config 'retention.ms=86400000,cleanup.policy=[compact,delete]'", 'set two topic configs'],
    ['kts configs --alter --topic orders --delete-config retention.ms', 'back to the default retention'],
  ],
  async run(args, io) {
    const describe = args.describe === true;
    const alter = args.alter === true;
    if (describe === alter) throw new UsageError('Command must include exactly one action: --describe or --alter');
    const entity = chooseEntity(args);
    if (alter) {
      const alterations = alterationsFrom(args, io);
      if (entity.name === undefined) throw new UsageError('--alter needs an entity: --entity-name, --entity-default, --topic, --broker or --broker-defaults');
      return withClient(args, io, clientConfig(args, io), async (client) => {
        await client.admin.incrementalAlterConfigs(resourceOf(entity.type, entity.name!), alterations);
        io.stdout.write(args.json === true ? JSON.stringify({ entityType: entity.type, entityName: entity.name, alterations }) + '\n' : renderAlterDone(entity.type, entity.name!));
        return 0;
      });
    }
    for (const f of ['add-config', 'add-config-file', 'delete-config']) if (args[f] !== undefined) throw new UsageError(`--${f} can only be used with --alter`);
    return withClient(args, io, clientConfig(args, io), async (client) => {
      const views = await describeAll(client, entity.type, entity.name, args.all === true);
      io.stdout.write(args.json === true ? JSON.stringify(views) + '\n' : renderConfigs(views));
      return 0;
    });
  },
};

function chooseEntity(args: ParsedArgs): { type: EntityType; name: string | undefined } {
  const picks: { type: EntityType; name: string | undefined }[] = [];
  if (typeof args.topic === 'string') picks.push({ type: 'topics', name: args.topic });
  if (typeof args.broker === 'string') picks.push({ type: 'brokers', name: args.broker });
  if (args['broker-defaults'] === true) picks.push({ type: 'brokers', name: '' });
  const et = args['entity-type'];
  if (et === 'topics' || et === 'brokers') {
    if (args['entity-name'] !== undefined && args['entity-default'] === true) throw new UsageError('--entity-name and --entity-default cannot be combined');
    if (args['entity-default'] === true && et === 'topics') throw new UsageError('--entity-default is only for brokers');
    picks.push({ type: et, name: args['entity-default'] === true ? '' : (args['entity-name'] as string | undefined) });
  } else if (args['entity-name'] !== undefined || args['entity-default'] === true) {
    throw new UsageError('--entity-name and --entity-default need --entity-type');
  }
  if (picks.length !== 1) throw new UsageError('Name exactly one entity: --entity-type with --entity-name/--entity-default, or one of --topic, --broker, --broker-defaults');
  const pick = picks[0]!;
  if (pick.type === 'brokers' && pick.name !== undefined && pick.name !== '' && !/^\d+$/.test(pick.name)) {
    throw new UsageError(`The entity name for brokers must be a broker id, got '${pick.name}'`);
  }
  return pick;
}

function alterationsFrom(args: ParsedArgs, io: CliIo): ConfigAlteration[] {
  const sets = new Map<string, string>();
  if (typeof args['add-config'] === 'string') for (const [k, v] of parseAddConfig(args['add-config'])) sets.set(k, v);
  if (typeof args['add-config-file'] === 'string') {
    for (const [k, v] of readPropertiesFile(args['add-config-file'], io.cwd, '--add-config-file')) sets.set(k, v);
  }
  const deletes = parseDeleteConfig(stringList(args['delete-config']));
  const both = deletes.filter((k) => sets.has(k));
  if (both.length > 0) throw new UsageError(`Config(s) both added and deleted: ${both.join(',')}`);
  if (sets.size === 0 && deletes.length === 0) throw new UsageError('--alter needs --add-config, --add-config-file or --delete-config');
  return [...[...sets].map(([name, value]) => ({ name, op: 'set' as const, value })), ...deletes.map((name) => ({ name, op: 'delete' as const }))];
}

function resourceOf(type: EntityType, name: string): ConfigResource {
  return { type: type === 'topics' ? 'topic' : 'broker', name };
}

const DYNAMIC_SOURCE: Record<string, string> = {
  topic: 'DYNAMIC_TOPIC_CONFIG',
  broker: 'DYNAMIC_BROKER_CONFIG',
  default: 'DYNAMIC_DEFAULT_BROKER_CONFIG',
};

async function describeAll(client: KafkaClient, type: EntityType, name: string | undefined, all: boolean): Promise<ConfigsView[]> {
  const names = name !== undefined ? [name] : await entityNames(client.admin, type);
  const views: ConfigsView[] = [];
  for (const n of names) views.push(await describeOne(client.admin, type, n, all));
  return views;
}

async function entityNames(admin: Admin, type: EntityType): Promise<string[]> {
  if (type === 'topics') return (await admin.listTopics({ includeInternal: true })).sort();
  return (await admin.describeCluster()).brokers.map((b) => b.nodeId).sort((a, b) => a - b).map(String);
}

async function describeOne(admin: Admin, type: EntityType, name: string, all: boolean): Promise<ConfigsView> {
  const resource = resourceOf(type, name);
  const entries = await admin.describeConfigs(resource, { includeSynonyms: true });
  const wanted = DYNAMIC_SOURCE[type === 'topics' ? 'topic' : name === '' ? 'default' : 'broker'];
  const configs = entries
    .filter((e) => all || e.source === wanted)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map(configLine);
  return { entityType: type, entityName: name, all, configs };
}

function configLine(e: ConfigEntry): ConfigLine {
  return {
    name: e.name,
    value: e.isSensitive ? null : e.value,
    source: e.source,
    isSensitive: e.isSensitive,
    readOnly: e.readOnly,
    synonyms: e.synonyms.map((s) => ({ name: s.name, value: e.isSensitive ? null : s.value, source: s.source })),
  };
}
