import { randomUUID } from 'node:crypto';
import { PROJECT_KEY_SCOPES } from '@app/auth';
import { call, expectEnvelope, type JsonResponse } from './utils/http';
import { seedProject, startTestApp, type SeededProject, type TestApp } from './utils/test-app';
import { createTestDatabase, dropTestDatabase, queryDatabase } from './utils/test-database';

/** The key `startTestApp` bootstraps project `default` with (every scope, projects:manage included). */
const BOOTSTRAP_KEY = 'test-bootstrap-key-0123456789abcdef';
const GENERATED_KEY = /^ak_[0-9A-Za-z]{22,}$/;
const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** An error body without its request id, to compare two answers that must be indistinguishable. */
function withoutRequestId(response: JsonResponse): unknown {
  const { request_id: _requestId, ...rest } = response.body.error;
  return { status: response.status, body: { error: rest } };
}

async function sleep(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

describe('API keys', () => {
  let databaseUrl: string;
  let app: TestApp;
  let projectA: SeededProject;
  let projectB: SeededProject;

  async function createKey(
    apiKey: string,
    body: { name: string; scopes: string[] },
    version = 'v3',
  ): Promise<{ id: string; name: string; key: string; scopes: string[] }> {
    const res = await call(app.url, 'POST', `/api/${version}/api_keys`, { apiKey, body });
    expect(res.status).toBe(201);
    return res.body;
  }

  async function listIds(apiKey: string): Promise<string[]> {
    const res = await call(app.url, 'GET', '/api/v3/api_keys', { apiKey });
    expect(res.status).toBe(200);
    return res.body.items.map((k: { id: string }) => k.id);
  }

  beforeAll(async () => {
    databaseUrl = await createTestDatabase();
    app = await startTestApp({ DATABASE_URL: databaseUrl });
    projectA = await seedProject(app, 'project-a');
    projectB = await seedProject(app, 'project-b');
  });

  afterAll(async () => {
    await app?.close();
    await dropTestDatabase(databaseUrl);
  });

  describe.each(['v3', 'v3.1'])('on /api/%s', (version) => {
    it('creates a key, lists it without its value, and revokes it', async () => {
      const created = await call(app.url, 'POST', `/api/${version}/api_keys`, {
        apiKey: projectA.key,
        body: { name: `ci-${version}`, scopes: ['connected_accounts:read', 'proxy:execute'] },
      });
      expect(created.status).toBe(201);
      expect(created.body).toEqual({
        id: expect.any(String),
        name: `ci-${version}`,
        key: expect.stringMatching(GENERATED_KEY),
        scopes: ['connected_accounts:read', 'proxy:execute'],
      });

      const list = await call(app.url, 'GET', `/api/${version}/api_keys`, { apiKey: projectA.key });
      expect(list.status).toBe(200);
      expect(list.text).not.toContain(created.body.key);
      expect(list.body.items).toContainEqual({
        id: created.body.id,
        name: `ci-${version}`,
        scopes: ['connected_accounts:read', 'proxy:execute'],
        key_hint: expect.any(String),
        created_at: expect.stringMatching(ISO_TIMESTAMP),
        last_used_at: null,
      });

      const revoked = await call(app.url, 'DELETE', `/api/${version}/api_keys/${created.body.id}`, {
        apiKey: projectA.key,
      });
      expect({ status: revoked.status, body: revoked.body }).toEqual({
        status: 200,
        body: { success: true },
      });
      expect(await listIds(projectA.key)).not.toContain(created.body.id);
    });
  });

  it('rejects a revoked key at once on the instance that revoked it, even though it was cached', async () => {
    const created = await createKey(projectA.key, { name: 'short-lived', scopes: ['api_keys:manage'] });
    expect((await call(app.url, 'GET', '/api/v3/api_keys', { apiKey: created.key })).status).toBe(200);

    const revoked = await call(app.url, 'DELETE', `/api/v3/api_keys/${created.id}`, { apiKey: projectA.key });
    expect(revoked.status).toBe(200);

    expectEnvelope(
      await call(app.url, 'GET', '/api/v3/api_keys', { apiKey: created.key }),
      'APIKey_InvalidAPIKey',
    );
  });

  it('rejects a revoked key within one second on a second instance sharing the database', async () => {
    const second = await startTestApp({ DATABASE_URL: databaseUrl });
    try {
      const created = await createKey(projectA.key, { name: 'replicated', scopes: ['api_keys:manage'] });
      // Warm the second instance's cache, so only the invalidation can make it forget the key.
      expect((await call(second.url, 'GET', '/api/v3/api_keys', { apiKey: created.key })).status).toBe(200);
      expect((await call(second.url, 'GET', '/api/v3/api_keys', { apiKey: created.key })).status).toBe(200);

      const revoked = await call(app.url, 'DELETE', `/api/v3/api_keys/${created.id}`, {
        apiKey: projectA.key,
      });
      expect(revoked.status).toBe(200);
      // Every poll is sent within a second of the revocation.
      const deadline = Date.now() + 1000;
      let last: JsonResponse;
      for (;;) {
        last = await call(second.url, 'GET', '/api/v3/api_keys', { apiKey: created.key });
        if (last.status !== 200 || Date.now() + 50 > deadline) break;
        await sleep(50);
      }
      expectEnvelope(last, 'APIKey_InvalidAPIKey');
    } finally {
      await second.close();
    }
  });

  it("does not list another project's keys", async () => {
    const idsOfA = await listIds(projectA.key);
    const idsOfB = await listIds(projectB.key);
    expect(idsOfA.length).toBeGreaterThan(0);
    expect(idsOfB).toHaveLength(1);
    expect(idsOfA.filter((id) => idsOfB.includes(id))).toEqual([]);
  });

  it("answers APIKey_NotFound for another project's key exactly as for an unknown id, and leaves it working", async () => {
    const [keyIdOfB] = await listIds(projectB.key);

    const foreign = await call(app.url, 'DELETE', `/api/v3/api_keys/${keyIdOfB}`, { apiKey: projectA.key });
    const unknown = await call(app.url, 'DELETE', `/api/v3/api_keys/${randomUUID()}`, {
      apiKey: projectA.key,
    });
    const notUuid = await call(app.url, 'DELETE', '/api/v3/api_keys/not-a-uuid', { apiKey: projectA.key });
    expectEnvelope(foreign, 'APIKey_NotFound');
    expectEnvelope(unknown, 'APIKey_NotFound');
    expectEnvelope(notUuid, 'APIKey_NotFound');
    expect(withoutRequestId(foreign)).toEqual(withoutRequestId(unknown));
    expect(withoutRequestId(notUuid)).toEqual(withoutRequestId(unknown));

    expect(await listIds(projectB.key)).toEqual([keyIdOfB]);
  });

  it('answers APIKey_NotFound when a key is revoked twice', async () => {
    const created = await createKey(projectA.key, { name: 'twice', scopes: ['proxy:execute'] });
    const first = await call(app.url, 'DELETE', `/api/v3/api_keys/${created.id}`, { apiKey: projectA.key });
    expect(first.status).toBe(200);
    expectEnvelope(
      await call(app.url, 'DELETE', `/api/v3/api_keys/${created.id}`, { apiKey: projectA.key }),
      'APIKey_NotFound',
    );
  });

  it('never sends key_hash and stores no key in clear', async () => {
    const created = await call(app.url, 'POST', '/api/v3/api_keys', {
      apiKey: projectA.key,
      body: { name: 'hashed', scopes: ['api_keys:manage'] },
    });
    const list = await call(app.url, 'GET', '/api/v3/api_keys', { apiKey: created.body.key });
    const revoked = await call(app.url, 'DELETE', `/api/v3/api_keys/${created.body.id}`, {
      apiKey: projectA.key,
    });
    const project = await call(app.url, 'POST', '/api/v3/projects', {
      apiKey: BOOTSTRAP_KEY,
      body: { name: 'hashed-project' },
    });
    for (const res of [created, list, revoked, project]) {
      expect(res.status).toBeLessThan(300);
      expect(res.text).not.toMatch(/key_hash|keyHash/);
    }

    const rows = await queryDatabase(databaseUrl, 'SELECT * FROM api_keys');
    const stored = JSON.stringify(rows);
    for (const key of [
      projectA.key,
      projectB.key,
      created.body.key,
      project.body.api_key.key,
      BOOTSTRAP_KEY,
    ]) {
      // The hint may show the first and last few characters; the middle of a key is never stored.
      expect(stored).not.toContain(key.slice(6, -4));
    }
    for (const row of rows) expect(row.key_hash).toMatch(/^[0-9a-f]{64}$/);
    for (const res of [created, list, revoked, project]) {
      for (const row of rows) expect(res.text).not.toContain(row.key_hash as string);
    }
  });

  it('records last_used_at once a key has been used', async () => {
    const created = await createKey(projectA.key, { name: 'used', scopes: ['api_keys:manage'] });
    const lastUsed = async (): Promise<string | null> => {
      const list = await call(app.url, 'GET', '/api/v3/api_keys', { apiKey: projectA.key });
      return list.body.items.find((k: { id: string }) => k.id === created.id).last_used_at;
    };
    expect(await lastUsed()).toBeNull();

    const before = Date.now();
    expect((await call(app.url, 'GET', '/api/v3/api_keys', { apiKey: created.key })).status).toBe(200);
    let value = await lastUsed();
    for (let i = 0; value === null && i < 40; i++) {
      await sleep(50);
      value = await lastUsed();
    }
    expect(value).toMatch(ISO_TIMESTAMP);
    // Database and test share the clock; allow a second for rounding.
    expect(Date.parse(value as string)).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(value as string)).toBeLessThanOrEqual(Date.now() + 1000);
  });

  describe('POST /projects', () => {
    it('creates a project whose first key works but cannot create projects', async () => {
      const res = await call(app.url, 'POST', '/api/v3/projects', {
        apiKey: BOOTSTRAP_KEY,
        body: { name: 'acme' },
      });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        id: expect.any(String),
        name: 'acme',
        created_at: expect.stringMatching(ISO_TIMESTAMP),
        api_key: {
          id: expect.any(String),
          name: expect.any(String),
          key: expect.stringMatching(GENERATED_KEY),
          scopes: expect.any(Array),
        },
      });
      const { api_key: apiKey } = res.body;
      expect([...apiKey.scopes].sort()).toEqual([...PROJECT_KEY_SCOPES].sort());
      expect(apiKey.scopes).not.toContain('projects:manage');

      // The new key sees its own project only.
      expect(await listIds(apiKey.key)).toEqual([apiKey.id]);
      const again = await call(app.url, 'POST', '/api/v3.1/projects', {
        apiKey: apiKey.key,
        body: { name: 'nested' },
      });
      expectEnvelope(again, 'APIKey_InsufficientPermissions', { errors: ['missing scope: projects:manage'] });
    });

    it('is served on /api/v3.1 too', async () => {
      const res = await call(app.url, 'POST', '/api/v3.1/projects', {
        apiKey: BOOTSTRAP_KEY,
        body: { name: 'acme-2' },
      });
      expect(res.status).toBe(201);
      expect(res.body.name).toBe('acme-2');
    });
  });
});
