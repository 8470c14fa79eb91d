/**
 * Where ACLs live: `<first log dir>/kts-acls.json` in single-node mode (JSON shaped like
 * Kafka's `/kafka-acl/<type>/<name>` znodes: per pattern, `{"version":1,"acls":[...]}`).
 * Changes are written through (fsync + rename) before CreateAcls/DeleteAcls answer.
 */
import { join } from 'node:path';
import type { BrokerContext } from '../handler.js';
import { AclOperation, AclPermission, PatternType, ResourceType, operationName, permissionName, resourceTypeName, sameBinding, type AclBinding } from '../../protocol/acl.js';
import { readJsonFile, writeJsonFile } from './json-file.js';

export const ACL_FILE = 'kts-acls.json';

interface StoredAcl {
  principal: string;
  permissionType: string;
  operation: string;
  host: string;
}
interface StoredResource {
  resourceType: string;
  name: string;
  patternType: 'LITERAL' | 'PREFIXED';
  version: 1;
  acls: StoredAcl[];
}

const byName = <T extends Readonly<Record<string, number>>>(table: T, name: string, display: (code: number) => string): number | undefined =>
  Object.values(table).find((code) => display(code) === name);

export class AclStore {
  private bindings: AclBinding[] = [];
  private readonly path: string | null;

  constructor(path: string | null) {
    this.path = path;
    const stored = path ? (readJsonFile(path) as { resources?: StoredResource[] } | undefined) : undefined;
    for (const r of stored?.resources ?? []) {
      const resourceType = byName(ResourceType, r.resourceType, resourceTypeName);
      const patternType = r.patternType === 'PREFIXED' ? PatternType.PREFIXED : PatternType.LITERAL;
      for (const a of r.acls) {
        const operation = byName(AclOperation, a.operation, operationName);
        const permissionType = byName(AclPermission, a.permissionType, permissionName);
        if (resourceType === undefined || operation === undefined || permissionType === undefined) continue;
        this.bindings.push({ resourceType, resourceName: r.name, patternType, principal: a.principal, host: a.host, operation, permissionType });
      }
    }
  }

  all(): readonly AclBinding[] {
    return this.bindings;
  }

  /** Adds bindings not already present; persists once. */
  add(bindings: readonly AclBinding[]): void {
    for (const b of bindings) if (!this.bindings.some((x) => sameBinding(x, b))) this.bindings.push(b);
    this.persist();
  }

  /** Removes exactly these bindings; persists once. */
  remove(bindings: readonly AclBinding[]): void {
    this.bindings = this.bindings.filter((x) => !bindings.some((b) => sameBinding(x, b)));
    this.persist();
  }

  private persist(): void {
    if (!this.path) return;
    const resources = new Map<string, StoredResource>();
    for (const b of this.bindings) {
      const patternType = b.patternType === PatternType.PREFIXED ? 'PREFIXED' : 'LITERAL';
      const key = `${b.resourceType}\0${patternType}\0${b.resourceName}`;
      let r = resources.get(key);
      if (!r) resources.set(key, (r = { resourceType: resourceTypeName(b.resourceType), name: b.resourceName, patternType, version: 1, acls: [] }));
      r.acls.push({ principal: b.principal, permissionType: permissionName(b.permissionType), operation: operationName(b.operation), host: b.host });
    }
    writeJsonFile(this.path, { version: 1, resources: [...resources.values()] });
  }
}

const stores = new WeakMap<BrokerContext, AclStore>();

export function aclStoreOf(broker: BrokerContext): AclStore {
  let s = stores.get(broker);
  if (!s) stores.set(broker, (s = new AclStore(join(broker.config.logDirs[0]!, ACL_FILE))));
  return s;
}
