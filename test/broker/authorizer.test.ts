// The authorizer's semantics, as Kafka's AclAuthorizer applies them: super users, no ACL
// (allow.everyone.if.no.acl.found), literal / wildcard / prefixed patterns, deny wins,
// User:* and host matching, implied Describe and DescribeConfigs, ALL.
import t from 'tap';
import { createAuthorizer } from '../../src/broker/auth/authorizer.js';
import { AclOperation as Op, AclPermission, PatternType, ResourceType, filterMatches, type AclBinding } from '../../src/protocol/acl.js';

const TOPIC = ResourceType.TOPIC;
const acl = (principal: string, name: string, operation: number, permission: number = AclPermission.ALLOW, pattern: number = PatternType.LITERAL, host = '*'): AclBinding => ({
  resourceType: TOPIC, resourceName: name, patternType: pattern, principal, host, operation, permissionType: permission,
});

t.test('super users, and topics without ACLs', async (t) => {
  const acls: AclBinding[] = [acl('User:alice', 'orders', Op.READ)];
  const strict = createAuthorizer({ className: 'x', superUsers: ['User:admin'], allowEveryoneIfNoAclFound: false }, () => acls);
  const lenient = createAuthorizer({ className: 'x', superUsers: [], allowEveryoneIfNoAclFound: true }, () => acls);
  t.ok(strict.authorize('User:admin', '10.0.0.1', Op.DELETE, TOPIC, 'orders'), 'super user passes');
  t.notOk(strict.authorize('User:bob', '10.0.0.1', Op.READ, TOPIC, 'free'), 'no ACL, allow.everyone=false: denied');
  t.ok(lenient.authorize('User:bob', '10.0.0.1', Op.READ, TOPIC, 'free'), 'no ACL, allow.everyone=true: allowed');
  t.notOk(lenient.authorize('User:bob', '10.0.0.1', Op.READ, TOPIC, 'orders'), 'a topic with ACLs is closed to others even then');
});

t.test('patterns, deny, principals, hosts, implied operations', async (t) => {
  const acls: AclBinding[] = [
    acl('User:alice', 'orders', Op.WRITE),
    acl('User:bob', 'logs-', Op.READ, AclPermission.ALLOW, PatternType.PREFIXED),
    acl('User:bob', 'logs-secret', Op.READ, AclPermission.DENY),
    acl('User:*', '*', Op.DESCRIBE_CONFIGS),
    acl('User:carol', 'orders', Op.ALL, AclPermission.ALLOW, PatternType.LITERAL, '10.0.0.7'),
    acl('User:dave', 'orders', Op.ALTER_CONFIGS),
  ];
  const a = createAuthorizer({ className: 'x', superUsers: [], allowEveryoneIfNoAclFound: false }, () => acls);
  const ok = (p: string, op: number, name: string, host = '10.0.0.1'): boolean => a.authorize(p, host, op, TOPIC, name);
  t.ok(ok('User:alice', Op.WRITE, 'orders'));
  t.ok(ok('User:alice', Op.DESCRIBE, 'orders'), 'Write implies Describe');
  t.notOk(ok('User:alice', Op.READ, 'orders'), 'Write does not imply Read');
  t.ok(ok('User:bob', Op.READ, 'logs-app'), 'prefixed pattern');
  t.notOk(ok('User:bob', Op.READ, 'logs-secret'), 'deny wins over a prefixed allow');
  t.ok(ok('User:bob', Op.DESCRIBE, 'logs-secret'), 'a Read deny does not deny Describe (implied by the prefixed Read)');
  t.notOk(ok('User:bob', Op.READ, 'logsx'), 'the prefix must match');
  t.ok(ok('User:anyone', Op.DESCRIBE_CONFIGS, 'whatever'), 'User:* on the * wildcard topic');
  t.ok(ok('User:carol', Op.DELETE, 'orders', '10.0.0.7'), 'ALL from the named host');
  t.notOk(ok('User:carol', Op.DELETE, 'orders', '10.0.0.8'), 'not from another host');
  t.ok(ok('User:dave', Op.DESCRIBE_CONFIGS, 'orders'), 'AlterConfigs implies DescribeConfigs');
  t.notOk(a.authorize('User:alice', '10.0.0.1', Op.READ, ResourceType.GROUP, 'orders'), 'resource types do not mix');
});

t.test('DescribeAcls / DeleteAcls filters', async (t) => {
  const prefixed = acl('User:bob', 'logs-', Op.READ, AclPermission.ALLOW, PatternType.PREFIXED);
  const literal = acl('User:bob', 'logs-app', Op.READ);
  const wildcard = acl('User:bob', '*', Op.READ);
  const f = (patternType: number, resourceName: string | null) => ({ resourceType: TOPIC, resourceName, patternType, principal: null, host: null, operation: Op.ANY, permissionType: AclPermission.ANY });
  t.same([prefixed, literal, wildcard].map((b) => filterMatches(f(PatternType.MATCH, 'logs-app'), b)), [true, true, true], 'MATCH: every pattern that applies to the name');
  t.same([prefixed, literal, wildcard].map((b) => filterMatches(f(PatternType.ANY, 'logs-app'), b)), [false, true, false], 'ANY: exact name, any pattern type');
  t.same([prefixed, literal, wildcard].map((b) => filterMatches(f(PatternType.PREFIXED, null), b)), [true, false, false], 'PREFIXED only');
});

t.test('the index follows changes and finds prefixes of every length', async (t) => {
  let acls: AclBinding[] = [acl('User:alice', 'a', Op.READ, AclPermission.ALLOW, PatternType.PREFIXED)];
  const a = createAuthorizer({ className: 'x', superUsers: [], allowEveryoneIfNoAclFound: false }, () => acls);
  t.ok(a.authorize('User:alice', 'h', Op.READ, TOPIC, 'abc'));
  t.notOk(a.authorize('User:alice', 'h', Op.WRITE, TOPIC, 'abc'));
  acls = [...acls, acl('User:alice', 'abc-', Op.WRITE, AclPermission.ALLOW, PatternType.PREFIXED), acl('User:alice', 'ab', Op.WRITE, AclPermission.DENY, PatternType.PREFIXED)];
  t.notOk(a.authorize('User:alice', 'h', Op.WRITE, TOPIC, 'abc-1'), 'a new ACL list is seen: the shorter prefixed Deny wins over the longer Allow');
  acls = acls.filter((b) => b.permissionType !== AclPermission.DENY);
  t.ok(a.authorize('User:alice', 'h', Op.WRITE, TOPIC, 'abc-1'), 'and its removal');
  t.notOk(a.authorize('User:alice', 'h', Op.WRITE, TOPIC, 'abc'), 'a name shorter than the prefix does not match it');
  acls = [acl('User:bob', '*', Op.READ)];
  t.ok(a.authorize('User:bob', 'h', Op.READ, TOPIC, '*'), 'the wildcard ACL counted once for the name *');
  t.ok(a.authorize('User:bob', 'h', Op.READ, TOPIC, 'any'));
});
