/**
 * SCRAM-SHA-256 / SCRAM-SHA-512 (RFC 5802, RFC 7677) as Kafka speaks them: the key
 * derivations, the four messages, and the credential form Kafka stores
 * (`salt=...,stored_key=...,server_key=...,iterations=N`, base64 values).
 * Used by the broker (server side) and the kts client (client side).
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

export type ScramMechanism = 'SCRAM-SHA-256' | 'SCRAM-SHA-512';
export const SCRAM_MECHANISMS: readonly ScramMechanism[] = ['SCRAM-SHA-256', 'SCRAM-SHA-512'];
/** Kafka's ScramMechanism ids on the wire (DescribeUserScramCredentials, AlterUserScramCredentials). */
export const SCRAM_MECHANISM_IDS: Readonly<Record<ScramMechanism, number>> = { 'SCRAM-SHA-256': 1, 'SCRAM-SHA-512': 2 };
export const SCRAM_MIN_ITERATIONS = 4096;
export const SCRAM_MAX_ITERATIONS = 16384;

export interface ScramCredential {
  salt: Buffer;
  storedKey: Buffer;
  serverKey: Buffer;
  iterations: number;
}

const hashOf = (mechanism: ScramMechanism): 'sha256' | 'sha512' => (mechanism === 'SCRAM-SHA-256' ? 'sha256' : 'sha512');

export function isScramMechanism(name: string): name is ScramMechanism {
  return (SCRAM_MECHANISMS as readonly string[]).includes(name);
}

export function scramMechanismById(id: number): ScramMechanism | undefined {
  return SCRAM_MECHANISMS.find((m) => SCRAM_MECHANISM_IDS[m] === id);
}

export function saltedPassword(mechanism: ScramMechanism, password: string, salt: Buffer, iterations: number): Buffer {
  const hash = hashOf(mechanism);
  return pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, hash === 'sha256' ? 32 : 64, hash);
}

const hmac = (mechanism: ScramMechanism, key: Buffer, data: string | Buffer): Buffer => createHmac(hashOf(mechanism), key).update(data).digest();
const digest = (mechanism: ScramMechanism, data: Buffer): Buffer => createHash(hashOf(mechanism)).update(data).digest();

/** The stored form of a salted password (what AlterUserScramCredentials carries). */
export function credentialFromSalted(mechanism: ScramMechanism, salted: Buffer, salt: Buffer, iterations: number): ScramCredential {
  const clientKey = hmac(mechanism, salted, 'Client Key');
  return { salt, storedKey: digest(mechanism, clientKey), serverKey: hmac(mechanism, salted, 'Server Key'), iterations };
}

export function newCredential(mechanism: ScramMechanism, password: string, iterations: number): ScramCredential {
  const salt = randomBytes(32);
  return credentialFromSalted(mechanism, saltedPassword(mechanism, password, salt, iterations), salt, iterations);
}

export function formatCredential(c: ScramCredential): string {
  return `salt=${c.salt.toString('base64')},stored_key=${c.storedKey.toString('base64')},server_key=${c.serverKey.toString('base64')},iterations=${c.iterations}`;
}

export function parseCredential(text: string): ScramCredential | undefined {
  const attrs = attributes(text);
  const iterations = Number(attrs.get('iterations'));
  const salt = attrs.get('salt');
  const storedKey = attrs.get('stored_key');
  const serverKey = attrs.get('server_key');
  if (!salt || !storedKey || !serverKey || !Number.isInteger(iterations)) return undefined;
  return { salt: Buffer.from(salt, 'base64'), storedKey: Buffer.from(storedKey, 'base64'), serverKey: Buffer.from(serverKey, 'base64'), iterations };
}

/** `a=1,b=2` → map; a value may contain '=' (base64 padding). */
function attributes(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) out.set(part.slice(0, eq), part.slice(eq + 1));
  }
  return out;
}

/** RFC 5802 saslname: ',' → =2C, '=' → =3D. */
export const escapeSaslName = (name: string): string => name.replace(/=/g, '=3D').replace(/,/g, '=2C');
export function unescapeSaslName(name: string): string | undefined {
  if (/=(?!2C|3D)/.test(name)) return undefined;
  return name.replace(/=2C/g, ',').replace(/=3D/g, '=');
}

export const scramNonce = (): string => randomBytes(24).toString('base64').replace(/[+/=]/g, 'x');

export class ScramError extends Error {}

const FAKE_SALT_KEY = randomBytes(32);
const fakeSalt = (user: string): Buffer => createHmac('sha256', FAKE_SALT_KEY).update(user).digest();

/** The user a client-first message names (to fetch its credential before the exchange), or undefined. */
export function scramClientFirstUser(token: Buffer): string | undefined {
  const m = /^[ny],(?:a=[^,]*)?,(.*)$/.exec(token.toString('utf8'));
  return m ? unescapeSaslName(attributes(m[1]!).get('n') ?? '') || undefined : undefined;
}

/** Server side of one SCRAM exchange: two challenges, then done or failed. */
export class ScramServer {
  private state: 'first' | 'final' | 'done' = 'first';
  private clientFirstBare = '';
  private serverFirst = '';
  private nonce = '';
  private credential: ScramCredential | undefined;
  private readonly mechanism: ScramMechanism;
  private readonly lookup: (user: string) => ScramCredential | undefined;
  /** Set once the client's first message named a user. */
  user: string | undefined;

  constructor(mechanism: ScramMechanism, lookup: (user: string) => ScramCredential | undefined) {
    this.mechanism = mechanism;
    this.lookup = lookup;
  }

  get complete(): boolean {
    return this.state === 'done';
  }

  /** Handles one client token; returns the server's token. Throws ScramError on failure. */
  evaluate(token: Buffer): Buffer {
    const text = token.toString('utf8');
    if (this.state === 'first') return this.first(text);
    if (this.state === 'final') return this.final(text);
    throw new ScramError('SCRAM exchange already complete');
  }

  private first(text: string): Buffer {
    // gs2-header: "n,," or "y,," (no channel binding), optional authzid "a=..."
    const m = /^([ny]),(a=[^,]*)?,(.*)$/.exec(text);
    if (!m) throw new ScramError('Invalid SCRAM client first message');
    this.clientFirstBare = m[3]!;
    const attrs = attributes(this.clientFirstBare);
    const user = unescapeSaslName(attrs.get('n') ?? '');
    const clientNonce = attrs.get('r');
    if (!user || !clientNonce) throw new ScramError('Invalid SCRAM client first message');
    this.user = user;
    this.credential = this.lookup(user);
    // An unknown user gets a challenge like any other, with a salt that is the same on every
    // attempt (no user enumeration by comparing salts); the exchange then fails.
    const credential = this.credential ?? { salt: fakeSalt(user), iterations: SCRAM_MIN_ITERATIONS };
    this.nonce = clientNonce + scramNonce();
    this.serverFirst = `r=${this.nonce},s=${credential.salt.toString('base64')},i=${credential.iterations}`;
    this.state = 'final';
    return Buffer.from(this.serverFirst, 'utf8');
  }

  private final(text: string): Buffer {
    const proofAt = text.lastIndexOf(',p=');
    if (proofAt < 0) throw new ScramError('Invalid SCRAM client final message');
    const withoutProof = text.slice(0, proofAt);
    const attrs = attributes(withoutProof);
    // endsWith, as Kafka checks: librdkafka sends its own nonce again in front of the server's.
    if (!(attrs.get('r') ?? '').endsWith(this.nonce)) throw new ScramError('Invalid SCRAM nonce');
    const proof = Buffer.from(text.slice(proofAt + 3), 'base64');
    const c = this.credential;
    const authMessage = `${this.clientFirstBare},${this.serverFirst},${withoutProof}`;
    if (!c) throw new ScramError('Authentication failed');
    const clientSignature = hmac(this.mechanism, c.storedKey, authMessage);
    if (proof.length !== clientSignature.length) throw new ScramError('Authentication failed');
    const clientKey = Buffer.alloc(proof.length);
    for (let i = 0; i < proof.length; i++) clientKey[i] = proof[i]! ^ clientSignature[i]!;
    if (!timingSafeEqual(digest(this.mechanism, clientKey), c.storedKey)) throw new ScramError('Authentication failed');
    this.state = 'done';
    return Buffer.from(`v=${hmac(this.mechanism, c.serverKey, authMessage).toString('base64')}`, 'utf8');
  }
}

/** Client side of one SCRAM exchange. */
export class ScramClient {
  private readonly clientNonce = scramNonce();
  private clientFirstBare = '';
  private expectedServerSignature: Buffer | undefined;
  private readonly mechanism: ScramMechanism;
  private readonly user: string;
  private readonly password: string;

  constructor(mechanism: ScramMechanism, user: string, password: string) {
    this.mechanism = mechanism;
    this.user = user;
    this.password = password;
  }

  firstMessage(): Buffer {
    this.clientFirstBare = `n=${escapeSaslName(this.user)},r=${this.clientNonce}`;
    return Buffer.from(`n,,${this.clientFirstBare}`, 'utf8');
  }

  finalMessage(serverFirst: Buffer): Buffer {
    const text = serverFirst.toString('utf8');
    const attrs = attributes(text);
    const nonce = attrs.get('r');
    const salt = attrs.get('s');
    const iterations = Number(attrs.get('i'));
    if (!nonce || !nonce.startsWith(this.clientNonce) || !salt || !Number.isInteger(iterations) || iterations < 1) {
      throw new ScramError(`Invalid SCRAM server first message`);
    }
    const salted = saltedPassword(this.mechanism, this.password, Buffer.from(salt, 'base64'), iterations);
    const clientKey = hmac(this.mechanism, salted, 'Client Key');
    const storedKey = digest(this.mechanism, clientKey);
    const withoutProof = `c=biws,r=${nonce}`;
    const authMessage = `${this.clientFirstBare},${text},${withoutProof}`;
    const signature = hmac(this.mechanism, storedKey, authMessage);
    const proof = Buffer.alloc(clientKey.length);
    for (let i = 0; i < proof.length; i++) proof[i] = clientKey[i]! ^ signature[i]!;
    this.expectedServerSignature = hmac(this.mechanism, hmac(this.mechanism, salted, 'Server Key'), authMessage);
    return Buffer.from(`${withoutProof},p=${proof.toString('base64')}`, 'utf8');
  }

  /** Checks the server's signature: a broker that does not know the password cannot fake it. */
  verifyServerFinal(serverFinal: Buffer): void {
    const attrs = attributes(serverFinal.toString('utf8'));
    const error = attrs.get('e');
    if (error) throw new ScramError(`SCRAM authentication failed: ${error}`);
    const v = Buffer.from(attrs.get('v') ?? '', 'base64');
    if (!this.expectedServerSignature || v.length !== this.expectedServerSignature.length || !timingSafeEqual(v, this.expectedServerSignature)) {
      throw new ScramError('Invalid SCRAM server signature: the broker does not hold this user\'s credential');
    }
  }
}
