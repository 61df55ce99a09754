import { randomBytes } from 'node:crypto';
import { SCOPES } from '@app/auth';
import { call } from './utils/http';
import {
  acceptsConnections,
  buildServiceOnce,
  createDataDir,
  generatedKeysIn,
  removeDataDir,
  type ServiceProcess,
  startService,
} from './utils/service-process';
import { createTestDatabase, dropTestDatabase, queryDatabase } from './utils/test-database';

const BOOT_TIMEOUT_MS = 120_000;

/** Fails the test with the service's output when it did not become ready. */
function expectReady(service: ServiceProcess): void {
  if (!service.ready) {
    throw new Error(
      `the service did not become ready\n--- stdout\n${service.stdout()}\n--- stderr\n${service.stderr()}`,
    );
  }
}

function occurrences(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

describe('Service process (the built service, spawned)', () => {
  const running: ServiceProcess[] = [];
  const dataDirs: string[] = [];
  const databases: string[] = [];

  async function start(env: Record<string, string | undefined>): Promise<ServiceProcess> {
    const service = await startService(env);
    running.push(service);
    return service;
  }

  async function dataDir(): Promise<string> {
    const dir = await createDataDir();
    dataDirs.push(dir);
    return dir;
  }

  async function database(): Promise<string> {
    const url = await createTestDatabase();
    databases.push(url);
    return url;
  }

  beforeAll(() => buildServiceOnce(), 300_000);

  afterEach(async () => {
    // A failed test may leave its service running: stop it so the next test starts clean.
    await Promise.all(running.splice(0).map((s) => s.stop().catch(() => undefined)));
  }, 60_000);

  afterAll(async () => {
    for (const dir of dataDirs) await removeDataDir(dir);
    for (const url of databases) await dropTestDatabase(url);
  }, 60_000);

  describe('on the embedded PostgreSQL', () => {
    let embeddedDataDir: string;
    let generatedKey: string | undefined;

    beforeAll(async () => {
      embeddedDataDir = await dataDir();
    });

    it(
      'starts from an empty data dir, prints a generated key once, and stops postgres on SIGTERM with exit code 0',
      async () => {
        const service = await start({ DATA_DIR: embeddedDataDir });
        expectReady(service);

        const keys = generatedKeysIn(service.stdout());
        expect(keys).toHaveLength(1);
        const [key] = keys;
        expect(occurrences(service.stdout() + service.stderr(), key)).toBe(1);

        const list = await call(service.url, 'GET', '/api/v3/api_keys', { apiKey: key });
        expect(list.status).toBe(200);
        expect(list.body.items).toHaveLength(1);
        expect([...list.body.items[0].scopes].sort()).toEqual([...SCOPES].sort());
        generatedKey = key;

        const pgPort = Number(service.env.EMBEDDED_PG_PORT);
        expect(await acceptsConnections(pgPort)).toBe(true);
        const exit = await service.stop();
        expect({ exit, postgresListening: await acceptsConnections(pgPort) }).toEqual({
          exit: { code: 0, signal: null },
          postgresListening: false,
        });
      },
      BOOT_TIMEOUT_MS,
    );

    it(
      'reuses the data on restart: the earlier key still works and no new key is printed',
      async () => {
        expect(generatedKey).toEqual(expect.stringMatching(/^ak_/)); // set by the previous test
        const service = await start({ DATA_DIR: embeddedDataDir });
        expectReady(service);

        expect(generatedKeysIn(service.stdout() + service.stderr())).toEqual([]);
        const list = await call(service.url, 'GET', '/api/v3/api_keys', { apiKey: generatedKey });
        expect(list.status).toBe(200);
        expect(list.body.items).toHaveLength(1);

        expect(await service.stop()).toEqual({ code: 0, signal: null });
      },
      BOOT_TIMEOUT_MS,
    );
  });

  it(
    'takes the bootstrap key from BOOTSTRAP_API_KEY on an external database and never prints it',
    async () => {
      const bootstrapKey = `operator-chosen-${randomBytes(16).toString('hex')}`;
      const service = await start({
        DATA_DIR: await dataDir(),
        DATABASE_URL: await database(),
        BOOTSTRAP_API_KEY: bootstrapKey,
      });
      expectReady(service);

      const list = await call(service.url, 'GET', '/api/v3/api_keys', { apiKey: bootstrapKey });
      expect(list.status).toBe(200);
      expect(list.body.items).toHaveLength(1);

      const exit = await service.stop();
      expect(service.stdout()).not.toContain(bootstrapKey);
      expect(service.stderr()).not.toContain(bootstrapKey);
      expect(generatedKeysIn(service.stdout())).toEqual([]);
      expect(exit).toEqual({ code: 0, signal: null });
    },
    BOOT_TIMEOUT_MS,
  );

  it(
    'refuses to start on a bad environment value and names every bad variable',
    async () => {
      const common = { DATA_DIR: await dataDir(), DATABASE_URL: await database() };
      for (const [name, value] of [
        ['PORT', 'abc'],
        ['LOG_LEVEL', 'loud'],
      ]) {
        const service = await start({ ...common, [name]: value });
        const exit = await service.exited;
        expect({ ready: service.ready, signal: exit.signal, failed: exit.code !== 0 }).toEqual({
          ready: false,
          signal: null,
          failed: true,
        });
        expect(service.stderr()).toMatch(new RegExp(`\\b${name}\\b.*${value}`));
      }

      const service = await start({ ...common, PORT: 'abc', LOG_LEVEL: 'loud', DB_POOL_SIZE: '0' });
      const exit = await service.exited;
      expect(exit.code).not.toBe(0);
      expect(exit.code).not.toBeNull();
      expect(service.ready).toBe(false);
      for (const name of ['PORT', 'LOG_LEVEL', 'DB_POOL_SIZE'])
        expect(service.stderr()).toMatch(new RegExp(`\\b${name}\\b`));
    },
    BOOT_TIMEOUT_MS,
  );

  it(
    'lets two processes start at once on a fresh database: migrations run once and one project `default` exists',
    async () => {
      const databaseUrl = await database();
      const [first, second] = await Promise.all([
        start({ DATA_DIR: await dataDir(), DATABASE_URL: databaseUrl }),
        start({ DATA_DIR: await dataDir(), DATABASE_URL: databaseUrl }),
      ]);
      expectReady(first);
      expectReady(second);

      const projects = await queryDatabase<{ name: string }>(databaseUrl, 'SELECT name FROM projects');
      expect(projects).toEqual([{ name: 'default' }]);
      const migrations = await queryDatabase<{ name: string; n: number }>(
        databaseUrl,
        'SELECT name, count(*)::int AS n FROM migrations GROUP BY name HAVING count(*) > 1',
      );
      expect(migrations).toEqual([]);

      // Exactly one of them created the project, so exactly one printed a key, and it works on both.
      const keys = generatedKeysIn(first.stdout() + second.stdout());
      expect(keys).toHaveLength(1);
      for (const service of [first, second]) {
        expect((await call(service.url, 'GET', '/api/v3/api_keys', { apiKey: keys[0] })).status).toBe(200);
      }

      const exits = await Promise.all([first.stop(), second.stop()]);
      expect(exits).toEqual([
        { code: 0, signal: null },
        { code: 0, signal: null },
      ]);
    },
    BOOT_TIMEOUT_MS,
  );
});
