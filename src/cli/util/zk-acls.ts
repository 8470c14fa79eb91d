/**
 * `kts acls --authorizer-properties zookeeper.connect=...`: the ACL admin calls answered from
 * ZooKeeper directly, as kafka-acls.sh does with Kafka's ZK authorizer: the same resource
 * znodes, compare-and-set updates and change notifications the brokers follow (so running
 * brokers apply the change), and it works before any broker runs.
 */
import type { Admin } from '../../client/index.js';
import { ErrorCode, KafkaError } from '../../protocol/errors.js';
import { filterMatches, invalidBinding, type AclBinding, type AclBindingFilter } from '../../protocol/acl.js';
import { aclBindingOf, groupByAclResource, withAclEntries, withoutAclEntries, type KafkaZkClient } from '../../zk/index.js';
import { UsageError } from '../../util/errors.js';

export type AclAdmin = Pick<Admin, 'createAcls' | 'describeAcls' | 'deleteAcls'>;

/** The zookeeper.connect of `--authorizer-properties k=v[,k=v]` (Kafka's other keys are refused). */
export function zookeeperConnectOf(properties: string): string {
  const pairs = properties.split(/[,\s]+(?=[\w.]+=)/).map((p) => p.trim()).filter((p) => p !== '');
  let connect: string | undefined;
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    const key = eq > 0 ? pair.slice(0, eq).trim() : pair;
    if (key !== 'zookeeper.connect') throw new UsageError(`--authorizer-properties: '${key}' is not supported; kts takes zookeeper.connect=host:port[/chroot] only.`);
    connect = pair.slice(eq + 1).trim();
  }
  if (!connect) throw new UsageError('--authorizer-properties needs zookeeper.connect=host:port[/chroot]', 'Example: --authorizer-properties zookeeper.connect=localhost:2181');
  return connect;
}

/** Every ACL in ZooKeeper (resources read in parallel; entries kts cannot read are left out). */
async function allBindings(zk: KafkaZkClient): Promise<AclBinding[]> {
  const perResource = await Promise.all((await zk.getAclResources()).map(async (ref) => (await zk.getResourceAcls(ref)).acls.map((e) => aclBindingOf(ref.resourceType, ref.name, ref.patternType, e))));
  return perResource.flat().filter((b): b is AclBinding => b !== undefined);
}

export function zookeeperAclAdmin(zk: KafkaZkClient): AclAdmin {
  return {
    async createAcls(bindings) {
      const errors = bindings.map((b) => {
        const why = invalidBinding(b);
        return why ? new KafkaError(ErrorCode.INVALID_REQUEST, why) : null;
      });
      const valid = bindings.filter((_, i) => errors[i] === null);
      await zk.createAclPaths();
      for (const { ref, bindings: mine } of groupByAclResource(valid).values()) {
        await zk.updateResourceAcls(ref, (entries) => withAclEntries(ref, entries, mine));
      }
      return errors;
    },
    async describeAcls(filter: AclBindingFilter) {
      return (await allBindings(zk)).filter((b) => filterMatches(filter, b));
    },
    async deleteAcls(filters) {
      const all = await allBindings(zk);
      const matched = filters.map((f) => all.filter((b) => filterMatches(f, b)));
      for (const { ref, bindings: doomed } of groupByAclResource(matched.flat()).values()) {
        await zk.updateResourceAcls(ref, (entries) => withoutAclEntries(ref, entries, doomed));
      }
      return matched;
    },
  };
}
