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
import { withZookeeper, zookeeperConnect, zookeeperOption } from '../util/zookeeper.js';
import { SCRAM_MAX_ITERATIONS, SCRAM_MIN_ITERATIONS, formatCredential, newCredential, parseCredential, type ScramMechanism } from '../../net/sasl/scram.js';
import type { KafkaZkClient } from '../../zk/index.js';
import type { Admin, ConfigAlteration, ConfigEntry, ConfigResource, KafkaClient, ScramAlteration } from '../../client/index.js';

type EntityType = 'topics' | 'brokers';

export const configsCommand: CommandSpec = {
  name: 'configs',
  mirrors: 'kafka-configs.sh',
  summary: 'Describe and alter topic, broker and user (SCRAM) configs',
  description:
    "--describe prints the dynamic configs of the entity (with --all, every config) as Kafka does: `  name=value sensitive=false synonyms={SOURCE:name=value, ...}`. --alter takes --add-config 'k1=v1,k2=[a,b]' (brackets group values with commas) and --delete-config k1,k2. Entities: --entity-type topics|brokers|users with --entity-name or --entity-default, or the shorthands --topic, --broker, --broker-defaults, --user. Users carry SCRAM credentials: --add-config 'SCRAM-SHA-256=[iterations=8192,password=secret]' (iterations default 4096; the password is salted and hashed before it leaves kts) and --delete-config SCRAM-SHA-256.",
  options: {
    ...connectionOptions,
    zookeeper: { ...zookeeperOption.zookeeper, describe: "Users only: read and write SCRAM credentials in the cluster's ZooKeeper (/config/users), as kafka-configs.sh --zookeeper does; works before any broker runs (e.g. the brokers' own inter-broker user)." },
    describe: { type: 'boolean', describe: 'Print the configs of the entity.' },
    alter: { type: 'boolean', describe: 'Change configs of the entity (--add-config, --add-config-file, --delete-config).' },
    all: { type: 'boolean', describe: 'With --describe: every config, not only the dynamic ones.' },
    'entity-type': { type: 'string', choices: ['topics', 'brokers', 'users'], describe: 'The kind of entity: topics, brokers or users.' },
    'entity-name': { type: 'string', placeholder: '<name>', describe: 'Topic name or broker id (default with --describe: every entity of the type).' },
    'entity-default': { type: 'boolean', describe: 'The cluster-wide default for brokers.' },
    topic: { type: 'string', placeholder: '<topic>', describe: 'Shorthand for --entity-type topics --entity-name <topic>.' },
    broker: { type: 'string', placeholder: '<id>', describe: 'Shorthand for --entity-type brokers --entity-name <id>.' },
    'broker-defaults': { type: 'boolean', describe: 'Shorthand for --entity-type brokers --entity-default.' },
    user: { type: 'string', placeholder: '<user>', describe: 'Shorthand for --entity-type users --entity-name <user>.' },
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
    ["kts configs --alter --entity-type users --entity-name alice --add-config 'SCRAM-SHA-256=[iterations=8192,password=alice-secret]'", 'give alice a SCRAM-SHA-256 credential'],
    ['kts configs --describe --entity-type users', 'the SCRAM mechanisms of every user'],
    ["kts configs --zookeeper localhost:2181 --alter --entity-type users --entity-name broker --add-config 'SCRAM-SHA-512=[password=broker-secret]'", 'the inter-broker user, before the brokers start'],
  ],
  async run(args, io) {
    const describe = args.describe === true;
    const alter = args.alter === true;
    if (describe === alter) throw new UsageError('Command must include exactly one action: --describe or --alter');
    const chosen = chooseEntity(args);
    const zookeeper = zookeeperConnect(args);
    if (zookeeper !== undefined && chosen.type !== 'users') {
      throw new UsageError(`--zookeeper is supported for --entity-type users only (SCRAM credentials); use --bootstrap-server for ${chosen.type}`);
    }
    if (chosen.type === 'users') return runUsers(args, io, alter, chosen.name, zookeeper);
    const entity = { type: chosen.type, name: chosen.name };
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

function chooseEntity(args: ParsedArgs): { type: EntityType | 'users'; name: string | undefined } {
  const picks: { type: EntityType | 'users'; name: string | undefined }[] = [];
  if (typeof args.topic === 'string') picks.push({ type: 'topics', name: args.topic });
  if (typeof args.broker === 'string') picks.push({ type: 'brokers', name: args.broker });
  if (args['broker-defaults'] === true) picks.push({ type: 'brokers', name: '' });
  if (typeof args.user === 'string') picks.push({ type: 'users', name: args.user });
  const et = args['entity-type'];
  if (et === 'topics' || et === 'brokers' || et === 'users') {
    if (args['entity-name'] !== undefined && args['entity-default'] === true) throw new UsageError('--entity-name and --entity-default cannot be combined');
    if (args['entity-default'] === true && et !== 'brokers') throw new UsageError(et === 'users' ? '--entity-default for users sets quota defaults, which kts does not support' : '--entity-default is only for brokers');
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

const SCRAM = /^SCRAM-SHA-(256|512)$/;

/**
 * Users: SCRAM credentials through Describe/AlterUserScramCredentials, with Kafka's texts
 * ("Completed updating config for user alice.", "SCRAM credential configs for
 * user-principal 'alice' are SCRAM-SHA-256=iterations=8192"). Quotas are refused.
 */
async function runUsers(args: ParsedArgs, io: CliIo, alter: boolean, user: string | undefined, zookeeper: string | undefined): Promise<number> {
  if (!alter) {
    for (const f of ['add-config', 'add-config-file', 'delete-config']) if (args[f] !== undefined) throw new UsageError(`--${f} can only be used with --alter`);
    if (zookeeper !== undefined) {
      const users = await withZookeeper(zookeeper, (zk) => zkScramUsers(zk, user));
      io.stdout.write(args.json === true ? JSON.stringify(users) + '\n' : renderScramUsers(users));
      return 0;
    }
    return withClient(args, io, clientConfig(args, io), async (client) => {
      const users = await client.admin.describeUserScramCredentials(user === undefined ? undefined : [user]);
      io.stdout.write(args.json === true ? JSON.stringify(users) + '\n' : renderScramUsers(users));
      return 0;
    });
  }
  if (user === undefined || user === '') throw new UsageError('--alter needs a user: --entity-name <user> or --user <user>');
  if (args['add-config-file'] !== undefined) throw new UsageError('--add-config-file is not supported for users; use --add-config with SCRAM-SHA-256=[iterations=...,password=...]');
  const alterations: ScramAlteration[] = [];
  if (typeof args['add-config'] === 'string') {
    for (const [key, value] of parseAddConfig(args['add-config'])) {
      if (!SCRAM.test(key)) throw new UsageError(`User config '${key}' is not supported: kts stores SCRAM credentials (SCRAM-SHA-256, SCRAM-SHA-512) for users, not quotas.`);
      const fields = new Map(value.split(',').map((kv) => [kv.slice(0, kv.indexOf('=')).trim(), kv.slice(kv.indexOf('=') + 1)] as const));
      const password = fields.get('password');
      if (password === undefined || password === '') throw new UsageError(`${key} needs a password: ${key}=[iterations=8192,password=<password>]`);
      const iterations = fields.has('iterations') ? Number(fields.get('iterations')) : 4096;
      if (!Number.isInteger(iterations)) throw new UsageError(`${key}: iterations must be an integer, got '${fields.get('iterations')}'`);
      alterations.push({ op: 'upsert', user, mechanism: key, iterations, password });
    }
  }
  for (const key of parseDeleteConfig(stringList(args['delete-config']))) {
    if (!SCRAM.test(key)) throw new UsageError(`User config '${key}' is not supported: only SCRAM-SHA-256 and SCRAM-SHA-512 can be deleted.`);
    alterations.push({ op: 'delete', user, mechanism: key });
  }
  if (alterations.length === 0) throw new UsageError('--alter needs --add-config or --delete-config');
  if (zookeeper !== undefined) {
    await withZookeeper(zookeeper, (zk) => zkAlterScram(zk, user, alterations));
    io.stdout.write(args.json === true ? JSON.stringify({ entityType: 'users', entityName: user, alterations: alterations.map((a) => ({ op: a.op, mechanism: a.mechanism })) }) + '\n' : `Completed updating config for entity: user-principal '${user}'.\n`);
    return 0;
  }
  return withClient(args, io, clientConfig(args, io), async (client) => {
    await client.admin.alterUserScramCredentials(alterations);
    io.stdout.write(args.json === true ? JSON.stringify({ entityType: 'users', entityName: user, alterations: alterations.map((a) => ({ op: a.op, mechanism: a.mechanism })) }) + '\n' : `Completed updating config for user ${user}.\n`);
    return 0;
  });
}

interface ScramUserView {
  user: string;
  credentials: { mechanism: string; iterations: number }[];
}

function renderScramUsers(users: readonly ScramUserView[]): string {
  return users
    .filter((u) => u.credentials.length > 0)
    .map((u) => `SCRAM credential configs for user-principal '${u.user}' are ${u.credentials.map((c) => `${c.mechanism}=iterations=${c.iterations}`).join(', ')}\n`)
    .join('');
}

/** The SCRAM mechanisms of /config/users/<user> (all users when `user` is undefined); never the keys. */
async function zkScramUsers(zk: KafkaZkClient, user: string | undefined): Promise<ScramUserView[]> {
  const names = user !== undefined ? [user] : (await zk.getEntityNames('users')).sort();
  const out: ScramUserView[] = [];
  for (const name of names) {
    const config = await zk.getEntityConfig('users', name);
    const credentials = Object.entries(config)
      .filter(([k]) => SCRAM.test(k))
      .map(([mechanism, text]) => ({ mechanism, iterations: parseCredential(text)?.iterations ?? -1 }));
    out.push({ user: name, credentials });
  }
  return out;
}

/**
 * Writes the credentials into /config/users/<user> with a change notification, as
 * kafka-configs.sh --zookeeper does (salted and hashed here; other keys of the user kept).
 */
async function zkAlterScram(zk: KafkaZkClient, user: string, alterations: readonly ScramAlteration[]): Promise<void> {
  const config = { ...(await zk.getEntityConfig('users', user)) };
  for (const a of alterations) {
    if (a.op === 'delete') {
      delete config[a.mechanism];
      continue;
    }
    if (a.iterations < SCRAM_MIN_ITERATIONS || a.iterations > SCRAM_MAX_ITERATIONS) {
      throw new UsageError(`${a.mechanism}: iterations must be between ${SCRAM_MIN_ITERATIONS} and ${SCRAM_MAX_ITERATIONS}, got ${a.iterations}`);
    }
    config[a.mechanism] = formatCredential(newCredential(a.mechanism as ScramMechanism, a.password, a.iterations));
  }
  await zk.setEntityConfig('users', user, config);
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
