/**
 * Reads a PKCS#12 file (RFC 7292) into its certificates and private keys, for
 * `ssl.truststore.type=PKCS12` (Node's TLS loads a PKCS#12 only with a private key in it,
 * and a truststore has none) and PKCS12 keystores. Checks the MAC with the store password,
 * then decrypts the bags: PBES2 (PBKDF2 with HMAC-SHA1/224/256/384/512, AES-CBC or 3DES:
 * Java 17's keytool and OpenSSL 3) and the PKCS#12 PBE schemes with SHA-1 (3DES and RC2:
 * Java 8's keytool, `openssl pkcs12 -legacy`).
 */
import { createDecipheriv, createHmac, createHash, pbkdf2Sync, timingSafeEqual } from 'node:crypto';
import {
  DER_CONTEXT_0,
  DER_CONTEXT_0_PRIMITIVE,
  DER_INTEGER,
  DER_OCTET_STRING,
  DER_OID,
  DER_SEQUENCE,
  DerError,
  child,
  children,
  oid,
  readOne,
  smallInteger,
  type DerElement,
} from './der.js';
import { rc2CbcDecrypt } from './rc2.js';

export interface Pkcs12Contents {
  /** DER certificates, in the file's order. */
  certificates: Pkcs12Certificate[];
  /** PKCS#8 (DER) private keys. */
  privateKeys: { der: Buffer; localKeyId?: string }[];
}

export interface Pkcs12Certificate {
  der: Buffer;
  /** The localKeyId attribute (hex): the certificate of the key with the same id. */
  localKeyId?: string;
}

/** The password does not open the file (MAC mismatch or undecryptable contents). */
export class Pkcs12PasswordError extends Error {}
/** Not a PKCS#12 file kts can read (the message says which part). */
export class Pkcs12FormatError extends Error {}

const OID = {
  data: '1.2.840.113549.1.7.1',
  encryptedData: '1.2.840.113549.1.7.6',
  keyBag: '1.2.840.113549.1.12.10.1.1',
  shroudedKeyBag: '1.2.840.113549.1.12.10.1.2',
  certBag: '1.2.840.113549.1.12.10.1.3',
  x509Certificate: '1.2.840.113549.1.9.22.1',
  localKeyId: '1.2.840.113549.1.9.21',
  pbes2: '1.2.840.113549.1.5.13',
  pbkdf2: '1.2.840.113549.1.5.12',
} as const;

const DIGESTS: Readonly<Record<string, { hash: string; blockBytes: number }>> = {
  '1.3.14.3.2.26': { hash: 'sha1', blockBytes: 64 },
  '2.16.840.1.101.3.4.2.4': { hash: 'sha224', blockBytes: 64 },
  '2.16.840.1.101.3.4.2.1': { hash: 'sha256', blockBytes: 64 },
  '2.16.840.1.101.3.4.2.2': { hash: 'sha384', blockBytes: 128 },
  '2.16.840.1.101.3.4.2.3': { hash: 'sha512', blockBytes: 128 },
};

const PBKDF2_PRFS: Readonly<Record<string, string>> = {
  '1.2.840.113549.2.7': 'sha1',
  '1.2.840.113549.2.8': 'sha224',
  '1.2.840.113549.2.9': 'sha256',
  '1.2.840.113549.2.10': 'sha384',
  '1.2.840.113549.2.11': 'sha512',
};

const PBES2_CIPHERS: Readonly<Record<string, { name: string; keyBytes: number }>> = {
  '2.16.840.1.101.3.4.1.2': { name: 'aes-128-cbc', keyBytes: 16 },
  '2.16.840.1.101.3.4.1.22': { name: 'aes-192-cbc', keyBytes: 24 },
  '2.16.840.1.101.3.4.1.42': { name: 'aes-256-cbc', keyBytes: 32 },
  '1.2.840.113549.3.7': { name: 'des-ede3-cbc', keyBytes: 24 },
};

// The PKCS#12 PBE schemes (RFC 7292 appendix C), keyed by OID: cipher and key length.
const PKCS12_PBE: Readonly<Record<string, { cipher: 'des-ede3-cbc' | 'des-ede-cbc' | 'rc2'; keyBytes: number }>> = {
  '1.2.840.113549.1.12.1.3': { cipher: 'des-ede3-cbc', keyBytes: 24 },
  '1.2.840.113549.1.12.1.4': { cipher: 'des-ede-cbc', keyBytes: 16 },
  '1.2.840.113549.1.12.1.5': { cipher: 'rc2', keyBytes: 16 },
  '1.2.840.113549.1.12.1.6': { cipher: 'rc2', keyBytes: 5 },
};

/**
 * The certificates and keys of a PKCS#12 file. `password` opens the file (undefined only for
 * one without a MAC or encryption); `keyPassword` the private keys when it differs (Java's
 * key password, `ssl.key.password`).
 */
export function readPkcs12(bytes: Buffer, password: string | undefined, keyPassword = password): Pkcs12Contents {
  try {
    return readPfx(bytes, password, keyPassword);
  } catch (err) {
    if (err instanceof DerError) throw new Pkcs12FormatError(`not a PKCS#12 file (${err.message})`);
    throw err;
  }
}

function readPfx(bytes: Buffer, password: string | undefined, keyPassword: string | undefined): Pkcs12Contents {
  const pfx = readOne(bytes, DER_SEQUENCE, 'PFX');
  const [version, authSafe, macData] = children(pfx);
  if (!version || smallInteger(version, 'PFX version') !== 3) throw new Pkcs12FormatError('not a PKCS#12 file (version is not 3)');
  if (!authSafe) throw new Pkcs12FormatError('not a PKCS#12 file (no contents)');
  const authSafeBytes = dataContent(authSafe, 'authenticated safe');
  // Without a MAC there is nothing to check the password against; encrypted bags still need it.
  if (macData) verifyMac(macData, authSafeBytes, password);
  const out: Pkcs12Contents = { certificates: [], privateKeys: [] };
  for (const info of children(readOne(authSafeBytes, DER_SEQUENCE, 'authenticated safe'))) {
    const type = oid(child(info, 0, DER_OID, 'content type'));
    if (type === OID.data) readSafeContents(dataContent(info, 'safe contents'), keyPassword, out);
    else if (type === OID.encryptedData) readSafeContents(encryptedContent(info, password), keyPassword, out);
    else throw new Pkcs12FormatError(`content type ${type} is not supported (public-key encrypted PKCS#12 files are not)`);
  }
  return out;
}

/** The OCTET STRING inside a ContentInfo of type data. */
function dataContent(info: DerElement, what: string): Buffer {
  const type = oid(child(info, 0, DER_OID, `${what} type`));
  if (type !== OID.data) throw new Pkcs12FormatError(`${what} has content type ${type}; expected data`);
  const explicit = child(info, 1, DER_CONTEXT_0, what);
  return readOne(explicit.content, DER_OCTET_STRING, what).content;
}

function verifyMac(macData: DerElement, authSafe: Buffer, password: string | undefined): void {
  if (password === undefined) throw new Pkcs12PasswordError('the file is password-protected and no password is set');
  const parts = children(macData);
  const digestInfo = parts[0];
  const salt = parts[1];
  if (!digestInfo || !salt || salt.tag !== DER_OCTET_STRING) throw new Pkcs12FormatError('bad MAC data');
  const iterations = parts[2] ? smallInteger(parts[2], 'MAC iterations') : 1;
  const algorithm = oid(child(child(digestInfo, 0, DER_SEQUENCE, 'MAC algorithm'), 0, DER_OID, 'MAC algorithm'));
  const digest = DIGESTS[algorithm];
  if (!digest) throw new Pkcs12FormatError(`MAC algorithm ${algorithm} is not supported`);
  const expected = child(digestInfo, 1, DER_OCTET_STRING, 'MAC').content;
  const macBytes = createHash(digest.hash).digest().length;
  const key = pkcs12Kdf(digest.hash, digest.blockBytes, bmpPassword(password), salt.content, 3, iterations, macBytes);
  const actual = createHmac(digest.hash, key).update(authSafe).digest();
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) throw new Pkcs12PasswordError('wrong password (the MAC does not match)');
}

/** The decrypted SafeContents of a ContentInfo of type encryptedData. */
function encryptedContent(info: DerElement, password: string | undefined): Buffer {
  const encryptedData = child(child(info, 1, DER_CONTEXT_0, 'encrypted data'), 0, DER_SEQUENCE, 'encrypted data');
  const contentInfo = child(encryptedData, 1, DER_SEQUENCE, 'encrypted content info');
  const algorithm = child(contentInfo, 1, DER_SEQUENCE, 'content encryption algorithm');
  const encrypted = child(contentInfo, 2, DER_CONTEXT_0_PRIMITIVE, 'encrypted content');
  return decrypt(algorithm, encrypted.content, password);
}

function readSafeContents(bytes: Buffer, keyPassword: string | undefined, out: Pkcs12Contents): void {
  for (const bag of children(readOne(bytes, DER_SEQUENCE, 'safe contents'))) {
    const type = oid(child(bag, 0, DER_OID, 'bag type'));
    const value = readOne(child(bag, 1, DER_CONTEXT_0, 'bag value').content, undefined, 'bag value');
    const localKeyId = bagLocalKeyId(children(bag)[2]);
    if (type === OID.certBag) {
      const certType = oid(child(value, 0, DER_OID, 'certificate type'));
      if (certType !== OID.x509Certificate) continue; // SDSI certificates: nothing TLS can use
      const der = readOne(child(value, 1, DER_CONTEXT_0, 'certificate').content, DER_OCTET_STRING, 'certificate').content;
      out.certificates.push({ der, ...(localKeyId ? { localKeyId } : {}) });
    } else if (type === OID.keyBag) {
      out.privateKeys.push({ der: encodeElement(value), ...(localKeyId ? { localKeyId } : {}) });
    } else if (type === OID.shroudedKeyBag) {
      const algorithm = child(value, 0, DER_SEQUENCE, 'key encryption algorithm');
      const der = decrypt(algorithm, child(value, 1, DER_OCTET_STRING, 'encrypted key').content, keyPassword);
      out.privateKeys.push({ der, ...(localKeyId ? { localKeyId } : {}) });
    }
    // CRL and secret bags, and nested safe contents, carry nothing a TLS context uses.
  }
}

function bagLocalKeyId(attributes: DerElement | undefined): string | undefined {
  if (!attributes) return undefined;
  for (const attribute of children(attributes)) {
    if (oid(child(attribute, 0, DER_OID, 'attribute')) !== OID.localKeyId) continue;
    const values = children(children(attribute)[1] ?? { tag: 0, content: Buffer.alloc(0) });
    if (values[0]?.tag === DER_OCTET_STRING) return values[0].content.toString('hex');
  }
  return undefined;
}

/** Re-encodes an element (a key bag's PrivateKeyInfo) as DER bytes. */
function encodeElement(element: DerElement): Buffer {
  const n = element.content.length;
  const length = n < 0x80 ? Buffer.from([n]) : lengthBytes(n);
  return Buffer.concat([Buffer.from([element.tag]), length, element.content]);
}

function lengthBytes(n: number): Buffer {
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function decrypt(algorithm: DerElement, data: Buffer, password: string | undefined): Buffer {
  if (password === undefined) throw new Pkcs12PasswordError('the contents are encrypted and no password is set');
  const id = oid(child(algorithm, 0, DER_OID, 'encryption algorithm'));
  const params = child(algorithm, 1, DER_SEQUENCE, 'encryption parameters');
  if (id === OID.pbes2) return pbes2Decrypt(params, data, password);
  const scheme = PKCS12_PBE[id];
  if (!scheme) throw new Pkcs12FormatError(`encryption algorithm ${id} is not supported`);
  const salt = child(params, 0, DER_OCTET_STRING, 'PBE salt').content;
  const iterations = smallInteger(child(params, 1, DER_INTEGER, 'PBE iterations'), 'PBE iterations');
  const bmp = bmpPassword(password);
  const key = pkcs12Kdf('sha1', 64, bmp, salt, 1, iterations, scheme.keyBytes);
  const iv = pkcs12Kdf('sha1', 64, bmp, salt, 2, iterations, 8);
  if (scheme.cipher === 'rc2') return unpad(rc2CbcDecrypt(key, scheme.keyBytes * 8, iv, data), 8);
  return decipher(scheme.cipher, key, iv, data);
}

function pbes2Decrypt(params: DerElement, data: Buffer, password: string): Buffer {
  const kdf = child(params, 0, DER_SEQUENCE, 'PBES2 key derivation');
  const kdfId = oid(child(kdf, 0, DER_OID, 'PBES2 key derivation'));
  if (kdfId !== OID.pbkdf2) throw new Pkcs12FormatError(`PBES2 key derivation ${kdfId} is not supported (PBKDF2 is)`);
  const kdfParams = children(child(kdf, 1, DER_SEQUENCE, 'PBKDF2 parameters'));
  const salt = kdfParams[0];
  if (!salt || salt.tag !== DER_OCTET_STRING) throw new Pkcs12FormatError('PBKDF2 salt is not an octet string');
  const iterations = smallInteger(kdfParams[1] ?? { tag: 0, content: Buffer.alloc(0) }, 'PBKDF2 iterations');
  // Optional keyLength (INTEGER), then the PRF (a SEQUENCE), HMAC-SHA1 when absent.
  const prfElement = kdfParams.slice(2).find((e) => e.tag === DER_SEQUENCE);
  const prfId = prfElement ? oid(child(prfElement, 0, DER_OID, 'PBKDF2 PRF')) : '1.2.840.113549.2.7';
  const prf = PBKDF2_PRFS[prfId];
  if (!prf) throw new Pkcs12FormatError(`PBKDF2 PRF ${prfId} is not supported`);
  const scheme = child(params, 1, DER_SEQUENCE, 'PBES2 encryption scheme');
  const cipherId = oid(child(scheme, 0, DER_OID, 'PBES2 cipher'));
  const cipher = PBES2_CIPHERS[cipherId];
  if (!cipher) throw new Pkcs12FormatError(`PBES2 cipher ${cipherId} is not supported`);
  const iv = child(scheme, 1, DER_OCTET_STRING, 'PBES2 IV').content;
  const key = pbkdf2Sync(Buffer.from(password, 'utf8'), salt.content, iterations, cipher.keyBytes, prf);
  return decipher(cipher.name, key, iv, data);
}

function decipher(name: string, key: Buffer, iv: Buffer, data: Buffer): Buffer {
  try {
    const d = createDecipheriv(name, key, iv);
    return Buffer.concat([d.update(data), d.final()]);
  } catch {
    throw new Pkcs12PasswordError('wrong password (the contents do not decrypt)');
  }
}

function unpad(data: Buffer, blockBytes: number): Buffer {
  const n = data[data.length - 1] ?? 0;
  if (n < 1 || n > blockBytes || n > data.length || !data.subarray(data.length - n).every((b) => b === n)) {
    throw new Pkcs12PasswordError('wrong password (the contents do not decrypt)');
  }
  return data.subarray(0, data.length - n);
}

/** A password as PKCS#12's KDF takes it: UTF-16BE with a terminating zero (a BMPString). */
function bmpPassword(password: string): Buffer {
  const out = Buffer.alloc(2 * password.length + 2);
  for (let i = 0; i < password.length; i++) out.writeUInt16BE(password.charCodeAt(i), 2 * i);
  return out;
}

/** RFC 7292 appendix B.2: derives `n` bytes of key (id 1), IV (2) or MAC key (3) material. */
function pkcs12Kdf(hash: string, v: number, password: Buffer, salt: Buffer, id: number, iterations: number, n: number): Buffer {
  const fill = (src: Buffer): Buffer => {
    const len = v * Math.ceil(src.length / v);
    const out = Buffer.alloc(len);
    for (let i = 0; i < len; i++) out[i] = src[i % src.length]!;
    return out;
  };
  const d = Buffer.alloc(v, id);
  const i = Buffer.concat([salt.length > 0 ? fill(salt) : Buffer.alloc(0), password.length > 0 ? fill(password) : Buffer.alloc(0)]);
  const blocks: Buffer[] = [];
  let produced = 0;
  while (produced < n) {
    let a = createHash(hash).update(d).update(i).digest();
    for (let r = 1; r < iterations; r++) a = createHash(hash).update(a).digest();
    blocks.push(a);
    produced += a.length;
    if (produced >= n) break;
    const b = fill(a).subarray(0, v);
    // I_j = (I_j + B + 1) mod 2^(8v) for each v-byte block of I.
    for (let at = 0; at < i.length; at += v) {
      let carry = 1;
      for (let k = v - 1; k >= 0; k--) {
        const sum = i[at + k]! + b[k]! + carry;
        i[at + k] = sum & 0xff;
        carry = sum >> 8;
      }
    }
  }
  return Buffer.concat(blocks).subarray(0, n);
}
