import { createHmac, timingSafeEqual } from 'node:crypto';

const SIGNATURE = /^[A-Za-z0-9_-]{43}$/;

/**
 * HMAC-SHA256 over `<id>.<expires>` (base64url). The separator keeps the two fields from sliding into
 * each other: `file_a` + `12` and `file_a1` + `2` sign different messages.
 */
export class FileLinkSigner {
  constructor(private readonly secret: Buffer) {}

  sign(id: string, expires: number): string {
    return createHmac('sha256', this.secret).update(`${id}.${expires}`).digest('base64url');
  }

  /** Constant-time comparison; any malformed part is simply a mismatch. */
  verify(id: string, expires: string, signature: string): boolean {
    if (!/^\d{1,15}$/.test(expires) || !SIGNATURE.test(signature)) return false;
    const expected = Buffer.from(this.sign(id, Number(expires)), 'base64url');
    const given = Buffer.from(signature, 'base64url');
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}
