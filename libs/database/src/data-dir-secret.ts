import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The secret kept in `<dir>/<name>` (mode 0600): written from `generate()` on first use, read
 * afterwards. Used for what the embedded default generates for itself (database password,
 * encryption key, link signing secret). `created` says whether this call wrote it.
 */
export async function readOrCreateSecretFile(
  dir: string,
  name: string,
  generate: () => string,
): Promise<{ file: string; value: string; created: boolean }> {
  const file = join(dir, name);
  await mkdir(dir, { recursive: true, mode: 0o755 });
  let created = false;
  try {
    // 'wx': two processes starting at once cannot both write one; the loser reads the winner's.
    await writeFile(file, `${generate()}\n`, { mode: 0o600, flag: 'wx' });
    created = true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return { file, value: (await readFile(file, 'utf8')).trim(), created };
}
