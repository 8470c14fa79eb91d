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
import { apiName } from '../../protocol/apis.js';
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
  const outcome = (rule.check as ErasedCheck)(request, access, ctx);
  if ('denyAll' in outcome && outcome.denyAll === ErrorCode.CLUSTER_AUTHORIZATION_FAILED && isInterBrokerRequest(apiKey, request)) reportDeniedBroker(apiKey, ctx);
  return outcome;
}

/** LeaderAndIsr, StopReplica, UpdateMetadata, ControlledShutdown, WriteTxnMarkers; Fetch and OffsetForLeaderEpoch from a replica. */
function isInterBrokerRequest(apiKey: number, request: unknown): boolean {
  if ([4, 5, 6, 7, 27].includes(apiKey)) return true;
  if (apiKey !== 1 && apiKey !== 23) return false;
  const r = request as { replicaId?: number; replicaState?: { replicaId?: number } };
  return (r.replicaState?.replicaId ?? r.replicaId ?? -1) >= 0;
}

const reported = new WeakMap<object, Set<string>>();

/**
 * A broker refused by another broker's authorizer cannot replicate or be controlled; say why
 * and how to fix it, once per principal and API (a bounded number of lines).
 */
function reportDeniedBroker(apiKey: number, ctx: RequestContext): void {
  let seen = reported.get(ctx.broker);
  if (!seen) reported.set(ctx.broker, (seen = new Set()));
  const key = `${ctx.principal}\0${apiKey}`;
  if (seen.has(key)) return;
  seen.add(key);
  ctx.broker.log.warn(
    `Denied ${apiName(apiKey)} (key ${apiKey}) to ${ctx.principal} from ${ctx.clientHost} on listener ${ctx.listenerName}: inter-broker requests need ClusterAction on the cluster. ` +
      `If ${ctx.principal} is a broker, add it to super.users (super.users=${ctx.principal}, as Kafka requires for the brokers' principal) ` +
      `or grant it: kts acls --add --allow-principal ${ctx.principal} --operation ClusterAction --cluster`,
  );
}
