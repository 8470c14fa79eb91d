/**
 * SaslHandshake (key 17), versions 0-1: picks the SASL mechanism for this connection and
 * lists the listener's enabled mechanisms. v0: the tokens follow as bare frames; v1: in
 * SaslAuthenticate requests. An unknown mechanism answers UNSUPPORTED_SASL_MECHANISM and
 * closes the connection; on a listener without SASL the answer is ILLEGAL_SASL_STATE, as
 * in Kafka. The state machine is in auth/authenticator.ts.
 */
import type { SaslHandshakeRequest, SaslHandshakeResponse } from '../../protocol/messages/17-sasl-handshake.js';
import { saslHandshake } from '../auth/authenticator.js';
import { defineHandler } from '../handler.js';

export const saslHandshakeHandler = defineHandler<SaslHandshakeRequest, SaslHandshakeResponse>({
  apiKey: 17,
  minVersion: 0,
  maxVersion: 1,
  // Tokens that follow must find the mechanism chosen.
  serializePerConnection: true,
  handle(request, ctx) {
    return saslHandshake(ctx, request.mechanism);
  },
});
