import type { EncryptionKey } from '@app/config';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** What is stored instead of credentials: AES-256-GCM output, all binary fields base64. */
export interface SealedCredentials {
  v: 1;
  /** Id of the key that sealed it. */
  kid: string;
  iv: string;
  tag: string;
  ct: string;
}

/** The row a ciphertext belongs to; bound into the GCM tag so it cannot be moved to another row. */
export interface CredentialBinding {
  projectId: string;
  accountId: string;
}

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Raised for any ciphertext that cannot be opened; says why without revealing anything of it. */
export class CredentialDecryptionError extends Error {
  constructor(reason: string) {
    super(`Stored credentials could not be decrypted: ${reason}`);
    this.name = 'CredentialDecryptionError';
  }
}

function additionalData(binding: CredentialBinding, kid: string): Buffer {
  // JSON keeps the parts unambiguous (no separator can be smuggled inside an id).
  return Buffer.from(
    JSON.stringify(['connected_accounts.credentials', 1, binding.projectId, binding.accountId, kid]),
  );
}

/**
 * Encrypts credentials with the first key of the ring and decrypts with any of them. A fresh random
 * 96-bit IV per seal: at well under 2^32 seals per key the collision risk stays negligible.
 */
export class CredentialCipher {
  private readonly keys: ReadonlyMap<string, Buffer>;
  readonly primaryKeyId: string;

  constructor(keys: readonly EncryptionKey[]) {
    if (keys.length === 0) throw new Error('CredentialCipher needs at least one key');
    for (const { id, key } of keys) {
      if (key.length !== 32) throw new Error(`Encryption key "${id}" is not 32 bytes`);
    }
    this.keys = new Map(keys.map(({ id, key }) => [id, key]));
    this.primaryKeyId = keys[0].id;
  }

  seal(credentials: Record<string, unknown>, binding: CredentialBinding): SealedCredentials {
    const kid = this.primaryKeyId;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.keys.get(kid)!, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(additionalData(binding, kid));
    const ct = Buffer.concat([cipher.update(JSON.stringify(credentials), 'utf8'), cipher.final()]);
    return {
      v: 1,
      kid,
      iv: iv.toString('base64'),
      tag: cipher.getAuthTag().toString('base64'),
      ct: ct.toString('base64'),
    };
  }

  open(sealed: SealedCredentials, binding: CredentialBinding): Record<string, unknown> {
    if (sealed?.v !== 1) throw new CredentialDecryptionError('unknown envelope version');
    const key = this.keys.get(sealed.kid);
    if (!key) throw new CredentialDecryptionError(`key "${sealed.kid}" is not in ENCRYPTION_KEYS`);
    const iv = Buffer.from(sealed.iv, 'base64');
    const tag = Buffer.from(sealed.tag, 'base64');
    if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES)
      throw new CredentialDecryptionError('malformed envelope');
    try {
      const decipher = createDecipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(additionalData(binding, sealed.kid));
      decipher.setAuthTag(tag);
      const plaintext = Buffer.concat([decipher.update(Buffer.from(sealed.ct, 'base64')), decipher.final()]);
      return JSON.parse(plaintext.toString('utf8')) as Record<string, unknown>;
    } catch {
      throw new CredentialDecryptionError('authentication failed (tampered, or sealed for another row)');
    }
  }

  /** True when the value is sealed with a key other than the primary one (rotation pending). */
  needsRotation(sealed: SealedCredentials): boolean {
    return sealed.kid !== this.primaryKeyId;
  }
}
