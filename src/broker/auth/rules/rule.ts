/** The shape of an API's authorization rule (see ../request-authorization.ts). */
import type { RequestContext } from '../../handler.js';

/** The checks a rule may make for the request's principal and host. */
export interface Access {
  allowed(operation: number, resourceType: number, resourceName: string): boolean;
  /** Shorthand for the cluster resource. */
  cluster(operation: number): boolean;
}

export type RuleOutcome<Req, Res> = { denyAll: number } | { request: Req; merge?: (response: Res) => Res };

export interface AuthorizationRule<Req = never, Res = never> {
  apiKey: number;
  check(request: Req, access: Access, ctx: RequestContext): RuleOutcome<Req, Res>;
}

/** A rule with its message types erased, as kept in the rule list. */
export interface AnyAuthorizationRule {
  apiKey: number;
  check(request: never, access: Access, ctx: RequestContext): unknown;
}

export function defineRule<Req, Res>(rule: AuthorizationRule<Req, Res>): AuthorizationRule<Req, Res> {
  return rule;
}

