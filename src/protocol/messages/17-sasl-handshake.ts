/** SaslHandshake (key 17): versions 0-1, never flexible. v1 means SASL tokens follow in SaslAuthenticate. */
import { message, f } from '../schema.js';

export interface SaslHandshakeRequest {
  mechanism: string;
}
export interface SaslHandshakeResponse {
  errorCode: number;
  mechanisms: string[];
}

export const saslHandshakeRequest = message<SaslHandshakeRequest>({
  name: 'SaslHandshakeRequest', type: 'request', apiKey: 17, validVersions: '0-1', flexibleVersions: 'none',
  fields: [f('mechanism', 'string', '0+')],
});

export const saslHandshakeResponse = message<SaslHandshakeResponse>({
  name: 'SaslHandshakeResponse', type: 'response', apiKey: 17, validVersions: '0-1', flexibleVersions: 'none',
  fields: [
    f('errorCode', 'int16', '0+'),
    f('mechanisms', '[]string', '0+'),
  ],
});
