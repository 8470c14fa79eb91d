/**
 * ACLs as Kafka models them: a binding of a resource pattern (type, name, LITERAL or
 * PREFIXED) to an access control entry (principal, host, operation, ALLOW/DENY), with
 * Kafka's wire codes, names and filter matching (ANY, MATCH) used by DescribeAcls,
 * DeleteAcls and `kts acls`.
 */

export const ResourceType = { UNKNOWN: 0, ANY: 1, TOPIC: 2, GROUP: 3, CLUSTER: 4, TRANSACTIONAL_ID: 5, DELEGATION_TOKEN: 6, USER: 7 } as const;
export const PatternType = { UNKNOWN: 0, ANY: 1, MATCH: 2, LITERAL: 3, PREFIXED: 4 } as const;
export const AclOperation = {
  UNKNOWN: 0, ANY: 1, ALL: 2, READ: 3, WRITE: 4, CREATE: 5, DELETE: 6, ALTER: 7, DESCRIBE: 8,
  CLUSTER_ACTION: 9, DESCRIBE_CONFIGS: 10, ALTER_CONFIGS: 11, IDEMPOTENT_WRITE: 12, CREATE_TOKENS: 13, DESCRIBE_TOKENS: 14,
} as const;
export const AclPermission = { UNKNOWN: 0, ANY: 1, DENY: 2, ALLOW: 3 } as const;

export type ResourceTypeCode = (typeof ResourceType)[keyof typeof ResourceType];
export type AclOperationCode = (typeof AclOperation)[keyof typeof AclOperation];

/** The cluster resource's name, as Kafka spells it. */
export const CLUSTER_NAME = 'kafka-cluster';
export const WILDCARD = '*';

export interface AclBinding {
  resourceType: number;
  resourceName: string;
  patternType: number;
  principal: string;
  host: string;
  operation: number;
  permissionType: number;
}

export interface AclBindingFilter {
  resourceType: number;
  resourceName: string | null;
  patternType: number;
  principal: string | null;
  host: string | null;
  operation: number;
  permissionType: number;
}

const nameOf = (table: Readonly<Record<string, number>>, code: number): string => Object.keys(table).find((k) => table[k] === code) ?? 'UNKNOWN';

/** Kafka's display names: `Topic`, `Read`, `Allow`, `LITERAL` (as kafka-acls.sh prints them). */
export function resourceTypeName(code: number): string {
  return ({ 2: 'Topic', 3: 'Group', 4: 'Cluster', 5: 'TransactionalId', 6: 'DelegationToken', 7: 'User' } as Record<number, string>)[code] ?? nameOf(ResourceType, code);
}
export function operationName(code: number): string {
  return nameOf(AclOperation, code)
    .toLowerCase()
    .replace(/(^|_)([a-z])/g, (_m, _s: string, c: string) => c.toUpperCase());
}
export function permissionName(code: number): string {
  return code === AclPermission.ALLOW ? 'Allow' : code === AclPermission.DENY ? 'Deny' : nameOf(AclPermission, code);
}
export function patternTypeName(code: number): string {
  return nameOf(PatternType, code);
}

/** Parses an operation name as kafka-acls.sh takes it (`Read`, `read`, `DescribeConfigs`, `describe_configs`). */
export function parseOperation(text: string): number | undefined {
  const key = text.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();
  return (AclOperation as Readonly<Record<string, number>>)[key];
}

/** Operations valid on each resource type (Kafka's AclEntry.supportedOperations). */
export const SUPPORTED_OPERATIONS: Readonly<Record<number, readonly number[]>> = {
  [ResourceType.TOPIC]: [3, 4, 5, 8, 6, 7, 10, 11],
  [ResourceType.GROUP]: [3, 8, 6],
  [ResourceType.CLUSTER]: [5, 9, 10, 11, 12, 7, 8],
  [ResourceType.TRANSACTIONAL_ID]: [8, 4],
  [ResourceType.DELEGATION_TOKEN]: [8],
  [ResourceType.USER]: [13, 14],
};

/** Why a binding cannot be stored, or undefined when it is valid (CreateAcls checks). */
export function invalidBinding(b: AclBinding): string | undefined {
  if (![2, 3, 4, 5, 6, 7].includes(b.resourceType)) return `Invalid resource type ${b.resourceType}`;
  if (b.patternType !== PatternType.LITERAL && b.patternType !== PatternType.PREFIXED) return 'Invalid pattern type: only LITERAL and PREFIXED patterns can be stored';
  if (b.resourceName === '') return 'Resource name must not be empty';
  if (b.resourceType === ResourceType.CLUSTER && b.resourceName !== CLUSTER_NAME) return `The only valid name for the CLUSTER resource is ${CLUSTER_NAME}`;
  if (b.patternType === PatternType.PREFIXED && b.resourceName === WILDCARD) return 'A PREFIXED pattern cannot be the wildcard *';
  if (!/^[^:]+:.*$/.test(b.principal)) return `Invalid principal ${b.principal}: expected Type:name, e.g. User:alice`;
  if (b.operation < 2 || b.operation > 14) return `Invalid operation ${b.operation}`;
  if (b.operation !== AclOperation.ALL && !(SUPPORTED_OPERATIONS[b.resourceType] ?? []).includes(b.operation)) {
    return `${operationName(b.operation)} is not a valid operation on ${resourceTypeName(b.resourceType)}`;
  }
  if (b.permissionType !== AclPermission.ALLOW && b.permissionType !== AclPermission.DENY) return `Invalid permission type ${b.permissionType}`;
  return undefined;
}

/** Filter semantics of DescribeAcls/DeleteAcls: ANY matches all; MATCH finds every pattern that applies to a name. */
export function filterMatches(f: AclBindingFilter, b: AclBinding): boolean {
  if (f.resourceType !== ResourceType.ANY && f.resourceType !== b.resourceType) return false;
  if (f.principal !== null && f.principal !== b.principal) return false;
  if (f.host !== null && f.host !== b.host) return false;
  if (f.operation !== AclOperation.ANY && f.operation !== b.operation) return false;
  if (f.permissionType !== AclPermission.ANY && f.permissionType !== b.permissionType) return false;
  if (f.patternType === PatternType.MATCH) {
    if (f.resourceName === null) return true;
    if (b.patternType === PatternType.LITERAL) return b.resourceName === f.resourceName || b.resourceName === WILDCARD;
    return b.patternType === PatternType.PREFIXED && f.resourceName.startsWith(b.resourceName);
  }
  if (f.patternType !== PatternType.ANY && f.patternType !== b.patternType) return false;
  return f.resourceName === null || f.resourceName === b.resourceName;
}

export const sameBinding = (a: AclBinding, b: AclBinding): boolean =>
  a.resourceType === b.resourceType && a.resourceName === b.resourceName && a.patternType === b.patternType &&
  a.principal === b.principal && a.host === b.host && a.operation === b.operation && a.permissionType === b.permissionType;
