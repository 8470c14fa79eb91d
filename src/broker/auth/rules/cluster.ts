/**
 * Authorization rules of the cluster-level and config APIs, as Kafka checks them. APIs
 * every client needs before it can authenticate or find the cluster (ApiVersions,
 * SaslHandshake, SaslAuthenticate, DescribeCluster) are open. Configs: DESCRIBE_CONFIGS /
 * ALTER_CONFIGS on the topic, or on the cluster for broker resources (all or nothing per
 * request here: a denied resource refuses the request with its error).
 */
import { ErrorCode } from '../../../protocol/errors.js';
import { AclOperation, ResourceType } from '../../../protocol/acl.js';
import { defineRule, type Access, type AnyAuthorizationRule } from './rule.js';

const open = (apiKey: number): AnyAuthorizationRule => defineRule<unknown, never>({ apiKey, check: (request) => ({ request }) });
const onCluster = (apiKey: number, operation: number): AnyAuthorizationRule =>
  defineRule<unknown, never>({ apiKey, check: (request, access) => (access.cluster(operation) ? { request } : { denyAll: ErrorCode.CLUSTER_AUTHORIZATION_FAILED }) });

/** ConfigResource types: 2 = TOPIC, 4 = BROKER, 8 = BROKER_LOGGER. */
function configsRule(apiKey: number, operation: number): AnyAuthorizationRule {
  const allowed = (access: Access, type: number, name: string): boolean =>
    type === 2 ? access.allowed(operation, ResourceType.TOPIC, name) : access.cluster(operation);
  return defineRule<{ resources: { resourceType: number; resourceName: string }[] }, never>({
    apiKey,
    check(request, access) {
      const denied = request.resources.find((r) => !allowed(access, r.resourceType, r.resourceName));
      if (!denied) return { request };
      return { denyAll: denied.resourceType === 2 ? ErrorCode.TOPIC_AUTHORIZATION_FAILED : ErrorCode.CLUSTER_AUTHORIZATION_FAILED };
    },
  });
}

export const clusterRules: readonly AnyAuthorizationRule[] = [
  open(17),
  open(18),
  open(36),
  open(60),
  onCluster(4, AclOperation.CLUSTER_ACTION),
  onCluster(5, AclOperation.CLUSTER_ACTION),
  onCluster(6, AclOperation.CLUSTER_ACTION),
  onCluster(7, AclOperation.CLUSTER_ACTION),
  onCluster(27, AclOperation.CLUSTER_ACTION),
  onCluster(29, AclOperation.DESCRIBE),
  onCluster(30, AclOperation.ALTER),
  onCluster(31, AclOperation.ALTER),
  configsRule(32, AclOperation.DESCRIBE_CONFIGS),
  configsRule(33, AclOperation.ALTER_CONFIGS),
  configsRule(44, AclOperation.ALTER_CONFIGS),
  onCluster(34, AclOperation.ALTER),
  onCluster(35, AclOperation.DESCRIBE),
  onCluster(43, AclOperation.ALTER),
  onCluster(45, AclOperation.ALTER),
  onCluster(46, AclOperation.DESCRIBE),
  onCluster(50, AclOperation.DESCRIBE),
  onCluster(51, AclOperation.ALTER),
];
