/**
 * SASL/PLAIN (RFC 4616) token: `[authzid] NUL authcid NUL passwd`. Kafka accepts an
 * authzid only when it equals the user name.
 */
import { timingSafeEqual } from 'node:crypto';

export interface PlainToken {
  user: string;
  password: string;
}

export function encodePlainToken(user: string, password: string): Buffer {
  return Buffer.from(`\0${user}\0${password}`, 'utf8');
}

/** Undefined when the token is malformed. */
export function decodePlainToken(token: Buffer): PlainToken | undefined {
  const parts = token.toString('utf8').split('\0');
  if (parts.length !== 3) return undefined;
  const [authzid, user, password] = parts as [string, string, string];
  if (user === '' || password === '') return undefined;
  if (authzid !== '' && authzid !== user) return undefined;
  return { user, password };
}

/** Compares without leaking where the strings differ (nor, beyond the hash, their lengths). */
export function secretsEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  const n = Math.max(x.length, y.length, 1);
  const px = Buffer.alloc(n);
  const py = Buffer.alloc(n);
  x.copy(px);
  y.copy(py);
  return timingSafeEqual(px, py) && x.length === y.length;
}
