import { randomBytes } from 'node:crypto';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** 62^22 > 2^128: 22 base62 characters keep every one of 128 random bits. */
const ID_BODY_LENGTH = 22;

/** The last `length` base62 digits of the number the bytes spell (big-endian). */
export function base62(bytes: Buffer, length: number): string {
  let value = BigInt(`0x${bytes.toString('hex') || '0'}`);
  let out = '';
  for (let i = 0; i < length; i++) {
    out = BASE62[Number(value % 62n)] + out;
    value /= 62n;
  }
  return out;
}

/** `prefix` + 22 base62 characters holding 128 bits from the CSPRNG: not guessable, not enumerable. */
export function generatePrefixedId(prefix: string): string {
  return `${prefix}${base62(randomBytes(16), ID_BODY_LENGTH)}`;
}

/** Matches exactly the ids `generatePrefixedId(prefix)` makes. */
export function prefixedIdPattern(prefix: string): RegExp {
  return new RegExp(`^${prefix}[0-9A-Za-z]{${ID_BODY_LENGTH}}$`);
}
