/** SaslAuthenticate (key 36): versions 0-2, flexible from 2. Carries opaque SASL tokens. */
import { message, f } from '../schema.js';

export interface SaslAuthenticateRequest {
  authBytes: Buffer;
}
export interface SaslAuthenticateResponse {
  errorCode: number;
  errorMessage: string | null;
  authBytes: Buffer;
  sessionLifetimeMs?: number;
}

export const saslAuthenticateRequest = message<SaslAuthenticateRequest>({
  name: 'SaslAuthenticateRequest', type: 'request', apiKey: 36, validVersions: '0-2', flexibleVersions: '2+',
  fields: [f('authBytes', 'bytes', '0+')],
});

export const saslAuthenticateResponse = message<SaslAuthenticateResponse>({
  name: 'SaslAuthenticateResponse', type: 'response', apiKey: 36, validVersions: '0-2', flexibleVersions: '2+',
  fields: [
    f('errorCode', 'int16', '0+'),
    f('errorMessage', 'string', '0+', { nullable: true }),
    f('authBytes', 'bytes', '0+'),
    f('sessionLifetimeMs', 'int64', '1+', { default: 0 }),
  ],
});
