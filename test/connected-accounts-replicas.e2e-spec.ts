import { ConnectedAccountsService, KeyRotationService, type ResolvedAccount } from '@app/connected-accounts';
import { randomBytes } from 'node:crypto';
import { call, type JsonResponse } from './utils/http';
import { seedProject, startTestApp, type SeededProject, type TestApp } from './utils/test-app';
import { createTestDatabase, dropTestDatabase, queryDatabase } from './utils/test-database';

const BASE = '/api/v3/connected_accounts';
const TEST_KEY = 'test1:He5T7lEu3qm0c2xYbVzQhpZCuSOUKyCYEtRww0qpPvU=';
const NEW_KEY = `k2:${randomBytes(32).toString('base64')}`;
const token = (): string => `tok-${randomBytes(12).toString('hex')}`;

/** Polls `probe` until `done` holds; every poll is sent within `withinMs` of the start. */
async function eventually<T>(
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  withinMs = 1000,
): Promise<T> {
  const deadline = Date.now() + withinMs;
  let last = await probe();
  while (!done(last) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    last = await probe();
  }
  return last;
}

/** The account, or the slug of the error resolving it answered. */
async function resolveOrSlug(
  service: ConnectedAccountsService,
  projectId: string,
  id: string | undefined,
): Promise<ResolvedAccount | string> {
  try {
    return await service.resolveForProject(projectId, id);
  } catch (error) {
    return (error as { slug?: string }).slug ?? String(error);
  }
}

describe('Connected accounts across replicas', () => {
  let databaseUrl: string;
  let first: TestApp;
  let second: TestApp;
  let project: SeededProject;
  let secondService: ConnectedAccountsService;

  const create = async (body: Record<string, unknown>, app = first): Promise<string> => {
    const res = await call(app.url, 'POST', BASE, {
      apiKey: project.key,
      body: {
        toolkit_slug: 'github',
        base_url: 'https://api.github.com',
        auth_scheme: 'BEARER_TOKEN',
        ...body,
      },
    });
    expect(res.status).toBe(201);
    return res.body.id;
  };
  const patch = async (path: string, body: unknown): Promise<void> => {
    expect((await call(first.url, 'PATCH', `${BASE}/${path}`, { apiKey: project.key, body })).status).toBe(
      200,
    );
  };

  beforeAll(async () => {
    databaseUrl = await createTestDatabase();
    first = await startTestApp({ DATABASE_URL: databaseUrl, ENCRYPTION_KEYS: TEST_KEY });
    second = await startTestApp({ DATABASE_URL: databaseUrl, ENCRYPTION_KEYS: TEST_KEY });
    project = await seedProject(first);
    secondService = second.app.get(ConnectedAccountsService);
  });

  afterAll(async () => {
    await second?.close();
    await first?.close();
    await dropTestDatabase(databaseUrl);
  });

  it('serves repeated lookups from its cache, without asking Postgres', async () => {
    // Created through the second instance: its own invalidation is applied before the answer, so no
    // notification still in flight can drop the entry cached below.
    const id = await create({ credentials: { token: token() } }, second);
    const before = await secondService.resolveForProject(project.projectId, id);
    // Changed behind the service's back (no invalidation): the cached account is still served.
    await queryDatabase(
      databaseUrl,
      `UPDATE connected_accounts SET base_url = 'https://changed.example.com' WHERE id = $1`,
      [id],
    );
    await expect(secondService.resolveForProject(project.projectId, id)).resolves.toBe(before);
  });

  it('uses a credential change made on another instance within one second', async () => {
    const old = token();
    const id = await create({ credentials: { token: old } });
    expect((await secondService.resolveForProject(project.projectId, id)).credentials).toEqual({
      token: old,
    });
    const fresh = token();
    await patch(id, { credentials: { token: fresh } });
    const seen = await eventually(
      () => secondService.resolveForProject(project.projectId, id),
      (account) => account.credentials.token === fresh,
    );
    expect(seen.credentials).toEqual({ token: fresh });
  });

  it('stops using an account deleted or disabled on another instance within one second', async () => {
    const deleted = await create({ credentials: { token: token() } });
    const disabled = await create({ credentials: { token: token() } });
    await secondService.resolveForProject(project.projectId, deleted);
    await secondService.resolveForProject(project.projectId, disabled);
    expect((await call(first.url, 'DELETE', `${BASE}/${deleted}`, { apiKey: project.key })).status).toBe(200);
    await patch(`${disabled}/status`, { enabled: false });
    const slugs = await eventually(
      () => Promise.all([deleted, disabled].map((id) => resolveOrSlug(secondService, project.projectId, id))),
      (answers) => answers.every((a) => typeof a === 'string'),
    );
    expect(slugs).toEqual(['ConnectedAccount_NotFound', 'ConnectedAccount_NotActive']);
  });

  it('follows a default switch made on another instance within one second', async () => {
    const a = await create({ credentials: { token: token() }, is_default: true });
    expect(await resolveOrSlug(secondService, project.projectId, undefined)).toMatchObject({ id: a });
    const b = await create({ credentials: { token: token() } });
    await patch(b, { is_default: true });
    const seen = await eventually(
      () => resolveOrSlug(secondService, project.projectId, undefined),
      (account) => typeof account !== 'string' && account.id === b,
    );
    expect(seen).toMatchObject({ id: b });
    await patch(b, { is_default: false });
    expect(
      await eventually(
        () => resolveOrSlug(secondService, project.projectId, undefined),
        (answer) => answer === 'ExternalProxy_MissingAuthContext',
      ),
    ).toBe('ExternalProxy_MissingAuthContext');
  });

  describe('key rotation', () => {
    let rotating: TestApp;

    const kids = async (): Promise<Record<string, number>> => {
      const rows = await queryDatabase<{ kid: string; n: string }>(
        databaseUrl,
        `SELECT encrypted_credentials->>'kid' AS kid, count(*) AS n FROM connected_accounts GROUP BY 1`,
      );
      return Object.fromEntries(rows.map((r) => [r.kid, Number(r.n)]));
    };
    const listAll = (): Promise<JsonResponse> =>
      call(rotating.url, 'GET', `${BASE}?limit=100`, { apiKey: project.key });

    beforeAll(async () => {
      // A replica with the new key first and the old one after it, as an operator deploys before rotating.
      rotating = await startTestApp({ DATABASE_URL: databaseUrl, ENCRYPTION_KEYS: `${NEW_KEY},${TEST_KEY}` });
    });

    afterAll(async () => {
      await rotating?.close();
    });

    it('re-encrypts every account under the new key while old ones keep reading, and resumes on rerun', async () => {
      const tokens = new Map<string, string>();
      for (let i = 0; i < 7; i++) {
        const value = token();
        tokens.set(await create({ credentials: { token: value } }), value);
      }
      const versionsOf = async (): Promise<Record<string, number>> =>
        Object.fromEntries(
          (await listAll()).body.items.map((a: { id: string; version: number }) => [a.id, a.version]),
        );
      const versionsBefore = await versionsOf();
      const total = Object.keys(versionsBefore).length;
      expect(await kids()).toEqual({ test1: total });

      // Reads run while the rotation works through small batches.
      let rotatingNow = true;
      const reads: number[] = [];
      const reader = (async () => {
        while (rotatingNow) reads.push((await listAll()).status);
      })();
      const counts = await rotating.app
        .get(KeyRotationService)
        .rotateAll(2)
        .finally(() => (rotatingNow = false));
      await reader;
      expect(counts).toEqual({ scanned: total, reencrypted: total, skipped: 0 });
      expect(reads.length).toBeGreaterThan(0);
      expect(reads.every((status) => status === 200)).toBe(true);
      expect(await kids()).toEqual({ k2: total });
      // Re-encryption is invisible to clients, so it leaves their version tokens valid.
      expect(await versionsOf()).toEqual(versionsBefore);

      const service = rotating.app.get(ConnectedAccountsService);
      for (const [id, value] of tokens) {
        expect((await service.resolveForProject(project.projectId, id)).credentials).toEqual({
          token: value,
        });
      }

      // An instance still on the old key writes more: mixed rows all read, and a rerun finishes them.
      const late = token();
      const lateId = await create({ credentials: { token: late } });
      expect(await kids()).toEqual({ k2: total, test1: 1 });
      const mixed = await listAll();
      expect(mixed.status).toBe(200);
      expect(mixed.body.items).toHaveLength(total + 1);
      await expect(rotating.app.get(KeyRotationService).rotateAll()).resolves.toEqual({
        scanned: 1,
        reencrypted: 1,
        skipped: 0,
      });
      await expect(rotating.app.get(KeyRotationService).rotateAll()).resolves.toEqual({
        scanned: 0,
        reencrypted: 0,
        skipped: 0,
      });
      expect(await kids()).toEqual({ k2: total + 1 });
      expect((await service.resolveForProject(project.projectId, lateId)).credentials).toEqual({
        token: late,
      });
    });

    it('skips (and a rerun reports) an account it cannot decrypt, without stopping', async () => {
      const id = await create({ credentials: { token: token() } });
      await queryDatabase(
        databaseUrl,
        `UPDATE connected_accounts SET encrypted_credentials = jsonb_set(encrypted_credentials, '{kid}', '"gone"') WHERE id = $1`,
        [id],
      );
      await expect(rotating.app.get(KeyRotationService).rotateAll()).resolves.toEqual({
        scanned: 1,
        reencrypted: 0,
        skipped: 1,
      });
      await queryDatabase(databaseUrl, 'DELETE FROM connected_accounts WHERE id = $1', [id]);
    });
  });

  it('refuses to start on an external database without ENCRYPTION_KEYS, naming the variable (C7)', async () => {
    await expect(startTestApp({ DATABASE_URL: databaseUrl, ENCRYPTION_KEYS: undefined })).rejects.toThrow(
      /ENCRYPTION_KEYS \(unset\): is required when DATABASE_URL is set/,
    );
  });
});
