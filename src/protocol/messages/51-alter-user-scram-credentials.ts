/** AlterUserScramCredentials (key 51): version 0, flexible. Mechanism 1 = SCRAM-SHA-256, 2 = SCRAM-SHA-512. */
import { message, f, arr } from '../schema.js';

export interface ScramCredentialDeletion {
  name: string;
  mechanism: number;
}
export interface ScramCredentialUpsertion {
  name: string;
  mechanism: number;
  iterations: number;
  salt: Buffer;
  saltedPassword: Buffer;
}
export interface AlterUserScramCredentialsRequest {
  deletions: ScramCredentialDeletion[];
  upsertions: ScramCredentialUpsertion[];
}

export interface AlterUserScramCredentialsResult {
  user: string;
  errorCode: number;
  errorMessage: string | null;
}
export interface AlterUserScramCredentialsResponse {
  throttleTimeMs: number;
  results: AlterUserScramCredentialsResult[];
}

export const alterUserScramCredentialsRequest = message<AlterUserScramCredentialsRequest>({
  name: 'AlterUserScramCredentialsRequest', type: 'request', apiKey: 51, validVersions: '0', flexibleVersions: '0+',
  fields: [
    arr('deletions', '0+', [
      f('name', 'string', '0+'),
      f('mechanism', 'int8', '0+'),
    ]),
    arr('upsertions', '0+', [
      f('name', 'string', '0+'),
      f('mechanism', 'int8', '0+'),
      f('iterations', 'int32', '0+'),
      f('salt', 'bytes', '0+'),
      f('saltedPassword', 'bytes', '0+'),
    ]),
  ],
});

export const alterUserScramCredentialsResponse = message<AlterUserScramCredentialsResponse>({
  name: 'AlterUserScramCredentialsResponse', type: 'response', apiKey: 51, validVersions: '0', flexibleVersions: '0+',
  fields: [
    f('throttleTimeMs', 'int32', '0+'),
    arr('results', '0+', [
      f('user', 'string', '0+'),
      f('errorCode', 'int16', '0+'),
      f('errorMessage', 'string', '0+', { nullable: true }),
    ]),
  ],
});
