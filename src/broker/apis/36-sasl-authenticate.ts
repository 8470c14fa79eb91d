/**
 * SaslAuthenticate (key 36), versions 0-2: one SASL token in, one out (PLAIN: one round;
 * SCRAM: two). A failed exchange answers SASL_AUTHENTICATION_FAILED with Kafka's message
 * and closes the connection. v1+ carries the session lifetime (connections.max.reauth.ms,
 * KIP-368). The state machine is in auth/authenticator.ts.
 */
import type { SaslAuthenticateRequest, SaslAuthenticateResponse } from '../../protocol/messages/36-sasl-authenticate.js';
import { saslAuthenticate } from '../auth/authenticator.js';
import { defineHandler } from '../handler.js';

export const saslAuthenticateHandler = defineHandler<SaslAuthenticateRequest, SaslAuthenticateResponse>({
  apiKey: 36,
  minVersion: 0,
  maxVersion: 2,
  serializePerConnection: true,
  handle(request, ctx) {
    return saslAuthenticate(ctx, request.authBytes);
  },
});
