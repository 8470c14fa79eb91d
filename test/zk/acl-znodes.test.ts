// The ACL znode codecs in Kafka's formats: resource paths (literal and prefixed), the
// per-resource JSON, and both change notification forms (Kafka 1.1's `Topic:name` string and
// the extended JSON), read however Kafka's versions spell the resource type.
import t from 'tap';
import { aclChangesPath, aclResourcePath, decodeAclChange, decodeResourceAcls, encodeAclChange, encodeResourceAcls, parseAclResourceType } from '../../src/zk/znodes/acls.js';
import { ZnodeDataError } from '../../src/zk/index.js';

t.test('paths', async (t) => {
  t.equal(aclResourcePath({ patternType: 'LITERAL', resourceType: 'Topic', name: 'orders' }), '/kafka-acl/Topic/orders');
  t.equal(aclResourcePath({ patternType: 'PREFIXED', resourceType: 'TransactionalId', name: 'tx-' }), '/kafka-acl-extended/prefixed/TransactionalId/tx-');
  t.equal(aclChangesPath('LITERAL'), '/kafka-acl-changes');
  t.equal(aclChangesPath('PREFIXED'), '/kafka-acl-extended-changes');
});

t.test('resource JSON round trip, Jackson key order irrelevant', async (t) => {
  const acls = [{ principal: 'User:alice', permissionType: 'Allow', operation: 'Read', host: '*' }];
  t.same(JSON.parse(encodeResourceAcls(acls).toString()), { version: 1, acls });
  const kafkaWritten = Buffer.from('{"acls":[{"host":"*","operation":"Write","permissionType":"Deny","principal":"User:bob"}],"version":1}');
  t.same(decodeResourceAcls('/kafka-acl/Topic/x', kafkaWritten), [{ principal: 'User:bob', permissionType: 'Deny', operation: 'Write', host: '*' }]);
  t.same(decodeResourceAcls('/kafka-acl/Topic/x', null), [], 'an empty znode has no ACLs');
  t.throws(() => decodeResourceAcls('/kafka-acl/Topic/x', Buffer.from('{"version":1,"acls":{}}')), ZnodeDataError);
  t.throws(() => decodeResourceAcls('/kafka-acl/Topic/x', Buffer.from('{"version":1,"acls":[{"principal":1}]}')), /kafka-acl\/Topic\/x/);
});

t.test('change notifications', async (t) => {
  t.equal(encodeAclChange({ patternType: 'LITERAL', resourceType: 'Group', name: 'g:1' }).toString(), 'Group:g:1');
  t.same(decodeAclChange('LITERAL', 'acl_changes_0000000001', Buffer.from('Group:g:1')), { patternType: 'LITERAL', resourceType: 'Group', name: 'g:1' }, 'split at the first colon');
  t.same(decodeAclChange('LITERAL', 'acl_changes_0000000002', Buffer.from('TRANSACTIONAL_ID:t')), { patternType: 'LITERAL', resourceType: 'TransactionalId', name: 't' }, "newer Kafka's enum spelling");
  const extended = encodeAclChange({ patternType: 'PREFIXED', resourceType: 'TransactionalId', name: 'tx-' });
  t.same(JSON.parse(extended.toString()), { version: 1, resourceType: 'TRANSACTIONAL_ID', name: 'tx-', patternType: 'PREFIXED' });
  t.same(decodeAclChange('PREFIXED', 'acl_changes_0000000003', extended), { patternType: 'PREFIXED', resourceType: 'TransactionalId', name: 'tx-' });
  t.throws(() => decodeAclChange('LITERAL', 'acl_changes_0000000004', Buffer.from('Nonsense:x')), ZnodeDataError);
  t.throws(() => decodeAclChange('PREFIXED', 'acl_changes_0000000005', Buffer.from('{"version":2,"resourceType":"TOPIC","name":"x","patternType":"PREFIXED"}')), /newer/);
  t.equal(parseAclResourceType('delegation_token'), 'DelegationToken');
  t.equal(parseAclResourceType('Broker'), undefined);
});
