/**
 * DeleteAcls (key 31), versions 0-3: removes every stored binding each filter matches (ANY
 * and MATCH as in Kafka; v0 filters LITERAL patterns) and lists them per filter. Without
 * an authorizer every filter answers SECURITY_DISABLED. The removal is on disk (or in
 * ZooKeeper, in cluster mode) before the response is sent; a failed write answers
 * UNKNOWN_SERVER_ERROR with the reason.
 */
import { ErrorCode } from '../../protocol/errors.js';
import { errorMessage } from '../../util/errors.js';
import type { DeleteAclsRequest, DeleteAclsResponse } from '../../protocol/messages/31-delete-acls.js';
import { PatternType, filterMatches, type AclBinding } from '../../protocol/acl.js';
import { aclStoreOf } from '../auth/acl-store.js';
import { defineHandler } from '../handler.js';
import { NO_AUTHORIZER } from './29-describe-acls.js';

export const deleteAclsHandler = defineHandler<DeleteAclsRequest, DeleteAclsResponse>({
  apiKey: 31,
  minVersion: 0,
  maxVersion: 3,
  async handle(request, ctx) {
    if (!ctx.broker.config.authorizer) {
      return { throttleTimeMs: 0, filterResults: request.filters.map(() => ({ errorCode: ErrorCode.SECURITY_DISABLED, errorMessage: NO_AUTHORIZER, matchingAcls: [] })) };
    }
    const store = aclStoreOf(ctx.broker);
    const removed: AclBinding[] = [];
    const filterResults = request.filters.map((f) => {
      const filter = {
        resourceType: f.resourceTypeFilter,
        resourceName: f.resourceNameFilter,
        patternType: ctx.apiVersion === 0 ? PatternType.LITERAL : (f.patternTypeFilter ?? PatternType.LITERAL),
        principal: f.principalFilter,
        host: f.hostFilter,
        operation: f.operation,
        permissionType: f.permissionType,
      };
      const matching = store.all().filter((b) => filterMatches(filter, b));
      removed.push(...matching);
      return {
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        matchingAcls: matching.map((b) => ({ errorCode: ErrorCode.NONE, errorMessage: null, resourceType: b.resourceType, resourceName: b.resourceName, patternType: b.patternType, principal: b.principal, host: b.host, operation: b.operation, permissionType: b.permissionType })),
      };
    });
    if (removed.length === 0) return { throttleTimeMs: 0, filterResults };
    try {
      await store.remove(removed);
    } catch (err) {
      const why = `Deleting the ACLs failed: ${errorMessage(err)}`;
      return { throttleTimeMs: 0, filterResults: filterResults.map(() => ({ errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, errorMessage: why, matchingAcls: [] })) };
    }
    return { throttleTimeMs: 0, filterResults };
  },
  errorResponse(request, errorCode) {
    return { throttleTimeMs: 0, filterResults: request.filters.map(() => ({ errorCode, errorMessage: null, matchingAcls: [] })) };
  },
});
