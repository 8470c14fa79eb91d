/** DescribeUserScramCredentials (key 50): version 0, flexible. A null user list describes all users. */
import { message, f, arr } from '../schema.js';

export interface ScramUserName {
  name: string;
}
export interface DescribeUserScramCredentialsRequest {
  users: ScramUserName[] | null;
}

export interface ScramCredentialInfo {
  mechanism: number;
  iterations: number;
}
export interface DescribeUserScramCredentialsResult {
  user: string;
  errorCode: number;
  errorMessage: string | null;
  credentialInfos: ScramCredentialInfo[];
}
export interface DescribeUserScramCredentialsResponse {
  throttleTimeMs: number;
  errorCode: number;
  errorMessage: string | null;
  results: DescribeUserScramCredentialsResult[];
}

export const describeUserScramCredentialsRequest = message<DescribeUserScramCredentialsRequest>({
  name: 'DescribeUserScramCredentialsRequest', type: 'request', apiKey: 50, validVersions: '0', flexibleVersions: '0+',
  fields: [arr('users', '0+', [f('name', 'string', '0+')], { nullable: true })],
});

export const describeUserScramCredentialsResponse = message<DescribeUserScramCredentialsResponse>({
  name: 'DescribeUserScramCredentialsResponse', type: 'response', apiKey: 50, validVersions: '0', flexibleVersions: '0+',
  fields: [
    f('throttleTimeMs', 'int32', '0+'),
    f('errorCode', 'int16', '0+'),
    f('errorMessage', 'string', '0+', { nullable: true }),
    arr('results', '0+', [
      f('user', 'string', '0+'),
      f('errorCode', 'int16', '0+'),
      f('errorMessage', 'string', '0+', { nullable: true }),
      arr('credentialInfos', '0+', [
        f('mechanism', 'int8', '0+'),
        f('iterations', 'int32', '0+'),
      ]),
    ]),
  ],
});
