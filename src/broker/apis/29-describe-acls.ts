/**
 * DescribeAcls (key 29), versions 0-3: the ACLs matching a filter, grouped by resource
 * pattern (v0 filters and answers LITERAL patterns only). Without an authorizer the answer
 * is SECURITY_DISABLED, as in Kafka. Authorization (DESCRIBE on the cluster) is checked by
 * the router.
 */
import { ErrorCode } from '../../protocol/errors.js';
import type { DescribeAclsRequest, DescribeAclsResponse, DescribeAclsResource } from '../../protocol/messages/29-describe-acls.js';
import { PatternType, filterMatches } from '../../protocol/acl.js';
import { aclStoreOf } from '../auth/acl-store.js';
import { defineHandler } from '../handler.js';

export const NO_AUTHORIZER = 'No Authorizer is configured on the broker';

export const describeAclsHandler = defineHandler<DescribeAclsRequest, DescribeAclsResponse>({
  apiKey: 29,
  minVersion: 0,
  maxVersion: 3,
  handle(request, ctx) {
    if (!ctx.broker.config.authorizer) return { throttleTimeMs: 0, errorCode: ErrorCode.SECURITY_DISABLED, errorMessage: NO_AUTHORIZER, resources: [] };
    const filter = {
      resourceType: request.resourceTypeFilter,
      resourceName: request.resourceNameFilter,
      patternType: ctx.apiVersion === 0 ? PatternType.LITERAL : (request.patternTypeFilter ?? PatternType.LITERAL),
      principal: request.principalFilter,
      host: request.hostFilter,
      operation: request.operation,
      permissionType: request.permissionType,
    };
    if (filter.patternType === PatternType.UNKNOWN || filter.resourceType === 0 || filter.operation === 0 || filter.permissionType === 0) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'The filter has an UNKNOWN resource type, pattern type, operation or permission type', resources: [] };
    }
    const resources = new Map<string, DescribeAclsResource>();
    for (const b of aclStoreOf(ctx.broker).all()) {
      if (!filterMatches(filter, b)) continue;
      const key = `${b.resourceType}\0${b.patternType}\0${b.resourceName}`;
      let r = resources.get(key);
      if (!r) resources.set(key, (r = { resourceType: b.resourceType, resourceName: b.resourceName, patternType: b.patternType, acls: [] }));
      r.acls.push({ principal: b.principal, host: b.host, operation: b.operation, permissionType: b.permissionType });
    }
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, resources: [...resources.values()] };
  },
  errorResponse(_request, errorCode) {
    return { throttleTimeMs: 0, errorCode, errorMessage: null, resources: [] };
  },
});
