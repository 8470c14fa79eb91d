/**
 * CreateAcls (key 30), versions 0-3: stores each valid binding (v0: LITERAL patterns) and
 * answers per creation; an invalid one (unknown type, a MATCH/ANY pattern, an operation the
 * resource type does not have, a principal without a type) is INVALID_REQUEST with the
 * reason. Without an authorizer every creation answers SECURITY_DISABLED. The ACLs are on
 * disk before the response is sent.
 */
import { ErrorCode } from '../../protocol/errors.js';
import type { CreateAclsRequest, CreateAclsResponse } from '../../protocol/messages/30-create-acls.js';
import { PatternType, invalidBinding, type AclBinding } from '../../protocol/acl.js';
import { aclStoreOf } from '../auth/acl-store.js';
import { defineHandler } from '../handler.js';
import { NO_AUTHORIZER } from './29-describe-acls.js';

export const createAclsHandler = defineHandler<CreateAclsRequest, CreateAclsResponse>({
  apiKey: 30,
  minVersion: 0,
  maxVersion: 3,
  handle(request, ctx) {
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
    if (valid.length > 0) aclStoreOf(ctx.broker).add(valid);
    return { throttleTimeMs: 0, results };
  },
  errorResponse(request, errorCode) {
    return { throttleTimeMs: 0, results: request.creations.map(() => ({ errorCode, errorMessage: null })) };
  },
});
