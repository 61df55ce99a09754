import {
  IsDefined,
  Validate,
  ValidateIf,
  type ValidationArguments,
  ValidatorConstraint,
  type ValidatorConstraintInterface,
} from 'class-validator';
import { defineNamespace, EnvironmentError, readEnv } from './env';

export interface EncryptionKey {
  id: string;
  /** 32 bytes of AES-256 key material. */
  key: Buffer;
}

const KEY_ID = /^[A-Za-z0-9._-]{1,32}$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Parses `id:base64key,...` (the format of ENCRYPTION_KEYS and of the generated key file). Problems
 * name keys by id or position, never by their material.
 */
export function parseEncryptionKeys(value: string): { keys: EncryptionKey[]; problems: string[] } {
  const keys: EncryptionKey[] = [];
  const problems: string[] = [];
  value.split(',').forEach((entry, index) => {
    const separator = entry.indexOf(':');
    const id = entry.slice(0, separator).trim();
    const material = entry.slice(separator + 1).trim();
    if (separator < 0 || !KEY_ID.test(id)) {
      problems.push(
        `entry ${index + 1} must be <id>:<base64 key> with an id of 1-32 characters [A-Za-z0-9._-]`,
      );
      return;
    }
    const key = BASE64.test(material) ? Buffer.from(material, 'base64') : undefined;
    if (key?.length !== 32) {
      problems.push(`key "${id}" must be 32 bytes, base64-encoded (e.g. openssl rand -base64 32)`);
      return;
    }
    if (keys.some((k) => k.id === id)) {
      problems.push(`key id "${id}" appears twice`);
      return;
    }
    keys.push({ id, key });
  });
  return { keys, problems };
}

@ValidatorConstraint({ name: 'encryptionKeys' })
class EncryptionKeysFormat implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return (
      value === undefined || (typeof value === 'string' && parseEncryptionKeys(value).problems.length === 0)
    );
  }

  defaultMessage(args: ValidationArguments): string {
    return typeof args.value === 'string'
      ? parseEncryptionKeys(args.value).problems.join('; ')
      : 'must be a string';
  }
}

class CryptoEnv {
  /**
   * Keys that encrypt stored credentials, `id:base64key,...`: the first encrypts, all decrypt (so a
   * new key goes first and the old ones stay until `npm run keys:rotate` has run).
   */
  @ValidateIf((env: CryptoEnv) => env.ENCRYPTION_KEYS !== undefined || env.DATABASE_URL !== undefined)
  // With an external database, replicas must share the key: one generated on this machine would not do.
  @IsDefined({
    message:
      'is required when DATABASE_URL is set: set ENCRYPTION_KEYS=<id>:<base64 of 32 random bytes>, ' +
      'e.g. k1:$(openssl rand -base64 32)',
  })
  @Validate(EncryptionKeysFormat)
  ENCRYPTION_KEYS?: string;

  /** Read only to decide whether ENCRYPTION_KEYS is required; validated by the database namespace. */
  DATABASE_URL?: string;
}

function readCryptoEnv(env: NodeJS.ProcessEnv): CryptoEnv {
  try {
    return readEnv(CryptoEnv, env);
  } catch (error) {
    // readEnv quotes the offending value; key material must never reach a terminal or a log.
    const value = env.ENCRYPTION_KEYS;
    if (!(error instanceof EnvironmentError) || !value) throw error;
    throw new EnvironmentError(error.problems.map((p) => p.replaceAll(JSON.stringify(value), 'redacted')));
  }
}

export const { config: cryptoConfig, validate: validateCryptoEnv } = defineNamespace(
  'crypto',
  readCryptoEnv,
  (env) => ({
    /** Undefined when unset: an embedded-database install then uses a key generated in DATA_DIR. */
    keys: env.ENCRYPTION_KEYS === undefined ? undefined : parseEncryptionKeys(env.ENCRYPTION_KEYS).keys,
  }),
);
export type CryptoConfig = ReturnType<typeof cryptoConfig>;
