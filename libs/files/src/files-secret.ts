import { Logger } from '@nestjs/common';
import type { DatabaseConfig, FilesConfig } from '@app/config';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const GENERATED_SIGNING_SECRET_FILE = 'files-signing.key';

/**
 * FILES_SIGNING_SECRET when set. Otherwise (only allowed with the embedded database, see
 * files.config) a secret generated on first start into `<DATA_DIR>/files-signing.key`, mode 0600,
 * and reused after, so links survive a restart.
 */
export async function loadFilesSigningSecret(files: FilesConfig, database: DatabaseConfig): Promise<Buffer> {
  if (files.signingSecret !== undefined) return Buffer.from(files.signingSecret, 'utf8');
  if (database.url) throw new Error('FILES_SIGNING_SECRET is required when DATABASE_URL is set');
  const file = join(database.dataDir, GENERATED_SIGNING_SECRET_FILE);
  await mkdir(database.dataDir, { recursive: true });
  try {
    // 'wx': two processes starting at once cannot both write a secret; the loser reads the winner's.
    await writeFile(file, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    new Logger('Files').log(`Generated the file link signing secret in ${file}.`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const secret = (await readFile(file, 'utf8')).trim();
  if (secret.length < 32)
    throw new Error(`${file} is not a valid signing secret file; delete it to generate a new one`);
  return Buffer.from(secret, 'utf8');
}
