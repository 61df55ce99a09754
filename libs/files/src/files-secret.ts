import { Logger } from '@nestjs/common';
import type { DatabaseConfig, FilesConfig } from '@app/config';
import { randomBytes } from 'node:crypto';
import { readOrCreateSecretFile } from '@app/database';

export const GENERATED_SIGNING_SECRET_FILE = 'files-signing.key';

/**
 * FILES_SIGNING_SECRET when set. Otherwise (only allowed with the embedded database, see
 * files.config) a secret generated on first start into `<DATA_DIR>/files-signing.key`, mode 0600,
 * and reused after, so links survive a restart.
 */
export async function loadFilesSigningSecret(files: FilesConfig, database: DatabaseConfig): Promise<Buffer> {
  if (files.signingSecret !== undefined) return Buffer.from(files.signingSecret, 'utf8');
  if (database.url) throw new Error('FILES_SIGNING_SECRET is required when DATABASE_URL is set');
  const {
    file,
    value: secret,
    created,
  } = await readOrCreateSecretFile(database.dataDir, GENERATED_SIGNING_SECRET_FILE, () =>
    randomBytes(32).toString('base64'),
  );
  if (created) new Logger('Files').log(`Generated the file link signing secret in ${file}.`);
  if (secret.length < 32)
    throw new Error(`${file} is not a valid signing secret file; delete it to generate a new one`);
  return Buffer.from(secret, 'utf8');
}
