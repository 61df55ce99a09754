import type { DatabaseConfig, FilesConfig } from '@app/config';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GENERATED_SIGNING_SECRET_FILE, loadFilesSigningSecret } from './files-secret';

function database(overrides: Partial<DatabaseConfig>): DatabaseConfig {
  return {
    url: undefined,
    migrateOnStart: true,
    poolSize: 1,
    dataDir: '/nonexistent',
    embeddedPort: 1,
    ...overrides,
  };
}

function files(signingSecret?: string): FilesConfig {
  return { signingSecret, urlTtlSeconds: 3600, retentionSeconds: 86_400, sweepIntervalSeconds: 300 };
}

describe(loadFilesSigningSecret.name, () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'files-secret-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('uses FILES_SIGNING_SECRET when set and writes no file', async () => {
    const secret = 'x'.repeat(40);
    await expect(loadFilesSigningSecret(files(secret), database({ dataDir: dir }))).resolves.toEqual(
      Buffer.from(secret),
    );
    await expect(stat(join(dir, GENERATED_SIGNING_SECRET_FILE))).rejects.toThrow();
  });

  it('generates a secret once into DATA_DIR (0600) and reuses it', async () => {
    const dataDir = join(dir, 'data');
    const first = await loadFilesSigningSecret(files(), database({ dataDir }));
    const file = join(dataDir, GENERATED_SIGNING_SECRET_FILE);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await readFile(file, 'utf8')).trim()).toBe(first.toString('utf8'));
    expect(first.length).toBeGreaterThanOrEqual(32);
    await expect(loadFilesSigningSecret(files(), database({ dataDir }))).resolves.toEqual(first);
  });

  it('refuses to generate a secret for an external database', async () => {
    await expect(
      loadFilesSigningSecret(files(), database({ url: 'postgres://x/y', dataDir: dir })),
    ).rejects.toThrow(/FILES_SIGNING_SECRET is required/);
  });

  it('refuses a damaged secret file instead of replacing it', async () => {
    await writeFile(join(dir, GENERATED_SIGNING_SECRET_FILE), 'short\n');
    await expect(loadFilesSigningSecret(files(), database({ dataDir: dir }))).rejects.toThrow(
      /not a valid signing secret file/,
    );
  });
});
