/**
 * Authorization of requests, in one place: the router asks `authorizeRequest` before a
 * handler runs. Each API's rule (auth/rules/) checks what Kafka checks for that API and
 * either refuses the whole request with the error Kafka returns (CLUSTER_AUTHORIZATION_FAILED,
 * GROUP_AUTHORIZATION_FAILED, TRANSACTIONAL_ID_AUTHORIZATION_FAILED, ...) or narrows it to
 * the authorized topics/groups/resources and merges the denied ones back into the response
 * with their error. Handlers never see what the principal may not touch.
 *
 * An API without a rule needs ALTER on the cluster: a new API is closed until someone
 * writes its rule, never open by accident.
 */
import { ErrorCode } from '../../protocol/errors.js';
import type { RequestContext } from '../handler.js';
import { AclOperation, CLUSTER_NAME, ResourceType } from '../../protocol/acl.js';
import { authorizerOf } from './authorizer.js';
import { AUTHORIZATION_RULES } from './rules/index.js';
import type { Access } from './rules/rule.js';

export type AuthorizationOutcome = { denyAll: number } | { request: unknown; merge?: (response: unknown) => unknown };

type ErasedCheck = (request: unknown, access: Access, ctx: RequestContext) => AuthorizationOutcome;

/** Null when no authorizer is configured or the request comes in-process (the data dir's owner). */
export function authorizeRequest(apiKey: number, request: unknown, ctx: RequestContext): AuthorizationOutcome | null {
  const authorizer = authorizerOf(ctx.broker);
  if (!authorizer || !ctx.session) return null;
  const host = ctx.clientHost;
  const access: Access = {
    allowed: (operation, resourceType, name) => authorizer.authorize(ctx.principal, host, operation, resourceType, name),
    cluster: (operation) => authorizer.authorize(ctx.principal, host, operation, ResourceType.CLUSTER, CLUSTER_NAME),
  };
  const rule = AUTHORIZATION_RULES.get(apiKey);
  if (!rule) return access.cluster(AclOperation.ALTER) ? null : { denyAll: ErrorCode.CLUSTER_AUTHORIZATION_FAILED };
  return (rule.check as ErasedCheck)(request, access, ctx);
}
