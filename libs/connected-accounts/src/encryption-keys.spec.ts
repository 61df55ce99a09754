import { type DatabaseConfig, parseEncryptionKeys, validateEnvironment } from '@app/config';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GENERATED_KEY_FILE, loadEncryptionKeys } from './encryption-keys';

const KEY = randomBytes(32).toString('base64');

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

describe('ENCRYPTION_KEYS', () => {
  it('parses id:base64 pairs, first one first', () => {
    const other = randomBytes(32);
    const { keys, problems } = parseEncryptionKeys(`new:${KEY}, old:${other.toString('base64')}`);
    expect(problems).toEqual([]);
    expect(keys.map((k) => k.id)).toEqual(['new', 'old']);
    expect(keys[1].key.equals(other)).toBe(true);
  });

  it('names every bad entry without echoing key material', () => {
    const short = randomBytes(16).toString('base64');
    const { problems } = parseEncryptionKeys(`a:${short},nocolon,b:${KEY},b:${KEY},c:not base64!`);
    expect(problems).toEqual([
      'key "a" must be 32 bytes, base64-encoded (e.g. openssl rand -base64 32)',
      'entry 2 must be <id>:<base64 key> with an id of 1-32 characters [A-Za-z0-9._-]',
      'key id "b" appears twice',
      'key "c" must be 32 bytes, base64-encoded (e.g. openssl rand -base64 32)',
    ]);
    expect(problems.join()).not.toContain(short);
  });

  it('refuses to start with DATABASE_URL but no ENCRYPTION_KEYS, naming the variable (C7)', () => {
    expect(() => validateEnvironment({ DATABASE_URL: 'postgres://db/x' })).toThrow(
      /ENCRYPTION_KEYS \(unset\): is required/,
    );
    expect(() =>
      validateEnvironment({
        DATABASE_URL: 'postgres://db/x',
        ENCRYPTION_KEYS: `k1:${KEY}`,
        FILES_SIGNING_SECRET: KEY,
      }),
    ).not.toThrow();
    expect(() => validateEnvironment({})).not.toThrow();
  });

  it('refuses a malformed value without printing it', () => {
    const bad = `k1:${randomBytes(31).toString('base64')}`;
    let message = '';
    try {
      validateEnvironment({ ENCRYPTION_KEYS: bad });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('ENCRYPTION_KEYS (redacted): key "k1" must be 32 bytes');
    expect(message).not.toContain(bad.slice(3));
  });
});

describe(loadEncryptionKeys.name, () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ca-keys-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('uses ENCRYPTION_KEYS when set and writes no file', async () => {
    const keys = parseEncryptionKeys(`k1:${KEY}`).keys;
    await expect(loadEncryptionKeys({ keys }, database({ dataDir: dir }))).resolves.toBe(keys);
    await expect(stat(join(dir, GENERATED_KEY_FILE))).rejects.toThrow();
  });

  it('generates a key once into DATA_DIR/encryption.key (0600) and reuses it', async () => {
    const dataDir = join(dir, 'data');
    const first = await loadEncryptionKeys({ keys: undefined }, database({ dataDir }));
    const file = join(dataDir, GENERATED_KEY_FILE);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await readFile(file, 'utf8')).trim()).toBe(`${first[0].id}:${first[0].key.toString('base64')}`);
    const second = await loadEncryptionKeys({ keys: undefined }, database({ dataDir }));
    expect(second[0].key.equals(first[0].key)).toBe(true);
  });

  it('refuses to generate a key for an external database', async () => {
    await expect(
      loadEncryptionKeys({ keys: undefined }, database({ url: 'postgres://x/y', dataDir: dir })),
    ).rejects.toThrow(/ENCRYPTION_KEYS/);
  });

  it('refuses a damaged key file instead of replacing it', async () => {
    await writeFile(join(dir, GENERATED_KEY_FILE), 'local1:short\n');
    await expect(loadEncryptionKeys({ keys: undefined }, database({ dataDir: dir }))).rejects.toThrow(
      /not a valid key file/,
    );
  });
});
