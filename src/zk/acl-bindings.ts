/**
 * Between Kafka's protocol view of an ACL (an AclBinding with wire codes) and how the ZK
 * authorizer stores it (a resource znode per pattern holding entries with Kafka's names).
 * Used by the broker's ACL store and by `kts acls --authorizer-properties`.
 */
import { AclOperation, AclPermission, PatternType, ResourceType, operationName, permissionName, resourceTypeName, sameBinding, type AclBinding } from '../protocol/acl.js';
import type { AclEntryJson, AclPatternTypeName, AclResourceRef, AclResourceTypeName } from './znodes/acls.js';

const byName = <T extends Readonly<Record<string, number>>>(table: T, name: string, display: (code: number) => string): number | undefined =>
  Object.values(table).find((code) => display(code).toLowerCase() === name.toLowerCase());

/** One stored entry of a resource as a binding; undefined when a name is not one Kafka has. */
export function aclBindingOf(resourceType: string, name: string, patternType: AclPatternTypeName, a: AclEntryJson): AclBinding | undefined {
  const type = byName(ResourceType, resourceType, resourceTypeName);
  const operation = byName(AclOperation, a.operation, operationName);
  const permissionType = byName(AclPermission, a.permissionType, permissionName);
  if (type === undefined || operation === undefined || permissionType === undefined) return undefined;
  return { resourceType: type, resourceName: name, patternType: patternType === 'PREFIXED' ? PatternType.PREFIXED : PatternType.LITERAL, principal: a.principal, host: a.host, operation, permissionType };
}

export const aclEntryOf = (b: AclBinding): AclEntryJson => ({ principal: b.principal, permissionType: permissionName(b.permissionType), operation: operationName(b.operation), host: b.host });

export function aclResourceOf(b: AclBinding): AclResourceRef {
  return { patternType: b.patternType === PatternType.PREFIXED ? 'PREFIXED' : 'LITERAL', resourceType: resourceTypeName(b.resourceType) as AclResourceTypeName, name: b.resourceName };
}

export const aclResourceKey = (r: AclResourceRef): string => `${r.patternType}\0${r.resourceType}\0${r.name}`;

/** Bindings grouped by the resource pattern (znode) they belong to. */
export function groupByAclResource(bindings: readonly AclBinding[]): Map<string, { ref: AclResourceRef; bindings: AclBinding[] }> {
  const out = new Map<string, { ref: AclResourceRef; bindings: AclBinding[] }>();
  for (const b of bindings) {
    const ref = aclResourceOf(b);
    const key = aclResourceKey(ref);
    let g = out.get(key);
    if (!g) out.set(key, (g = { ref, bindings: [] }));
    g.bindings.push(b);
  }
  return out;
}

/** Whether a stored entry of `ref` is the binding `b` (names compared as Kafka reads them). */
function entryIs(ref: AclResourceRef, e: AclEntryJson, b: AclBinding): boolean {
  const stored = aclBindingOf(ref.resourceType, ref.name, ref.patternType, e);
  return stored !== undefined && sameBinding(stored, b);
}

/** `entries` of `ref` plus the bindings not already there (an entry kts cannot read is kept). */
export const withAclEntries = (ref: AclResourceRef, entries: readonly AclEntryJson[], add: readonly AclBinding[]): AclEntryJson[] =>
  [...entries, ...add.filter((b) => !entries.some((e) => entryIs(ref, e, b))).map(aclEntryOf)];

/** `entries` of `ref` without the given bindings. */
export const withoutAclEntries = (ref: AclResourceRef, entries: readonly AclEntryJson[], remove: readonly AclBinding[]): AclEntryJson[] =>
  entries.filter((e) => !remove.some((b) => entryIs(ref, e, b)));
