/**
 * The client side of SASL on a negotiated connection: SaslHandshake v1, then
 * SaslAuthenticate rounds (PLAIN: one; SCRAM: two, with the broker's signature checked).
 * With a session lifetime (KIP-368) the connection re-authenticates before it ends.
 */
import { ErrorCode, KafkaError } from '../../protocol/errors.js';
import { KtsError } from '../../util/errors.js';
import type { BrokerConnection } from '../broker-connection.js';
import { encodePlainToken } from './plain.js';
import { ScramClient, ScramError, isScramMechanism } from './scram.js';

export interface SaslClientSettings {
  mechanism: string;
  username: string;
  password: string;
}

const SASL_HANDSHAKE = 17;
const SASL_AUTHENTICATE = 36;

export async function authenticateSasl(conn: BrokerConnection, sasl: SaslClientSettings): Promise<void> {
  const lifetimeMs = await exchange(conn, sasl);
  if (lifetimeMs > 0) keepAuthenticated(conn, sasl, lifetimeMs);
}

/** One handshake + exchange; resolves with the session lifetime (0 = unlimited). */
async function exchange(conn: BrokerConnection, sasl: SaslClientSettings): Promise<number> {
  const handshake = await conn.call(SASL_HANDSHAKE, () => ({ mechanism: sasl.mechanism }), { minVersion: 1, maxVersion: 1 });
  if (handshake.body.errorCode === ErrorCode.UNSUPPORTED_SASL_MECHANISM) {
    throw new KtsError('KTS_SASL', `Broker ${conn.address} does not enable SASL mechanism ${sasl.mechanism}; it enables ${handshake.body.mechanisms.join(', ') || 'none'}.`, 'Set sasl.mechanism to one of those.');
  }
  if (handshake.body.errorCode !== ErrorCode.NONE) {
    throw new KafkaError(handshake.body.errorCode, `SASL handshake with ${conn.address} failed (is this listener SASL_PLAINTEXT or SASL_SSL? check security.protocol)`);
  }
  const round = async (token: Buffer): Promise<{ token: Buffer; lifetimeMs: number }> => {
    const r = await conn.call(SASL_AUTHENTICATE, () => ({ authBytes: token }));
    if (r.body.errorCode !== ErrorCode.NONE) {
      throw new KtsError(
        'KTS_SASL_AUTHENTICATION_FAILED',
        `SASL authentication with ${conn.address} failed: ${r.body.errorMessage ?? 'SASL_AUTHENTICATION_FAILED'}`,
        'Check sasl.jaas.config (username and password) and sasl.mechanism.',
      );
    }
    return { token: r.body.authBytes, lifetimeMs: Number(r.body.sessionLifetimeMs ?? 0) };
  };
  if (sasl.mechanism === 'PLAIN') return (await round(encodePlainToken(sasl.username, sasl.password))).lifetimeMs;
  if (!isScramMechanism(sasl.mechanism)) throw new KtsError('KTS_SASL', `SASL mechanism ${sasl.mechanism} is not supported by kts.`, 'Use PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512.');
  const scram = new ScramClient(sasl.mechanism, sasl.username, sasl.password);
  const serverFirst = await round(scram.firstMessage());
  try {
    const serverFinal = await round(scram.finalMessage(serverFirst.token));
    scram.verifyServerFinal(serverFinal.token);
    return serverFinal.lifetimeMs;
  } catch (err) {
    if (err instanceof ScramError) throw new KtsError('KTS_SASL_AUTHENTICATION_FAILED', `SASL authentication with ${conn.address} failed: ${err.message}`);
    throw err;
  }
}

/**
 * Re-authenticates at about 85% of the session lifetime, as Kafka's Java client does (KIP-368):
 * by a timer, and before any request sent once that point has passed (a timer can fire late on
 * a busy machine, and the broker closes a connection whose session ended).
 */
function keepAuthenticated(conn: BrokerConnection, sasl: SaslClientSettings, lifetimeMs: number): void {
  let dueAtMs = 0;
  let inFlight: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  const schedule = (ms: number): void => {
    dueAtMs = Date.now() + Math.max(1, Math.floor(ms * 0.85));
    timer = setTimeout(() => void reauthenticate().catch(() => undefined), dueAtMs - Date.now());
    timer.unref();
  };
  const reauthenticate = (): Promise<void> => {
    if (inFlight) return inFlight;
    clearTimeout(timer);
    if (!conn.channel.isOpen) return Promise.resolve();
    inFlight = exchange(conn, sasl).then(
      (next) => {
        inFlight = undefined;
        if (next > 0) schedule(next);
        else dueAtMs = Number.POSITIVE_INFINITY;
      },
      (err: unknown) => {
        inFlight = undefined;
        conn.channel.close();
        throw err;
      },
    );
    return inFlight;
  };
  conn.setReauthenticationGate(() => inFlight ?? (Date.now() >= dueAtMs ? reauthenticate() : undefined));
  schedule(lifetimeMs);
}
