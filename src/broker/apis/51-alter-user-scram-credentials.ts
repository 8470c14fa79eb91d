/**
 * AlterUserScramCredentials (key 51), version 0: upserts (the client sends the salt and the
 * salted password; the broker stores only stored_key and server_key) and deletions, per
 * user, checked as Kafka checks them: empty user names and iterations outside 4096-16384
 * are UNACCEPTABLE_CREDENTIAL, unknown mechanisms UNSUPPORTED_SASL_MECHANISM, a
 * user/mechanism altered twice DUPLICATE_RESOURCE, deleting a missing credential
 * RESOURCE_NOT_FOUND. A user with any error has none of its changes applied.
 */
import { ErrorCode } from '../../protocol/errors.js';
import type { AlterUserScramCredentialsRequest, AlterUserScramCredentialsResponse } from '../../protocol/messages/51-alter-user-scram-credentials.js';
import { SCRAM_MAX_ITERATIONS, SCRAM_MIN_ITERATIONS, credentialFromSalted, scramMechanismById, type ScramCredential, type ScramMechanism } from '../../net/sasl/scram.js';
import { scramCredentialsOf } from '../auth/scram-credentials.js';
import { defineHandler } from '../handler.js';

interface UserError {
  errorCode: number;
  errorMessage: string;
}

export const alterUserScramCredentialsHandler = defineHandler<AlterUserScramCredentialsRequest, AlterUserScramCredentialsResponse>({
  apiKey: 51,
  minVersion: 0,
  maxVersion: 0,
  async handle(request, ctx) {
    const store = scramCredentialsOf(ctx.broker);
    const errors = new Map<string, UserError>();
    const seen = new Set<string>();
    const users: string[] = [];
    const note = (user: string, err: UserError | undefined): void => {
      if (!users.includes(user)) users.push(user);
      if (err && !errors.has(user)) errors.set(user, err);
    };
    const check = (user: string, mechanismId: number): ScramMechanism | undefined => {
      const mechanism = scramMechanismById(mechanismId);
      const key = `${user}\0${mechanismId}`;
      if (user === '') note(user, { errorCode: ErrorCode.UNACCEPTABLE_CREDENTIAL, errorMessage: 'Username must not be empty' });
      else if (!mechanism) note(user, { errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM, errorMessage: 'Unknown SCRAM mechanism' });
      else if (seen.has(key)) note(user, { errorCode: ErrorCode.DUPLICATE_RESOURCE, errorMessage: 'A user credential cannot be altered twice in the same request' });
      else note(user, undefined);
      seen.add(key);
      return mechanism;
    };
    const deletions: { user: string; mechanism: ScramMechanism }[] = [];
    for (const d of request.deletions) {
      const mechanism = check(d.name, d.mechanism);
      if (!mechanism) continue;
      if (!(await store.get(d.name, mechanism))) note(d.name, { errorCode: ErrorCode.RESOURCE_NOT_FOUND, errorMessage: 'Attempt to delete a user credential that does not exist' });
      deletions.push({ user: d.name, mechanism });
    }
    const upserts: { user: string; mechanism: ScramMechanism; credential: ScramCredential }[] = [];
    for (const u of request.upsertions) {
      const mechanism = check(u.name, u.mechanism);
      if (!mechanism) continue;
      if (u.iterations < SCRAM_MIN_ITERATIONS) note(u.name, { errorCode: ErrorCode.UNACCEPTABLE_CREDENTIAL, errorMessage: 'Too few iterations' });
      else if (u.iterations > SCRAM_MAX_ITERATIONS) note(u.name, { errorCode: ErrorCode.UNACCEPTABLE_CREDENTIAL, errorMessage: 'Too many iterations' });
      else if (u.salt.length === 0 || u.saltedPassword.length === 0) note(u.name, { errorCode: ErrorCode.UNACCEPTABLE_CREDENTIAL, errorMessage: 'Salt and salted password must not be empty' });
      upserts.push({ user: u.name, mechanism, credential: credentialFromSalted(mechanism, Buffer.from(u.saltedPassword), Buffer.from(u.salt), u.iterations) });
    }
    await store.alter(
      upserts.filter((u) => !errors.has(u.user)),
      deletions.filter((d) => !errors.has(d.user)),
    );
    return {
      throttleTimeMs: 0,
      results: users.map((user) => ({ user, errorCode: errors.get(user)?.errorCode ?? ErrorCode.NONE, errorMessage: errors.get(user)?.errorMessage ?? null })),
    };
  },
  errorResponse(request, errorCode) {
    const users = [...new Set([...request.deletions, ...request.upsertions].map((x) => x.name))];
    return { throttleTimeMs: 0, results: users.map((user) => ({ user, errorCode, errorMessage: null })) };
  },
});
