import { hash, randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { base62 } from '@app/database';

const PREFIX = 'ak_';
const BODY_LENGTH = 32; // 32 base62 characters ≈ 190 random bits
const CHECKSUM_LENGTH = 6; // base62 of a CRC-32: catches typos before any database lookup
const GENERATED_SHAPE = new RegExp(`^${PREFIX}[0-9A-Za-z]{${BODY_LENGTH + CHECKSUM_LENGTH}}$`);

function checksum(body: string): string {
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(`${PREFIX}${body}`));
  return base62(crc, CHECKSUM_LENGTH);
}

/** A new key: `ak_` + 32 base62 characters from the CSPRNG + a 6-character checksum. */
export function generateApiKey(): string {
  // Rejection-free: 24 random bytes hold 192 bits, more than the 32 base62 digits taken from them.
  const body = base62(randomBytes(24), BODY_LENGTH);
  return `${PREFIX}${body}${checksum(body)}`;
}

/**
 * False only for a string shaped like a generated key whose checksum does not match (a typo or a
 * guess); anything else, such as an operator-chosen bootstrap key, is decided by the lookup.
 */
export function passesChecksum(key: string): boolean {
  if (!GENERATED_SHAPE.test(key)) return true;
  const body = key.slice(PREFIX.length, PREFIX.length + BODY_LENGTH);
  return key.slice(PREFIX.length + BODY_LENGTH) === checksum(body);
}

export function hashApiKey(key: string): string {
  // One-shot: no Hash object per call (this runs on every authenticated request).
  return hash('sha256', key, 'hex');
}

export function apiKeyHint(key: string): string {
  return `${key.slice(0, 3)}…${key.slice(-4)}`;
}
