import { hashApiKey, SCOPES } from '@app/auth';
import { call, expectEnvelope } from './utils/http';
import { issueKey, seedProject, startTestApp, type SeededProject, type TestApp } from './utils/test-app';
import { createTestDatabase, dropTestDatabase, queryDatabase } from './utils/test-database';

describe('API-key authentication', () => {
  let databaseUrl: string;
  let app: TestApp;
  let project: SeededProject;

  beforeAll(async () => {
    databaseUrl = await createTestDatabase();
    app = await startTestApp({ DATABASE_URL: databaseUrl });
    project = await seedProject(app);
  });

  afterAll(async () => {
    await app?.close();
    await dropTestDatabase(databaseUrl);
  });

  it('answers Auth_NoAuthProvided without an x-api-key header', async () => {
    expectEnvelope(await call(app.url, 'GET', '/api/v3/api_keys'), 'Auth_NoAuthProvided');
  });

  it('answers APIKey_InvalidAPIKey for an unknown, malformed or typo-ed key', async () => {
    const typo = `${project.key.slice(0, -1)}${project.key.endsWith('a') ? 'b' : 'a'}`;
    for (const key of ['nope', 'ak_' + 'x'.repeat(38), typo]) {
      expectEnvelope(await call(app.url, 'GET', '/api/v3/api_keys', { apiKey: key }), 'APIKey_InvalidAPIKey');
    }
  });

  it('does not accept the key in the query string', async () => {
    const res = await call(app.url, 'GET', `/api/v3/api_keys?api_key=${project.key}`);
    expectEnvelope(res, 'Auth_NoAuthProvided');
  });

  it('lets a key with the scope through on both API versions', async () => {
    for (const version of ['v3', 'v3.1']) {
      const res = await call(app.url, 'GET', `/api/${version}/api_keys`, { apiKey: project.key });
      expect(res.status).toBe(200);
      expect(res.body.items).toHaveLength(1);
    }
  });

  it('answers APIKey_InsufficientPermissions naming the missing scope', async () => {
    const key = await issueKey(app, project.projectId, ['proxy:execute']);
    const res = await call(app.url, 'GET', '/api/v3/api_keys', { apiKey: key });
    expectEnvelope(res, 'APIKey_InsufficientPermissions', { errors: ['missing scope: api_keys:manage'] });
  });

  it('refuses a project key on the projects route (projects:manage)', async () => {
    const res = await call(app.url, 'POST', '/api/v3/projects', { apiKey: project.key, body: { name: 'x' } });
    expectEnvelope(res, 'APIKey_InsufficientPermissions', { errors: ['missing scope: projects:manage'] });
  });

  it('issues a key whose value authenticates and is never listed again', async () => {
    const created = await call(app.url, 'POST', '/api/v3/api_keys', {
      apiKey: project.key,
      body: { name: 'ci', scopes: ['connected_accounts:read'] },
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.any(String),
      name: 'ci',
      key: expect.stringMatching(/^ak_[0-9A-Za-z]{38}$/),
      scopes: ['connected_accounts:read'],
    });
    const list = await call(app.url, 'GET', '/api/v3/api_keys', { apiKey: project.key });
    expect(list.text).not.toContain(created.body.key);
    expect(list.body.items.map((k: { id: string }) => k.id)).toContain(created.body.id);
  });

  it('does not let a key grant scopes it lacks', async () => {
    const key = await issueKey(app, project.projectId, ['api_keys:manage']);
    const res = await call(app.url, 'POST', '/api/v3/api_keys', {
      apiKey: key,
      body: { name: 'x', scopes: ['proxy:execute'] },
    });
    expectEnvelope(res, 'APIKey_InsufficientPermissions', { errors: ['cannot grant scope: proxy:execute'] });
  });

  it('treats an empty x-api-key header as no key', async () => {
    expectEnvelope(await call(app.url, 'GET', '/api/v3/api_keys', { apiKey: '' }), 'Auth_NoAuthProvided');
  });

  it('does not accept the key as a bearer token', async () => {
    const res = await call(app.url, 'GET', '/api/v3/api_keys', {
      headers: { authorization: `Bearer ${project.key}` },
    });
    expectEnvelope(res, 'Auth_NoAuthProvided');
  });

  it('answers APIKey_InvalidAPIKey for a key revoked in the database', async () => {
    const key = await issueKey(app, project.projectId, ['api_keys:manage']);
    await queryDatabase(databaseUrl, 'UPDATE api_keys SET revoked_at = now() WHERE key_hash = $1', [
      hashApiKey(key),
    ]);
    expectEnvelope(await call(app.url, 'GET', '/api/v3/api_keys', { apiKey: key }), 'APIKey_InvalidAPIKey');
  });

  it('gives the bootstrap key every scope, projects:manage included', async () => {
    const bootstrapKey = 'test-bootstrap-key-0123456789abcdef';
    expect((await call(app.url, 'GET', '/api/v3/api_keys', { apiKey: bootstrapKey })).status).toBe(200);
    const created = await call(app.url, 'POST', '/api/v3/projects', {
      apiKey: bootstrapKey,
      body: { name: 'from-bootstrap' },
    });
    expect(created.status).toBe(201);
    const [row] = await queryDatabase<{ scopes: string[] }>(
      databaseUrl,
      "SELECT k.scopes FROM api_keys k JOIN projects p ON p.id = k.project_id WHERE p.name = 'default'",
    );
    expect([...row.scopes].sort()).toEqual([...SCOPES].sort());
  });

  it('knows every scope of the contract', () => {
    expect([...SCOPES].sort()).toEqual([
      'api_keys:manage',
      'connected_accounts:read',
      'connected_accounts:write',
      'projects:manage',
      'proxy:execute',
    ]);
  });
});
