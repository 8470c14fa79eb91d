// Two writers (two KafkaZkClient sessions, as two brokers) updating the same resource's ACLs
// at once in a real ZooKeeper: compare-and-set on the znode version makes the loser re-read
// and retry, so no ACL is lost, and every successful write leaves one change notification.
import t from 'tap';
import { KafkaZkClient, type AclEntryJson, type AclResourceRef } from '../../src/zk/index.js';
import { memoryLogger } from '../../src/util/logger.js';
import { needsZookeeper, startZooKeeper } from '../helpers/zookeeper.js';

t.test('concurrent ACL updates of one resource', { skip: needsZookeeper, timeout: 120_000 }, async (t) => {
  const server = await startZooKeeper(t);
  const open = async (): Promise<KafkaZkClient> => {
    const zk = await KafkaZkClient.connect({ connect: server.connect, sessionTimeoutMs: 10_000, connectionTimeoutMs: 10_000, log: memoryLogger() });
    t.teardown(() => zk.close());
    return zk;
  };
  const [a, b] = [await open(), await open()];
  await a.createAclPaths();
  const ref: AclResourceRef = { patternType: 'LITERAL', resourceType: 'Topic', name: 'shared' };
  const entry = (who: string): AclEntryJson => ({ principal: `User:${who}`, permissionType: 'Allow', operation: 'Read', host: '*' });
  const add = (zk: KafkaZkClient, who: string) => zk.updateResourceAcls(ref, (current) => [...current, entry(who)]);
  await Promise.all(Array.from({ length: 15 }, (_, i) => [add(a, `a${i}`), add(b, `b${i}`)]).flat());
  const stored = await a.getResourceAcls(ref);
  t.equal(stored.acls.length, 30, 'all 30 ACLs from both writers are there');
  t.equal(stored.zkVersion, 29, 'one znode version per write (created at 0)');
  t.equal(((await a.zk.getChildren('/kafka-acl-changes')) ?? []).length, 30, 'one notification per write');

  const unchanged = await a.updateResourceAcls(ref, (current) => current);
  t.equal(unchanged.length, 30);
  t.equal((await a.getResourceAcls(ref)).zkVersion, 29, 'no change, no write');
  t.equal(((await a.zk.getChildren('/kafka-acl-changes')) ?? []).length, 30, 'and no notification');

  await Promise.all([a.updateResourceAcls(ref, () => []), b.updateResourceAcls(ref, (c) => c.filter((e) => e.principal !== 'User:a0'))]);
  t.equal(await a.zk.getData('/kafka-acl/Topic/shared'), undefined, 'emptied: the znode is gone');
});
