/**
 * `kts acls`: kafka-acls.sh. Adds, removes and lists ACLs through CreateAcls, DeleteAcls
 * and DescribeAcls (or, with --authorizer-properties zookeeper.connect=..., in ZooKeeper), with Kafka's flags (--producer / --consumer / --idempotent shortcuts,
 * --resource-pattern-type, allow/deny principals and hosts), confirmation prompts (skipped
 * with --force) and AclCommand's output, or --json.
 */
import type { CommandSpec, CliIo, ParsedArgs } from '../command.js';
import { clientConfig, connectionOptions, jsonOption } from '../options/common.js';
import { withClient } from '../util/connect.js';
import { stringList } from '../util/properties.js';
import { UsageError } from '../../util/errors.js';
import {
  AclOperation, AclPermission, CLUSTER_NAME, PatternType, ResourceType, SUPPORTED_OPERATIONS, WILDCARD,
  operationName, parseOperation, resourceTypeName, type AclBinding, type AclBindingFilter,
} from '../../protocol/acl.js';
import { withZookeeper } from '../util/zookeeper.js';
import { zookeeperAclAdmin, zookeeperConnectOf, type AclAdmin } from '../util/zk-acls.js';
import { aclEntry, aclJson, groupByResource, renderAclList, renderResourceAcls, resourcePattern } from '../render/acls.js';

const list = (describe: string, placeholder: string) => ({ type: 'array', placeholder, describe }) as const;
const flag = (describe: string) => ({ type: 'boolean', describe }) as const;

export const aclsCommand: CommandSpec = {
  name: 'acls',
  mirrors: 'kafka-acls.sh',
  summary: 'Add, remove and list ACLs',
  description:
    'Manages the ACLs of a broker started with authorizer.class.name (kafka.security.authorizer.AclAuthorizer or org.apache.kafka.metadata.authorizer.StandardAuthorizer). Principals are Type:name (User:alice); hosts default to *; the operation defaults to All. The broker answers SECURITY_DISABLED when it has no authorizer.',
  options: {
    ...connectionOptions,
    add: flag('Add the ACLs described by the other flags.'),
    remove: flag('Remove matching ACLs (asks for confirmation unless --force).'),
    list: flag('List ACLs, of the given resources or all.'),
    topic: list('Topic resource (repeatable); * means every topic.', '<topic>'),
    group: list('Consumer group resource (repeatable); * means every group.', '<group>'),
    cluster: flag('The cluster resource.'),
    'transactional-id': list('Transactional id resource (repeatable); * means every id.', '<id>'),
    'delegation-token': list('Delegation token resource (repeatable).', '<token id>'),
    'user-principal': list('User resource, for CreateTokens/DescribeTokens ACLs (repeatable).', '<principal>'),
    'resource-pattern-type': {
      type: 'string',
      placeholder: '<type>',
      choices: ['ANY', 'MATCH', 'LITERAL', 'PREFIXED', 'any', 'match', 'literal', 'prefixed'],
      describe: 'LITERAL or PREFIXED when adding (default LITERAL); ANY or MATCH also filter --list and --remove (default ANY for --list).',
    },
    'allow-principal': list('Principal allowed (repeatable), e.g. User:alice.', '<principal>'),
    'deny-principal': list('Principal denied (repeatable).', '<principal>'),
    principal: list('With --list: only ACLs of this principal (repeatable).', '<principal>'),
    'allow-host': list('Host the allow-principals may connect from (default *).', '<host>'),
    'deny-host': list('Host the deny-principals are denied from (default *).', '<host>'),
    operation: list('Operation (repeatable): Read, Write, Create, Delete, Alter, Describe, ClusterAction, DescribeConfigs, AlterConfigs, IdempotentWrite, CreateTokens, DescribeTokens, All (default All).', '<operation>'),
    producer: flag('Shortcut for a producer: Write, Describe and Create on the topics (Write and Describe on --transactional-id).'),
    consumer: flag('Shortcut for a consumer: Read and Describe on the topics, Read on the --group.'),
    idempotent: flag('With --producer: also IdempotentWrite on the cluster.'),
    force: flag('Do not ask for confirmation.'),
    'authorizer-properties': {
      type: 'string',
      placeholder: 'zookeeper.connect=<host:port[/chroot]>',
      describe: "Instead of --bootstrap-server: read and write the ACLs in a ZooKeeper-mode cluster's ZooKeeper (/kafka-acl, /kafka-acl-extended), as kafka-acls.sh does; running brokers apply the change, and it works before any broker runs.",
    },
    ...jsonOption,
  },
  examples: [
    ['kts acls --add --allow-principal User:alice --operation Write --topic orders', 'let alice write to orders'],
    ['kts acls --add --allow-principal User:bob --consumer --topic logs- --resource-pattern-type PREFIXED --group bob-', 'let bob consume logs-* in groups bob-*'],
    ['kts acls --add --deny-principal User:mallory --operation Read --topic payroll', 'deny mallory reads of payroll (deny wins)'],
    ['kts acls --list --topic orders', 'list the ACLs of orders'],
    ['kts acls --remove --allow-principal User:alice --operation Write --topic orders --force', 'remove an ACL without asking'],
    ['kts acls --authorizer-properties zookeeper.connect=localhost:2181 --add --allow-principal User:alice --producer --topic orders', "straight into a ZooKeeper-mode cluster's ZooKeeper"],
  ],
  async run(args, io) {
    const actions = (['add', 'remove', 'list'] as const).filter((a) => args[a] === true);
    if (actions.length !== 1) throw new UsageError('Command must include exactly one action: --list, --add, --remove.', 'Example: kts acls --list');
    const action = actions[0]!;
    const plan = buildPlan(args, action);
    const act = (admin: AclAdmin): Promise<number> => {
      if (action === 'list') return listAcls(admin, plan, args, io);
      if (action === 'add') return addAcls(admin, plan, args, io);
      return removeAcls(admin, plan, args, io);
    };
    const authorizerProperties = args['authorizer-properties'];
    if (authorizerProperties !== undefined) {
      if (args['bootstrap-server'] !== undefined) throw new UsageError('Only one of --bootstrap-server or --authorizer-properties must be specified');
      return withZookeeper(zookeeperConnectOf(String(authorizerProperties)), (zk) => act(zookeeperAclAdmin(zk)));
    }
    return withClient(args, io, clientConfig(args, io), (client) => act(client.admin));
  },
};

interface Resource {
  resourceType: number;
  resourceName: string;
  patternType: number;
}

interface Plan {
  resources: Resource[];
  /** The ACL entries per resource (add), or the entries to match (remove; empty = all). */
  entries: Map<Resource, Omit<AclBinding, 'resourceType' | 'resourceName' | 'patternType'>[]>;
  principals: string[];
}

function patternTypeOf(args: ParsedArgs, action: string): number {
  const given = typeof args['resource-pattern-type'] === 'string' ? args['resource-pattern-type'].toUpperCase() : undefined;
  const type = given ?? (action === 'list' ? 'ANY' : 'LITERAL');
  if (action === 'add' && (type === 'ANY' || type === 'MATCH')) {
    throw new UsageError(`A '--resource-pattern-type' value of '${type}' is not valid when adding acls.`, 'Use LITERAL or PREFIXED.');
  }
  return PatternType[type as keyof typeof PatternType];
}

function buildPlan(args: ParsedArgs, action: 'add' | 'remove' | 'list'): Plan {
  const patternType = patternTypeOf(args, action);
  const resources: Resource[] = [];
  const push = (resourceType: number, names: string[]): void => {
    for (const resourceName of names) resources.push({ resourceType, resourceName, patternType });
  };
  const topics = stringList(args.topic);
  const groups = stringList(args.group);
  const txnIds = stringList(args['transactional-id']);
  push(ResourceType.TOPIC, topics);
  push(ResourceType.GROUP, groups);
  if (args.cluster === true) resources.push({ resourceType: ResourceType.CLUSTER, resourceName: CLUSTER_NAME, patternType: patternType === PatternType.PREFIXED ? PatternType.LITERAL : patternType });
  push(ResourceType.TRANSACTIONAL_ID, txnIds);
  push(ResourceType.DELEGATION_TOKEN, stringList(args['delegation-token']));
  push(ResourceType.USER, stringList(args['user-principal']));

  const producer = args.producer === true;
  const consumer = args.consumer === true;
  if ((producer || consumer) && action === 'list') throw new UsageError('--producer and --consumer go with --add or --remove, not --list.');
  if ((producer || consumer) && args.operation !== undefined) throw new UsageError('--operation cannot be combined with --producer or --consumer: they choose the operations.');
  if (args.idempotent === true && !producer) throw new UsageError('--idempotent goes with --producer.');
  if (consumer && (topics.length === 0 || groups.length === 0)) throw new UsageError('With --consumer you must specify a --topic and a --group.');
  if (producer && topics.length === 0 && txnIds.length === 0) throw new UsageError('With --producer you must specify a --topic or a --transactional-id.');
  if (action !== 'list' && resources.length === 0) {
    throw new UsageError('You must specify one of: --topic, --cluster, --group, --transactional-id, --delegation-token, --user-principal when trying to add/remove ACLs.');
  }
  if (producer && args.idempotent === true && args.cluster !== true) resources.push({ resourceType: ResourceType.CLUSTER, resourceName: CLUSTER_NAME, patternType: PatternType.LITERAL });

  const principals = [...stringList(args['allow-principal']), ...stringList(args['deny-principal'])];
  for (const p of [...principals, ...stringList(args.principal)]) {
    if (!/^[^:]+:.+$/.test(p)) throw new UsageError(`Invalid principal '${p}': expected Type:name.`, 'Example: --allow-principal User:alice');
  }
  if (action === 'add' && principals.length === 0) throw new UsageError('You must specify one of: --allow-principal, --deny-principal when trying to add ACLs.');
  if (stringList(args['allow-host']).length > 0 && stringList(args['allow-principal']).length === 0) throw new UsageError('--allow-host goes with --allow-principal.');
  if (stringList(args['deny-host']).length > 0 && stringList(args['deny-principal']).length === 0) throw new UsageError('--deny-host goes with --deny-principal.');

  const entries = new Map<Resource, Omit<AclBinding, 'resourceType' | 'resourceName' | 'patternType'>[]>();
  for (const r of resources) {
    const operations = operationsFor(args, r, producer, consumer);
    const out: Omit<AclBinding, 'resourceType' | 'resourceName' | 'patternType'>[] = [];
    const add = (permissionType: number, who: string[], hosts: string[]): void => {
      for (const principal of who) for (const host of hosts.length > 0 ? hosts : [WILDCARD]) for (const operation of operations) out.push({ principal, host, operation, permissionType });
    };
    add(AclPermission.ALLOW, stringList(args['allow-principal']), stringList(args['allow-host']));
    add(AclPermission.DENY, stringList(args['deny-principal']), stringList(args['deny-host']));
    entries.set(r, out);
  }
  return { resources, entries, principals: stringList(args.principal) };
}

function operationsFor(args: ParsedArgs, r: Resource, producer: boolean, consumer: boolean): number[] {
  const { TOPIC, GROUP, CLUSTER, TRANSACTIONAL_ID } = ResourceType;
  if (producer || consumer) {
    const ops: number[] = [];
    if (producer && r.resourceType === TOPIC) ops.push(AclOperation.WRITE, AclOperation.DESCRIBE, AclOperation.CREATE);
    if (producer && r.resourceType === TRANSACTIONAL_ID) ops.push(AclOperation.WRITE, AclOperation.DESCRIBE);
    if (producer && r.resourceType === CLUSTER && args.idempotent === true) ops.push(AclOperation.IDEMPOTENT_WRITE);
    if (consumer && r.resourceType === TOPIC) ops.push(AclOperation.READ, AclOperation.DESCRIBE);
    if (consumer && r.resourceType === GROUP) ops.push(AclOperation.READ);
    return [...new Set(ops)];
  }
  const names = stringList(args.operation);
  const ops = (names.length > 0 ? names : ['All']).map((name) => {
    const op = parseOperation(name);
    if (op === undefined || op < AclOperation.ALL) throw new UsageError(`Invalid operation '${name}'.`, 'Operations: Read, Write, Create, Delete, Alter, Describe, ClusterAction, DescribeConfigs, AlterConfigs, IdempotentWrite, CreateTokens, DescribeTokens, All.');
    return op;
  });
  const supported = SUPPORTED_OPERATIONS[r.resourceType] ?? [];
  const bad = ops.filter((op) => op !== AclOperation.ALL && !supported.includes(op));
  if (bad.length > 0) {
    throw new UsageError(`ResourceType ${resourceTypeName(r.resourceType)} only supports operations ${['All', ...supported.map(operationName)].join(',')}`);
  }
  return ops;
}

const filterOf = (r: Resource, principal: string | null = null): AclBindingFilter => ({
  resourceType: r.resourceType, resourceName: r.resourceName, patternType: r.patternType, principal, host: null, operation: AclOperation.ANY, permissionType: AclPermission.ANY,
});

async function addAcls(admin: AclAdmin, plan: Plan, args: ParsedArgs, io: CliIo): Promise<number> {
  const bindings: AclBinding[] = [];
  for (const r of plan.resources) {
    const entries = plan.entries.get(r)!;
    if (args.json !== true) io.stdout.write(renderResourceAcls('Adding ACLs', { ...r, acls: entries }));
    bindings.push(...entries.map((e) => ({ ...r, ...e })));
  }
  const errors = await admin.createAcls(bindings);
  const failed = errors.map((e, i) => (e ? `${aclEntry(bindings[i]!)} on ${resourcePattern(bindings[i]!)}: ${e.message}` : null)).filter((x): x is string => x !== null);
  if (failed.length > 0) throw new UsageError(`Error while adding ACLs: ${failed.join('; ')}`);
  return printCurrent(admin, plan, args, io, { added: groupByResource(bindings).map(aclJson) });
}

async function removeAcls(admin: AclAdmin, plan: Plan, args: ParsedArgs, io: CliIo): Promise<number> {
  const filters: AclBindingFilter[] = [];
  for (const r of plan.resources) {
    const entries = plan.entries.get(r)!;
    const question = entries.length === 0
      ? `Are you sure you want to delete all ACLs for resource filter \`${resourcePattern(r, true)}\`? (y/n)`
      : `Are you sure you want to remove ACLs: \n ${entries.map((e) => `\t${aclEntry(e)}`).join('\n')} \n from resource filter \`${resourcePattern(r, true)}\`? (y/n)`;
    if (args.force !== true && !(await confirm(io, question))) continue;
    if (entries.length === 0) filters.push(filterOf(r));
    else filters.push(...entries.map((e) => ({ ...filterOf(r, e.principal), host: e.host, operation: e.operation, permissionType: e.permissionType })));
  }
  const removed = filters.length > 0 ? (await admin.deleteAcls(filters)).flat() : [];
  return printCurrent(admin, plan, args, io, { removed: groupByResource(removed).map(aclJson) });
}

async function printCurrent(admin: AclAdmin, plan: Plan, args: ParsedArgs, io: CliIo, extra: Record<string, unknown>): Promise<number> {
  const current: AclBinding[] = [];
  for (const r of plan.resources) current.push(...(await admin.describeAcls(filterOf(r))));
  const resources = groupByResource(current);
  io.stdout.write(args.json === true ? JSON.stringify({ ...extra, current: resources.map(aclJson) }) + '\n' : renderAclList(resources));
  return 0;
}

async function listAcls(admin: AclAdmin, plan: Plan, args: ParsedArgs, io: CliIo): Promise<number> {
  const all = { resourceType: ResourceType.ANY, resourceName: null, patternType: PatternType.ANY, principal: null, host: null, operation: AclOperation.ANY, permissionType: AclPermission.ANY };
  const filters = plan.resources.length > 0 ? plan.resources.map((r) => filterOf(r)) : [all];
  const bindings: AclBinding[] = [];
  for (const f of filters) bindings.push(...(await admin.describeAcls(f)));
  if (args.json === true) {
    const keep = plan.principals.length > 0 ? bindings.filter((b) => plan.principals.includes(b.principal)) : bindings;
    io.stdout.write(JSON.stringify(groupByResource(keep).map(aclJson)) + '\n');
    return 0;
  }
  if (plan.principals.length === 0) {
    io.stdout.write(renderAclList(groupByResource(bindings)));
    return 0;
  }
  for (const principal of plan.principals) {
    io.stdout.write(`ACLs for principal \`${principal}\`\n`);
    io.stdout.write(renderAclList(groupByResource(bindings.filter((b) => b.principal === principal))));
  }
  return 0;
}

/** Kafka's confirmation: one line from stdin, y or yes (any case) confirms. */
async function confirm(io: CliIo, question: string): Promise<boolean> {
  io.stdout.write(`${question}\n`);
  const line = await new Promise<string>((resolve) => {
    let text = '';
    const onData = (chunk: Buffer | string): void => {
      text += chunk.toString();
      const nl = text.indexOf('\n');
      if (nl >= 0) finish(text.slice(0, nl));
    };
    const finish = (value: string): void => {
      io.stdin.off('data', onData);
      io.stdin.off('end', onEnd);
      io.stdin.pause();
      resolve(value);
    };
    const onEnd = (): void => finish(text);
    io.stdin.on('data', onData);
    io.stdin.on('end', onEnd);
    io.stdin.resume();
  });
  return /^y(es)?$/i.test(line.trim());
}
