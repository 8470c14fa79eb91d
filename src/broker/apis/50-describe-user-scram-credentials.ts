/**
 * DescribeUserScramCredentials (key 50), version 0: the mechanisms and iterations of each
 * user's SCRAM credentials (never the salt or keys). No users (null or empty) = every user;
 * a named user without credentials is RESOURCE_NOT_FOUND, a user named twice
 * DUPLICATE_RESOURCE, with Kafka's messages.
 */
import { ErrorCode } from '../../protocol/errors.js';
import type { DescribeUserScramCredentialsRequest, DescribeUserScramCredentialsResponse, DescribeUserScramCredentialsResult } from '../../protocol/messages/50-describe-user-scram-credentials.js';
import { SCRAM_MECHANISM_IDS } from '../../net/sasl/scram.js';
import { scramCredentialsOf } from '../auth/scram-credentials.js';
import { defineHandler } from '../handler.js';

export const describeUserScramCredentialsHandler = defineHandler<DescribeUserScramCredentialsRequest, DescribeUserScramCredentialsResponse>({
  apiKey: 50,
  minVersion: 0,
  maxVersion: 0,
  async handle(request, ctx) {
    const all = await scramCredentialsOf(ctx.broker).list();
    const asResult = (u: (typeof all)[number]): DescribeUserScramCredentialsResult => ({
      user: u.user,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      credentialInfos: u.credentials.map((c) => ({ mechanism: SCRAM_MECHANISM_IDS[c.mechanism], iterations: c.iterations })),
    });
    if (!request.users || request.users.length === 0) return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, results: all.map(asResult) };
    const counts = new Map<string, number>();
    for (const u of request.users) counts.set(u.name, (counts.get(u.name) ?? 0) + 1);
    const results = [...counts.entries()].map(([name, count]): DescribeUserScramCredentialsResult => {
      const error = (errorCode: number, errorMessage: string): DescribeUserScramCredentialsResult => ({ user: name, errorCode, errorMessage, credentialInfos: [] });
      if (count > 1) return error(ErrorCode.DUPLICATE_RESOURCE, 'Cannot describe SCRAM credentials for the same user twice in a single request');
      const found = all.find((u) => u.user === name);
      return found ? asResult(found) : error(ErrorCode.RESOURCE_NOT_FOUND, 'Attempt to describe a user credential that does not exist');
    });
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, results };
  },
  errorResponse(_request, errorCode) {
    return { throttleTimeMs: 0, errorCode, errorMessage: null, results: [] };
  },
});
