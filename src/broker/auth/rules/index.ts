/** Every API's authorization rule, by API key (see request-authorization.ts). */
import type { AnyAuthorizationRule } from './rule.js';
import { clusterRules } from './cluster.js';
import { groupRules } from './groups.js';
import { topicRules } from './topics.js';
import { transactionRules } from './transactions.js';

export const AUTHORIZATION_RULES: ReadonlyMap<number, AnyAuthorizationRule> = new Map(
  [...topicRules, ...groupRules, ...transactionRules, ...clusterRules].map((r) => [r.apiKey, r]),
);
