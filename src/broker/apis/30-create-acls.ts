/**
 * CreateAcls (key 30), versions 0-3: stores each valid binding (v0: LITERAL patterns) and
 * answers per creation; an invalid one (unknown type, a MATCH/ANY pattern, an operation the
 * resource type does not have, a principal without a type) is INVALID_REQUEST with the
 * reason. Without an authorizer every creation answers SECURITY_DISABLED. The ACLs are on
 * disk (or in ZooKeeper, in cluster mode) before the response is sent; a failed write answers
 * UNKNOWN_SERVER_ERROR with the reason.
 */
import { ErrorCode } from '../../protocol/errors.js';
import { errorMessage } from '../../util/errors.js';
import type { CreateAclsRequest, CreateAclsResponse } from '../../protocol/messages/30-create-acls.js';
import { PatternType, invalidBinding, type AclBinding } from '../../protocol/acl.js';
import { aclStoreOf } from '../auth/acl-store.js';
import { defineHandler } from '../handler.js';
import { NO_AUTHORIZER } from './29-describe-acls.js';

export const createAclsHandler = defineHandler<CreateAclsRequest, CreateAclsResponse>({
  apiKey: 30,
  minVersion: 0,
  maxVersion: 3,
  async handle(request, ctx) {
    if (!ctx.broker.config.authorizer) {
      return { throttleTimeMs: 0, results: request.creations.map(() => ({ errorCode: ErrorCode.SECURITY_DISABLED, errorMessage: NO_AUTHORIZER })) };
    }
    const valid: AclBinding[] = [];
    const results = request.creations.map((c) => {
      const binding: AclBinding = {
        resourceType: c.resourceType,
        resourceName: c.resourceName,
        patternType: ctx.apiVersion === 0 ? PatternType.LITERAL : (c.resourcePatternType ?? PatternType.LITERAL),
        principal: c.principal,
        host: c.host,
        operation: c.operation,
        permissionType: c.permissionType,
      };
      const why = invalidBinding(binding);
      if (why) return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: why };
      valid.push(binding);
      return { errorCode: ErrorCode.NONE, errorMessage: null };
    });
    if (valid.length === 0) return { throttleTimeMs: 0, results };
    try {
      await aclStoreOf(ctx.broker).add(valid);
    } catch (err) {
      // Nothing is half-acknowledged: the creations not known to be stored report the failure.
      const why = `Storing the ACLs failed: ${errorMessage(err)}`;
      return { throttleTimeMs: 0, results: results.map((r) => (r.errorCode === ErrorCode.NONE ? { errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, errorMessage: why } : r)) };
    }
    return { throttleTimeMs: 0, results };
  },
  errorResponse(request, errorCode) {
    return { throttleTimeMs: 0, results: request.creations.map(() => ({ errorCode, errorMessage: null })) };
  },
});
