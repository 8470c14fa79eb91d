/**
 * RC2 decryption in CBC mode (RFC 2268), for PKCS#12 files written by Java 8's keytool and
 * `openssl pkcs12 -legacy`, whose certificates are encrypted with pbeWithSHAAnd40BitRC2-CBC.
 * Node's OpenSSL 3 keeps RC2 in its legacy provider, which Node does not load.
 */

// RFC 2268's PITABLE: a permutation of 0..255 derived from the digits of pi.
const PITABLE = Buffer.from(
  'd978f9c419ddb5ed28e9fd794aa0d89dc67e37832b76538e624c6488448bfba2179a59f587b34f1361456d8d09817d32' +
    'bd8f40eb86b77b0bf09521225c6b4e8254d66593ce60b21c7356c014a78cf1dc1275ca1f3bbee4d1423dd430a33cb626' +
    '6fbf0eda4669075727f21d9bbc944303f811c7f690ef3ee706c3d52fc8661ed708e8eade8052eef784aa72ac354d6a2a' +
    '961ad2715a1549744b9fd05e0418a4ecc2e0416e0f51cbcc2491af50a1f47039997c3a8523b8b47afc02365b25559731' +
    '2d5dfa98e38a92ae05df2910676cbac9d300e6cfe19ea82c6316013f58e289a90d38341bab33ffb0bb480c5fb9b1cd2e' +
    'c5f3db47e5a59c770aa62068fe7fc1ad',
  'hex',
);

/** The 64 expanded key words for `key` with `effectiveBits` effective key bits (40 or 128 in PKCS#12). */
function expandKey(key: Buffer, effectiveBits: number): Uint16Array {
  const l = new Uint8Array(128);
  l.set(key);
  const t = key.length;
  const t8 = Math.ceil(effectiveBits / 8);
  const tm = 0xff >> (8 * t8 - effectiveBits);
  for (let i = t; i < 128; i++) l[i] = PITABLE[(l[i - 1]! + l[i - t]!) & 0xff]!;
  l[128 - t8] = PITABLE[l[128 - t8]! & tm]!;
  for (let i = 127 - t8; i >= 0; i--) l[i] = PITABLE[l[i + 1]! ^ l[i + t8]!]!;
  const k = new Uint16Array(64);
  for (let i = 0; i < 64; i++) k[i] = l[2 * i]! | (l[2 * i + 1]! << 8);
  return k;
}

const ror16 = (x: number, n: number): number => ((x >>> n) | (x << (16 - n))) & 0xffff;

function decryptBlock(k: Uint16Array, r: number[]): void {
  const shifts = [1, 2, 3, 5];
  let j = 63;
  // Sixteen rounds undone in reverse: mixing rounds, with a mashing round after the 5th and 11th.
  for (let round = 15; round >= 0; round--) {
    if (round === 4 || round === 10) {
      for (let i = 3; i >= 0; i--) r[i] = (r[i]! - k[r[(i + 3) % 4]! & 63]!) & 0xffff;
    }
    for (let i = 3; i >= 0; i--) {
      const a = r[(i + 3) % 4]!;
      const b = r[(i + 2) % 4]!;
      const c = r[(i + 1) % 4]!;
      r[i] = (ror16(r[i]!, shifts[i]!) - k[j--]! - (a & b) - (~a & c)) & 0xffff;
    }
  }
}

/** Decrypts RC2-CBC `data` (a multiple of 8 bytes); the caller removes the padding. */
export function rc2CbcDecrypt(key: Buffer, effectiveBits: number, iv: Buffer, data: Buffer): Buffer {
  if (data.length % 8 !== 0) throw new Error('RC2-CBC data is not a multiple of 8 bytes');
  const k = expandKey(key, effectiveBits);
  const out = Buffer.alloc(data.length);
  let previous = iv;
  for (let at = 0; at < data.length; at += 8) {
    const block = data.subarray(at, at + 8);
    const r = [block.readUInt16LE(0), block.readUInt16LE(2), block.readUInt16LE(4), block.readUInt16LE(6)];
    decryptBlock(k, r);
    for (let i = 0; i < 4; i++) out.writeUInt16LE(r[i]! ^ previous.readUInt16LE(2 * i), at + 2 * i);
    previous = block;
  }
  return out;
}
