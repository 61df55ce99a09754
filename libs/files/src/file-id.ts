import { randomBytes } from 'node:crypto';

const PREFIX = 'file_';
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const BODY_LENGTH = 22; // 62^22 > 2^128: every one of the 128 random bits is kept
const SHAPE = new RegExp(`^${PREFIX}[0-9A-Za-z]{${BODY_LENGTH}}$`);

/** `file_` + 22 base62 characters holding 128 bits from the CSPRNG. */
export function generateFileId(): string {
  let value = BigInt(`0x${randomBytes(16).toString('hex')}`);
  let body = '';
  for (let i = 0; i < BODY_LENGTH; i++) {
    body = BASE62[Number(value % 62n)] + body;
    value /= 62n;
  }
  return `${PREFIX}${body}`;
}

export function isFileId(id: string): boolean {
  return SHAPE.test(id);
}
