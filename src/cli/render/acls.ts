/**
 * kafka-acls.sh's text: `Current ACLs for resource \`ResourcePattern(...)\`:` followed by
 * one tab-indented `(principal=..., host=..., operation=..., permissionType=...)` per ACL,
 * exactly as Kafka's AclCommand prints them; and the JSON form of the same data.
 */
import { patternTypeName, type AclBinding } from '../../protocol/acl.js';

const RESOURCE_TYPE_ENUM: Readonly<Record<number, string>> = { 1: 'ANY', 2: 'TOPIC', 3: 'GROUP', 4: 'CLUSTER', 5: 'TRANSACTIONAL_ID', 6: 'DELEGATION_TOKEN', 7: 'USER' };
const OPERATION_ENUM = ['UNKNOWN', 'ANY', 'ALL', 'READ', 'WRITE', 'CREATE', 'DELETE', 'ALTER', 'DESCRIBE', 'CLUSTER_ACTION', 'DESCRIBE_CONFIGS', 'ALTER_CONFIGS', 'IDEMPOTENT_WRITE', 'CREATE_TOKENS', 'DESCRIBE_TOKENS'];
const PERMISSION_ENUM = ['UNKNOWN', 'ANY', 'DENY', 'ALLOW'];

export interface ResourceAcls {
  resourceType: number;
  resourceName: string;
  patternType: number;
  acls: Pick<AclBinding, 'principal' | 'host' | 'operation' | 'permissionType'>[];
}

export function resourcePattern(r: Pick<ResourceAcls, 'resourceType' | 'resourceName' | 'patternType'>, filter = false): string {
  return `ResourcePattern${filter ? 'Filter' : ''}(resourceType=${RESOURCE_TYPE_ENUM[r.resourceType] ?? 'UNKNOWN'}, name=${r.resourceName}, patternType=${patternTypeName(r.patternType)})`;
}

export function aclEntry(a: ResourceAcls['acls'][number]): string {
  return `(principal=${a.principal}, host=${a.host}, operation=${OPERATION_ENUM[a.operation] ?? 'UNKNOWN'}, permissionType=${PERMISSION_ENUM[a.permissionType] ?? 'UNKNOWN'})`;
}

/** Groups bindings by resource pattern, in first-seen order. */
export function groupByResource(bindings: readonly AclBinding[]): ResourceAcls[] {
  const out = new Map<string, ResourceAcls>();
  for (const b of bindings) {
    const key = `${b.resourceType}\0${b.patternType}\0${b.resourceName}`;
    let r = out.get(key);
    if (!r) out.set(key, (r = { resourceType: b.resourceType, resourceName: b.resourceName, patternType: b.patternType, acls: [] }));
    r.acls.push({ principal: b.principal, host: b.host, operation: b.operation, permissionType: b.permissionType });
  }
  return [...out.values()];
}

/** `<heading> for resource \`...\`: \n \t(acl)\n\t(acl) \n` plus println's newline, as AclCommand writes it. */
export function renderResourceAcls(heading: string, r: ResourceAcls): string {
  return `${heading} for resource \`${resourcePattern(r)}\`: \n ${r.acls.map((a) => `\t${aclEntry(a)}`).join('\n')} \n\n`;
}

export function renderAclList(resources: readonly ResourceAcls[]): string {
  return resources.map((r) => renderResourceAcls('Current ACLs', r)).join('');
}

export function aclJson(r: ResourceAcls): unknown {
  return {
    resourceType: RESOURCE_TYPE_ENUM[r.resourceType],
    name: r.resourceName,
    patternType: patternTypeName(r.patternType),
    acls: r.acls.map((a) => ({ principal: a.principal, host: a.host, operation: OPERATION_ENUM[a.operation], permissionType: PERMISSION_ENUM[a.permissionType] })),
  };
}
