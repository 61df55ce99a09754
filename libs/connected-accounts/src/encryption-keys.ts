import { Logger } from '@nestjs/common';
import { type CryptoConfig, type DatabaseConfig, type EncryptionKey, parseEncryptionKeys } from '@app/config';
import { randomBytes } from 'node:crypto';
import { readOrCreateSecretFile } from '@app/database';

export const GENERATED_KEY_FILE = 'encryption.key';

/**
 * ENCRYPTION_KEYS when set. Otherwise (only allowed with the embedded database, see crypto.config)
 * a key generated on first start into `<DATA_DIR>/encryption.key`, mode 0600, and reused after.
 */
export async function loadEncryptionKeys(
  crypto: CryptoConfig,
  database: DatabaseConfig,
): Promise<EncryptionKey[]> {
  if (crypto.keys) return crypto.keys;
  if (database.url) throw new Error('ENCRYPTION_KEYS is required when DATABASE_URL is set');
  const { file, value, created } = await readOrCreateSecretFile(
    database.dataDir,
    GENERATED_KEY_FILE,
    () => `local1:${randomBytes(32).toString('base64')}`,
  );
  if (created) {
    new Logger('Encryption').warn(
      `Generated an encryption key in ${file}. Back it up with the data; set ENCRYPTION_KEYS to manage keys yourself.`,
    );
  }
  const { keys, problems } = parseEncryptionKeys(value);
  if (problems.length > 0 || keys.length === 0) {
    throw new Error(
      `${file} is not a valid key file (${problems.join('; ') || 'empty'}); restore it from a backup`,
    );
  }
  return keys;
}
