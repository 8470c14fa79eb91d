/**
 * The ACL authorizer, with the semantics of Kafka's AclAuthorizer / StandardAuthorizer:
 * - super.users are allowed everything;
 * - the ACLs that apply to a resource are its LITERAL ones, the LITERAL wildcard `*` and
 *   every PREFIXED pattern the name starts with;
 * - none apply: allow.everyone.if.no.acl.found decides;
 * - a DENY that matches (principal or `User:*`, host or `*`, the operation or ALL) wins;
 * - otherwise an ALLOW must match; DESCRIBE is implied by READ, WRITE, DELETE and ALTER,
 *   DESCRIBE_CONFIGS by ALTER_CONFIGS.
 */
import type { AuthorizerConfig } from '../config.js';
import type { BrokerContext, RequestContext } from '../handler.js';
import { AclOperation, AclPermission, CLUSTER_NAME, PatternType, ResourceType, SUPPORTED_OPERATIONS, WILDCARD, type AclBinding } from '../../protocol/acl.js';
import { aclStoreOf } from './acl-store.js';

export interface Authorizer {
  /** True when `principal` connecting from `host` may perform `operation` on the resource. */
  authorize(principal: string, host: string, operation: number, resourceType: number, resourceName: string): boolean;
}

const IMPLIED: Readonly<Record<number, readonly number[]>> = {
  [AclOperation.DESCRIBE]: [AclOperation.DESCRIBE, AclOperation.READ, AclOperation.WRITE, AclOperation.DELETE, AclOperation.ALTER],
  [AclOperation.DESCRIBE_CONFIGS]: [AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS],
};

export function createAuthorizer(config: AuthorizerConfig, acls: () => readonly AclBinding[]): Authorizer {
  const superUsers = new Set(config.superUsers);
  let indexed: readonly AclBinding[] | undefined;
  let index: AclIndex | undefined;
  return {
    authorize(principal, host, operation, resourceType, resourceName) {
      if (superUsers.has(principal)) return true;
      const current = acls();
      if (current !== indexed || !index) [indexed, index] = [current, indexAcls(current)];
      const applicable = applicableAcls(index, resourceType, resourceName);
      if (applicable.length === 0) return config.allowEveryoneIfNoAclFound;
      const matches = (b: AclBinding, ops: readonly number[]): boolean =>
        (b.principal === principal || b.principal === 'User:*') && (b.host === host || b.host === WILDCARD) && (b.operation === AclOperation.ALL || ops.includes(b.operation));
      if (applicable.some((b) => b.permissionType === AclPermission.DENY && matches(b, [operation]))) return false;
      return applicable.some((b) => b.permissionType === AclPermission.ALLOW && matches(b, IMPLIED[operation] ?? [operation]));
    },
  };
}

/**
 * ACLs by resource, so a check costs a few map lookups however many ACLs there are: literal
 * patterns by type and name, prefixed ones by type and prefix, with the prefix lengths in use
 * per type (a name is looked up only at those lengths).
 */
interface AclIndex {
  literal: Map<string, AclBinding[]>;
  prefixed: Map<string, AclBinding[]>;
  prefixLengths: Map<number, number[]>;
}

const indexKey = (resourceType: number, name: string): string => `${resourceType}\0${name}`;

function indexAcls(acls: readonly AclBinding[]): AclIndex {
  const index: AclIndex = { literal: new Map(), prefixed: new Map(), prefixLengths: new Map() };
  for (const b of acls) {
    const map = b.patternType === PatternType.LITERAL ? index.literal : b.patternType === PatternType.PREFIXED ? index.prefixed : undefined;
    if (!map) continue;
    const key = indexKey(b.resourceType, b.resourceName);
    let list = map.get(key);
    if (!list) map.set(key, (list = []));
    list.push(b);
    if (map === index.prefixed) {
      const lengths = index.prefixLengths.get(b.resourceType) ?? [];
      if (!lengths.includes(b.resourceName.length)) index.prefixLengths.set(b.resourceType, [...lengths, b.resourceName.length]);
    }
  }
  return index;
}

/** The ACLs that apply to a resource: its literal ones, the literal wildcard `*`, every prefix of its name. */
function applicableAcls(index: AclIndex, resourceType: number, name: string): AclBinding[] {
  const out = [...(index.literal.get(indexKey(resourceType, name)) ?? [])];
  if (name !== WILDCARD) out.push(...(index.literal.get(indexKey(resourceType, WILDCARD)) ?? []));
  for (const length of index.prefixLengths.get(resourceType) ?? []) {
    if (length <= name.length) out.push(...(index.prefixed.get(indexKey(resourceType, name.slice(0, length))) ?? []));
  }
  return out;
}

const authorizers = new WeakMap<BrokerContext, Authorizer | null>();

/** The broker's authorizer, or null when authorizer.class.name is not set (everything allowed). */
export function authorizerOf(broker: BrokerContext): Authorizer | null {
  let a = authorizers.get(broker);
  if (a === undefined) {
    const config = broker.config.authorizer;
    a = config ? createAuthorizer(config, () => aclStoreOf(broker).all()) : null;
    authorizers.set(broker, a);
  }
  return a;
}

/**
 * The authorized-operations bit field Kafka answers when a client asks for it (Metadata,
 * DescribeCluster, DescribeGroups): bit N set when the request's principal may perform
 * AclOperation N on the resource, over the operations its type supports. With no authorizer,
 * or in-process, every supported operation, as Kafka without an authorizer.
 */
export function authorizedOperations(ctx: RequestContext, resourceType: number, resourceName: string): number {
  const authorizer = authorizerOf(ctx.broker);
  const supported = SUPPORTED_OPERATIONS[resourceType] ?? [];
  const allowed = !authorizer || !ctx.session ? supported : supported.filter((op) => authorizer.authorize(ctx.principal, ctx.clientHost, op, resourceType, resourceName));
  return allowed.reduce((bits, op) => bits | (1 << op), 0);
}

/**
 * At start in cluster mode: with an authorizer on, other brokers refuse this broker's replica
 * fetches and controller requests unless its inter-broker principal may ClusterAction on the
 * cluster (Kafka's deployments put it in super.users). Says so once, before anything fails.
 */
export function checkBrokerPrincipal(broker: BrokerContext, principal: string | undefined, host: string): void {
  const authorizer = authorizerOf(broker);
  if (!authorizer || principal === undefined) return;
  if (authorizer.authorize(principal, host, AclOperation.CLUSTER_ACTION, ResourceType.CLUSTER, CLUSTER_NAME)) return;
  broker.log.warn(
    `authorizer.class.name is set, but this broker's inter-broker principal ${principal} is not in super.users and may not ClusterAction on the cluster: ` +
      `the other brokers will refuse its replica fetches and the controller's requests. Add it to super.users (super.users=${principal}), as Kafka requires for the brokers' principal.`,
  );
}
