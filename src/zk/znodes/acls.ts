/**
 * ACLs in ZooKeeper, as Kafka's ZK authorizer (SimpleAclAuthorizer / AclAuthorizer) keeps them:
 * - literal patterns at `/kafka-acl/<ResourceType>/<name>`, prefixed ones at
 *   `/kafka-acl-extended/prefixed/<ResourceType>/<name>`, each holding
 *   `{"version":1,"acls":[{"principal":"User:alice","permissionType":"Allow","operation":"Read","host":"*"}]}`
 *   (ResourceType as `Topic`, `Group`, `Cluster`, `TransactionalId`, `DelegationToken`, `User`);
 * - change notifications `acl_changes_<seq>`: in `/kafka-acl-changes` the bare string
 *   `Topic:name` (what Kafka 1.1 writes and every version reads), in
 *   `/kafka-acl-extended-changes` `{"version":1,"resourceType":"TOPIC","name":"x","patternType":"PREFIXED"}`.
 * Names are kept as Kafka spells them; the broker maps them to its codes.
 */
import { ZnodeDataError, intField, parseJsonObject, stringField, toJsonBytes } from './json.js';

export const AclPath = '/kafka-acl';
export const AclChangesPath = '/kafka-acl-changes';
export const ExtendedAclPath = '/kafka-acl-extended';
export const PrefixedAclPath = `${ExtendedAclPath}/prefixed`;
export const ExtendedAclChangesPath = '/kafka-acl-extended-changes';
export const AclChangePrefix = 'acl_changes_';

/** Resource type names as they appear in the paths (Kafka's SecurityUtils.resourceTypeName). */
export const AclResourceTypeNames = ['Topic', 'Group', 'Cluster', 'TransactionalId', 'DelegationToken', 'User'] as const;
export type AclResourceTypeName = (typeof AclResourceTypeNames)[number];
export type AclPatternTypeName = 'LITERAL' | 'PREFIXED';

/** One resource pattern: the znode that holds its ACLs. */
export interface AclResourceRef {
  patternType: AclPatternTypeName;
  resourceType: AclResourceTypeName;
  name: string;
}

/** One ACL entry of a resource, with Kafka's names (`Read`, `Allow`). */
export interface AclEntryJson {
  principal: string;
  permissionType: string;
  operation: string;
  host: string;
}

export const sameAclEntry = (a: AclEntryJson, b: AclEntryJson): boolean =>
  a.principal === b.principal && a.permissionType === b.permissionType && a.operation === b.operation && a.host === b.host;

const squash = (s: string): string => s.replace(/_/g, '').toLowerCase();

/** `Topic`, `TOPIC`, `topic` and `TRANSACTIONAL_ID` / `TransactionalId` alike (Kafka's versions spell them both ways). */
export function parseAclResourceType(text: string): AclResourceTypeName | undefined {
  return AclResourceTypeNames.find((n) => squash(n) === squash(text));
}

export function aclStorePath(patternType: AclPatternTypeName): string {
  return patternType === 'LITERAL' ? AclPath : PrefixedAclPath;
}

export function aclResourcePath(r: AclResourceRef): string {
  return `${aclStorePath(r.patternType)}/${r.resourceType}/${r.name}`;
}

export function aclChangesPath(patternType: AclPatternTypeName): string {
  return patternType === 'LITERAL' ? AclChangesPath : ExtendedAclChangesPath;
}

export function encodeResourceAcls(acls: readonly AclEntryJson[]): Buffer {
  return toJsonBytes({ version: 1, acls: acls.map((a) => ({ principal: a.principal, permissionType: a.permissionType, operation: a.operation, host: a.host })) });
}

export function decodeResourceAcls(path: string, data: Buffer | null): AclEntryJson[] {
  if (data === null || data.length === 0) return [];
  const o = parseJsonObject(path, data);
  const acls = o.acls;
  if (!Array.isArray(acls)) throw new ZnodeDataError(path, '"acls" is not a list');
  return acls.map((a: unknown, i) => {
    if (typeof a !== 'object' || a === null || Array.isArray(a)) throw new ZnodeDataError(path, `acls[${i}] is not an object`);
    const entry = a as Record<string, unknown>;
    return {
      principal: stringField(path, entry, 'principal'),
      permissionType: stringField(path, entry, 'permissionType'),
      operation: stringField(path, entry, 'operation'),
      host: stringField(path, entry, 'host'),
    };
  });
}

export function encodeAclChange(r: AclResourceRef): Buffer {
  if (r.patternType === 'LITERAL') return Buffer.from(`${r.resourceType}:${r.name}`, 'utf8');
  const javaName = r.resourceType.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();
  return toJsonBytes({ version: 1, resourceType: javaName, name: r.name, patternType: r.patternType });
}

export function decodeAclChange(patternType: AclPatternTypeName, child: string, data: Buffer | null): AclResourceRef {
  const path = `${aclChangesPath(patternType)}/${child}`;
  if (patternType === 'LITERAL') {
    const text = (data ?? Buffer.alloc(0)).toString('utf8');
    const colon = text.indexOf(':');
    const resourceType = colon > 0 ? parseAclResourceType(text.slice(0, colon)) : undefined;
    if (!resourceType) throw new ZnodeDataError(path, `expected ResourceType:name, got "${text.slice(0, 80)}"`);
    return { patternType, resourceType, name: text.slice(colon + 1) };
  }
  const o = parseJsonObject(path, data);
  if (intField(path, o, 'version') > 1) throw new ZnodeDataError(path, 'ACL change event version is newer than 1');
  const resourceType = parseAclResourceType(stringField(path, o, 'resourceType'));
  if (!resourceType) throw new ZnodeDataError(path, `unknown resourceType ${JSON.stringify(o.resourceType)}`);
  if (stringField(path, o, 'patternType').toUpperCase() !== 'PREFIXED') throw new ZnodeDataError(path, `unsupported patternType ${JSON.stringify(o.patternType)}`);
  return { patternType: 'PREFIXED', resourceType, name: stringField(path, o, 'name') };
}
