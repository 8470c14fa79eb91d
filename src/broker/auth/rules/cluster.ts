/**
 * Authorization rules of the cluster-level and config APIs, as Kafka checks them. APIs
 * every client needs before it can authenticate or find the cluster (ApiVersions,
 * SaslHandshake, SaslAuthenticate, DescribeCluster) are open. Configs: DESCRIBE_CONFIGS /
 * ALTER_CONFIGS on the topic, or on the cluster for broker resources, per resource (the
 * denied ones answer their error, the others are served).
 */
import { ErrorCode } from '../../../protocol/errors.js';
import { AclOperation, ResourceType } from '../../../protocol/acl.js';
import type { DescribeConfigsResponse, DescribeConfigsResult } from '../../../protocol/messages/32-describe-configs.js';
import type { AlterConfigsResourceResponse, AlterConfigsResponse } from '../../../protocol/messages/33-alter-configs.js';
import type { IncrementalAlterConfigsResponse } from '../../../protocol/messages/44-incremental-alter-configs.js';
import { defineRule, type Access, type AnyAuthorizationRule } from './rule.js';

const open = (apiKey: number): AnyAuthorizationRule => defineRule<unknown, never>({ apiKey, check: (request) => ({ request }) });
const onCluster = (apiKey: number, operation: number): AnyAuthorizationRule =>
  defineRule<unknown, never>({ apiKey, check: (request, access) => (access.cluster(operation) ? { request } : { denyAll: ErrorCode.CLUSTER_AUTHORIZATION_FAILED }) });

/** ConfigResource types: 2 = TOPIC, 4 = BROKER, 8 = BROKER_LOGGER (the others: on the cluster too). */
const TOPIC_CONFIGS = 2;

interface ConfigsResourceRef {
  resourceType: number;
  resourceName: string;
}

/**
 * DescribeConfigs / AlterConfigs / IncrementalAlterConfigs, per resource as Kafka's KafkaApis:
 * the handler sees the authorized resources; each denied one is answered with
 * TOPIC_AUTHORIZATION_FAILED (topics) or CLUSTER_AUTHORIZATION_FAILED (brokers, loggers)
 * after the others, and nothing else of it is touched or shown.
 */
function configsRule<Res>(apiKey: number, operation: number, resultsKey: 'results' | 'responses', deniedResult: (r: ConfigsResourceRef, errorCode: number) => unknown): AnyAuthorizationRule {
  const allowed = (access: Access, r: ConfigsResourceRef): boolean =>
    r.resourceType === TOPIC_CONFIGS ? access.allowed(operation, ResourceType.TOPIC, r.resourceName) : access.cluster(operation);
  return defineRule<{ resources: ConfigsResourceRef[] }, Res>({
    apiKey,
    check(request, access) {
      const denied = request.resources.filter((r) => !allowed(access, r));
      if (denied.length === 0) return { request };
      return {
        request: { ...request, resources: request.resources.filter((r) => !denied.includes(r)) },
        merge: (response) => {
          const answered = (response as Record<string, unknown[]>)[resultsKey] ?? [];
          const refused = denied.map((r) => deniedResult(r, r.resourceType === TOPIC_CONFIGS ? ErrorCode.TOPIC_AUTHORIZATION_FAILED : ErrorCode.CLUSTER_AUTHORIZATION_FAILED));
          return { ...response, [resultsKey]: [...answered, ...refused] };
        },
      };
    },
  });
}

const describeDenied = (r: ConfigsResourceRef, errorCode: number): DescribeConfigsResult => ({ errorCode, errorMessage: null, resourceType: r.resourceType, resourceName: r.resourceName, configs: [] });
const alterDenied = (r: ConfigsResourceRef, errorCode: number): AlterConfigsResourceResponse => ({ errorCode, errorMessage: null, resourceType: r.resourceType, resourceName: r.resourceName });

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
  configsRule<DescribeConfigsResponse>(32, AclOperation.DESCRIBE_CONFIGS, 'results', describeDenied),
  configsRule<AlterConfigsResponse>(33, AclOperation.ALTER_CONFIGS, 'responses', alterDenied),
  configsRule<IncrementalAlterConfigsResponse>(44, AclOperation.ALTER_CONFIGS, 'responses', alterDenied),
  onCluster(34, AclOperation.ALTER),
  onCluster(35, AclOperation.DESCRIBE),
  onCluster(43, AclOperation.ALTER),
  onCluster(45, AclOperation.ALTER),
  onCluster(46, AclOperation.DESCRIBE),
  onCluster(50, AclOperation.DESCRIBE),
  onCluster(51, AclOperation.ALTER),
];
