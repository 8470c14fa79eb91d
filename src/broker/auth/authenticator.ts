/**
 * The broker's side of SASL, per connection, as Kafka's SaslServerAuthenticator runs it:
 * - Before authentication only ApiVersions, SaslHandshake and SaslAuthenticate are
 *   served; anything else closes the connection.
 * - SaslHandshake v1 picks the mechanism; SaslAuthenticate requests then carry the tokens.
 *   SaslHandshake v0 means the client sends the tokens as bare size-prefixed frames
 *   without a request header (Kafka 0.10 clients), answered the same way.
 * - A failed exchange answers SASL_AUTHENTICATION_FAILED and closes the connection.
 * - KIP-368: with connections.max.reauth.ms, SaslAuthenticate v1+ tells the client the
 *   session lifetime; an expired session may only re-authenticate (same mechanism,
 *   same user); any other request closes the connection.
 * Failed logins are logged, at most FAILURE_LOG_LIMIT lines a minute.
 */
import { ErrorCode } from '../../protocol/errors.js';
import { CloseConnection, type ConnectionSession } from '../../net/server-connection.js';
import { decodePlainToken, secretsEqual } from '../../net/sasl/plain.js';
import { ScramError, ScramServer, isScramMechanism, scramClientFirstUser } from '../../net/sasl/scram.js';
import type { BrokerContext, RequestContext } from '../handler.js';
import { scramCredentialsOf } from './scram-credentials.js';
import type { ListenerSecurity } from './listener-security.js';

const API_VERSIONS = 18;
const SASL_HANDSHAKE = 17;
const SASL_AUTHENTICATE = 36;
const FAILURE_LOG_LIMIT = 10;

interface SaslState {
  phase: 'handshake' | 'authenticate' | 'raw';
  mechanism?: string;
  scram?: ScramServer;
  /** Set once authenticated: re-authentication must keep the user and mechanism. */
  user?: string;
  authenticatedMechanism?: string;
  expiresAtMs?: number;
}

const states = new WeakMap<ConnectionSession, SaslState>();

function stateOf(session: ConnectionSession): SaslState {
  let s = states.get(session);
  if (!s) states.set(session, (s = { phase: 'handshake' }));
  return s;
}

/** True when the next frame on this connection is a bare SASL token (after SaslHandshake v0). */
export function expectsRawToken(session: ConnectionSession): boolean {
  return states.get(session)?.phase === 'raw';
}

/** Refuses (closes) requests an unauthenticated or expired session may not send. */
export function checkSessionMaySend(session: ConnectionSession, apiKey: number, nowMs: number, what: string): void {
  if (!session.authenticated) {
    if (apiKey !== API_VERSIONS && apiKey !== SASL_HANDSHAKE && apiKey !== SASL_AUTHENTICATE) {
      throw new CloseConnection(`${what} before SASL authentication on a ${session.securityProtocol} listener`);
    }
    return;
  }
  const s = states.get(session);
  if (s?.expiresAtMs !== undefined && nowMs > s.expiresAtMs && apiKey !== SASL_HANDSHAKE && apiKey !== SASL_AUTHENTICATE) {
    throw new CloseConnection(`SASL session of ${session.principal} expired (connections.max.reauth.ms) and was not re-authenticated`);
  }
}

export interface HandshakeResult {
  errorCode: number;
  mechanisms: string[];
}

export function saslHandshake(ctx: RequestContext, mechanism: string): HandshakeResult {
  const session = ctx.session;
  const security = ctx.session ? ctx.broker.config.listenerSecurity.get(ctx.listenerName) : undefined;
  if (!session || !security || security.saslMechanisms.length === 0) return { errorCode: ErrorCode.ILLEGAL_SASL_STATE, mechanisms: [] };
  const mechanisms = security.saslMechanisms;
  const s = stateOf(session);
  if (session.authenticated && (ctx.apiVersion === 0 || s.authenticatedMechanism !== mechanism)) {
    ctx.closeConnectionAfterResponse(`re-authentication must use SaslHandshake v1 and the same mechanism (${s.authenticatedMechanism})`);
    return { errorCode: ErrorCode.ILLEGAL_SASL_STATE, mechanisms };
  }
  if (s.phase !== 'handshake' && !session.authenticated) {
    ctx.closeConnectionAfterResponse('unexpected SaslHandshake during a SASL exchange');
    return { errorCode: ErrorCode.ILLEGAL_SASL_STATE, mechanisms };
  }
  if (!mechanisms.includes(mechanism)) {
    ctx.closeConnectionAfterResponse(`client asked for SASL mechanism ${mechanism}; enabled: ${mechanisms.join(', ')}`);
    return { errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM, mechanisms };
  }
  s.mechanism = mechanism;
  s.scram = undefined;
  s.phase = ctx.apiVersion === 0 ? 'raw' : 'authenticate';
  return { errorCode: ErrorCode.NONE, mechanisms };
}

export interface AuthenticateResult {
  errorCode: number;
  errorMessage: string | null;
  authBytes: Buffer;
  sessionLifetimeMs: number;
}

export async function saslAuthenticate(ctx: RequestContext, token: Buffer): Promise<AuthenticateResult> {
  const session = ctx.session;
  const security = session ? ctx.broker.config.listenerSecurity.get(ctx.listenerName) : undefined;
  const s = session ? states.get(session) : undefined;
  if (!session || !security || !s || s.phase !== 'authenticate') {
    if (session && security?.saslMechanisms.length) ctx.closeConnectionAfterResponse('SaslAuthenticate without SaslHandshake v1');
    return { errorCode: ErrorCode.ILLEGAL_SASL_STATE, errorMessage: 'SaslAuthenticate is only valid after SaslHandshake v1', authBytes: Buffer.alloc(0), sessionLifetimeMs: 0 };
  }
  const step = await evaluate(ctx.broker, security, session, s, token, ctx.clientHost, ctx.broker.nowMs());
  if (step.failed) {
    ctx.closeConnectionAfterResponse(`SASL authentication of ${session.principal === 'User:ANONYMOUS' ? 'a client' : session.principal} failed`);
    return { errorCode: ErrorCode.SASL_AUTHENTICATION_FAILED, errorMessage: step.failed, authBytes: Buffer.alloc(0), sessionLifetimeMs: 0 };
  }
  const lifetime = step.done && security.reauthMs > 0 && ctx.apiVersion >= 1 ? security.reauthMs : 0;
  return { errorCode: ErrorCode.NONE, errorMessage: null, authBytes: step.response, sessionLifetimeMs: lifetime };
}

/** A bare token frame after SaslHandshake v0: the size-prefixed answer, or the connection closes. */
export async function rawSaslToken(broker: BrokerContext, listenerName: string, session: ConnectionSession, frame: Buffer, clientHost: string): Promise<Buffer[]> {
  const security = broker.config.listenerSecurity.get(listenerName);
  const s = stateOf(session);
  if (!security) throw new CloseConnection('SASL token on a listener without SASL');
  const step = await evaluate(broker, security, session, s, frame, clientHost, broker.nowMs());
  if (step.failed) throw new CloseConnection(`SASL authentication failed: ${step.failed}`);
  const size = Buffer.alloc(4);
  size.writeInt32BE(step.response.length);
  return [size, step.response];
}

interface Step {
  response: Buffer;
  done: boolean;
  failed?: string;
}

async function evaluate(broker: BrokerContext, security: ListenerSecurity, session: ConnectionSession, s: SaslState, token: Buffer, clientHost: string, nowMs: number): Promise<Step> {
  const mechanism = s.mechanism!;
  let user: string | undefined;
  let response: Buffer = Buffer.alloc(0);
  if (mechanism === 'PLAIN') {
    const plain = decodePlainToken(token);
    const expected = plain ? security.plainUsers.get(plain.user) : undefined;
    // Compare against something even for an unknown user: no timing hint that the user exists.
    const ok = plain !== undefined && secretsEqual(plain.password, expected ?? '\0unknown-user') && expected !== undefined;
    if (!ok) return fail(broker, 'Authentication failed: Invalid username or password', plain?.user, mechanism, clientHost);
    user = plain.user;
  } else if (isScramMechanism(mechanism)) {
    if (!s.scram) {
      // The credential is fetched before the exchange (from ZooKeeper in cluster mode).
      const named = scramClientFirstUser(token);
      const credential = named === undefined ? undefined : await scramCredentialsOf(broker).get(named, mechanism);
      s.scram = new ScramServer(mechanism, () => credential);
    }
    try {
      response = s.scram.evaluate(token);
    } catch (err) {
      const why = err instanceof ScramError && err.message !== 'Authentication failed' ? `: ${err.message}` : '';
      return fail(broker, `Authentication failed during authentication due to invalid credentials with SASL mechanism ${mechanism}${why}`, s.scram.user, mechanism, clientHost);
    }
    if (!s.scram.complete) return { response, done: false };
    user = s.scram.user!;
  } else {
    return fail(broker, `Unsupported SASL mechanism ${mechanism}`, undefined, mechanism, clientHost);
  }
  if (session.authenticated && s.user !== undefined && s.user !== user) {
    return fail(broker, `Re-authentication as ${user} on a connection authenticated as ${s.user} is not allowed`, user, mechanism, clientHost);
  }
  if (session.authenticated) broker.log.debug(`Re-authenticated User:${user} (${mechanism}) from ${clientHost}`);
  session.principal = `User:${user}`;
  session.authenticated = true;
  s.user = user;
  s.authenticatedMechanism = mechanism;
  s.phase = 'handshake';
  s.scram = undefined;
  s.expiresAtMs = security.reauthMs > 0 ? nowMs + security.reauthMs : undefined;
  return { response, done: true };
}

interface FailureWindow {
  startMs: number;
  count: number;
}

/** Per broker: several brokers may run in one process (tests, local mode). */
const failureWindows = new WeakMap<BrokerContext, FailureWindow>();

function fail(broker: BrokerContext, message: string, user: string | undefined, mechanism: string, clientHost: string): Step {
  const now = Date.now();
  let w = failureWindows.get(broker);
  if (!w) failureWindows.set(broker, (w = { startMs: now, count: 0 }));
  if (now - w.startMs > 60_000) {
    if (w.count > FAILURE_LOG_LIMIT) broker.log.warn(`${w.count - FAILURE_LOG_LIMIT} more failed SASL authentications in the last minute were not logged`);
    w.startMs = now;
    w.count = 0;
  }
  if (++w.count <= FAILURE_LOG_LIMIT) {
    broker.log.info(`Failed SASL ${mechanism} authentication from ${clientHost}${user !== undefined ? ` for user ${JSON.stringify(user)}` : ''}`);
  } else if (w.count === FAILURE_LOG_LIMIT + 1) {
    broker.log.warn(`More than ${FAILURE_LOG_LIMIT} failed SASL authentications within a minute: the next ones are counted, not logged, until the minute is over`);
  }
  return { response: Buffer.alloc(0), done: false, failed: message };
}
