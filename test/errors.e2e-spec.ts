import { generateApiKey } from '@app/auth';
import { call, expectEnvelope } from './utils/http';
import { seedProject, startTestApp, type SeededProject, type TestApp } from './utils/test-app';
import { createTestDatabase, dropTestDatabase, queryDatabase } from './utils/test-database';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const DEFAULT_BODY_LIMIT_BYTES = 1_048_576;

describe('Error envelope and request ids', () => {
  let databaseUrl: string;
  let app: TestApp;
  let project: SeededProject;

  beforeAll(async () => {
    databaseUrl = await createTestDatabase();
    // REQUEST_BODY_LIMIT_BYTES unset: the default limit applies.
    app = await startTestApp({ DATABASE_URL: databaseUrl, REQUEST_BODY_LIMIT_BYTES: undefined });
    project = await seedProject(app);
  });

  afterAll(async () => {
    await app?.close();
    await dropTestDatabase(databaseUrl);
  });

  describe('Request_ValidationFailed', () => {
    it('lists every problem of the body at once in `errors`', async () => {
      const res = await call(app.url, 'POST', '/api/v3/api_keys', {
        apiKey: project.key,
        body: { scopes: ['bogus'], extra: 1 },
      });
      expectEnvelope(res, 'Request_ValidationFailed', {
        errors: expect.arrayContaining([
          'property extra should not exist',
          expect.stringMatching(/\bname\b/),
          expect.stringMatching(/\bscopes\b/),
        ]),
      });
      // One line per problem, not one line for everything.
      for (const line of res.body.error.errors as string[]) {
        expect([/\bextra\b/, /\bname\b/, /\bscopes\b/].filter((field) => field.test(line))).toHaveLength(1);
      }
    });
  });

  describe('Request_MalformedJson', () => {
    it('answers a body that is not JSON', async () => {
      const res = await call(app.url, 'POST', '/api/v3/api_keys', {
        apiKey: project.key,
        rawBody: '{"name": "ci", "scopes": [',
        headers: { 'content-type': 'application/json' },
      });
      expectEnvelope(res, 'Request_MalformedJson');
    });

    it('answers an empty body sent as JSON', async () => {
      const res = await call(app.url, 'POST', '/api/v3/api_keys', {
        apiKey: project.key,
        rawBody: '',
        headers: { 'content-type': 'application/json' },
      });
      expectEnvelope(res, 'Request_MalformedJson');
    });
  });

  describe('HTTP_RouteNotFound', () => {
    it('answers an unknown route without an API key', async () => {
      expectEnvelope(await call(app.url, 'GET', '/api/v3/no_such_route'), 'HTTP_RouteNotFound');
      expectEnvelope(await call(app.url, 'POST', '/nowhere', { body: {} }), 'HTTP_RouteNotFound');
    });

    it('answers an unknown route with a valid API key', async () => {
      expectEnvelope(
        await call(app.url, 'GET', '/api/v3/no_such_route', { apiKey: project.key }),
        'HTTP_RouteNotFound',
      );
      expectEnvelope(
        await call(app.url, 'PUT', '/api/v3.1/api_keys', { apiKey: project.key, body: {} }),
        'HTTP_RouteNotFound',
      );
    });
  });

  describe('Request_PayloadTooLarge', () => {
    it('answers 413 for a body over the default limit of 1 MiB', async () => {
      const body = { name: 'x'.repeat(DEFAULT_BODY_LIMIT_BYTES), scopes: ['proxy:execute'] };
      const res = await call(app.url, 'POST', '/api/v3/api_keys', { apiKey: project.key, body });
      expectEnvelope(res, 'Request_PayloadTooLarge');
    });

    it('accepts a body just under the limit (and judges it on its content)', async () => {
      const padding = 'x'.repeat(DEFAULT_BODY_LIMIT_BYTES - 100);
      const res = await call(app.url, 'POST', '/api/v3/api_keys', {
        apiKey: project.key,
        body: { name: padding, scopes: ['proxy:execute'] },
      });
      expectEnvelope(res, 'Request_ValidationFailed', {
        errors: ['name must be shorter than or equal to 100 characters'],
      });
    });
  });

  describe('Request_UnsupportedMediaType', () => {
    it('answers 415 for a text/plain body', async () => {
      const res = await call(app.url, 'POST', '/api/v3/api_keys', {
        apiKey: project.key,
        rawBody: '{"name":"ci","scopes":["proxy:execute"]}',
        headers: { 'content-type': 'text/plain' },
      });
      expectEnvelope(res, 'Request_UnsupportedMediaType');
    });
  });

  describe('x-request-id', () => {
    it.each([
      ['a short id', 'abc'],
      ['every allowed character', 'Trace-01.span_2:retry-3'],
      ['128 characters', 'r'.repeat(128)],
      ['one character', '7'],
    ])('reuses a valid incoming id (%s) in the header and in request_id', async (_label, id) => {
      const failed = await call(app.url, 'GET', '/api/v3/api_keys', { headers: { 'x-request-id': id } });
      expect(failed.headers.get('x-request-id')).toBe(id);
      expect(failed.body.error.request_id).toBe(id);
      expectEnvelope(failed, 'Auth_NoAuthProvided');

      const ok = await call(app.url, 'GET', '/health', { headers: { 'x-request-id': id } });
      expect(ok.headers.get('x-request-id')).toBe(id);
    });

    it.each([
      ['a space and a bang', 'bad id!'],
      ['129 characters', 'r'.repeat(129)],
      ['a slash', 'a/b'],
      ['an empty value', ''],
    ])('replaces an invalid incoming id (%s) with a UUID', async (_label, id) => {
      const res = await call(app.url, 'GET', '/api/v3/api_keys', { headers: { 'x-request-id': id } });
      expectEnvelope(res, 'Auth_NoAuthProvided');
      expect(res.headers.get('x-request-id')).toMatch(UUID);
      expect(res.body.error.request_id).toBe(res.headers.get('x-request-id'));
    });

    it('is on every response, successful ones included, and differs per request', async () => {
      const responses = [
        await call(app.url, 'GET', '/health'),
        await call(app.url, 'GET', '/health/ready'),
        await call(app.url, 'GET', '/api/v3/api_keys', { apiKey: project.key }),
        await call(app.url, 'POST', '/api/v3/api_keys', {
          apiKey: project.key,
          body: { name: 'rid', scopes: ['proxy:execute'] },
        }),
        await call(app.url, 'GET', '/api/v3/api_keys'),
        await call(app.url, 'GET', '/nowhere'),
      ];
      expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 201, 401, 404]);
      const ids = responses.map((r) => r.headers.get('x-request-id'));
      for (const id of ids) expect(id).toMatch(UUID);
      expect(new Set(ids).size).toBe(ids.length);
    });
  });

  describe('health', () => {
    it('answers GET /health with 200 {status: ok} without an API key', async () => {
      const res = await call(app.url, 'GET', '/health');
      expect({ status: res.status, body: res.body }).toEqual({ status: 200, body: { status: 'ok' } });
    });

    it('answers GET /health/ready with 200 {status: ok} without an API key', async () => {
      const res = await call(app.url, 'GET', '/health/ready');
      expect({ status: res.status, body: res.body }).toEqual({ status: 200, body: { status: 'ok' } });
    });
  });
});

describe('Internal_ServerError', () => {
  let databaseUrl: string;
  let app: TestApp;

  beforeAll(async () => {
    databaseUrl = await createTestDatabase();
    app = await startTestApp({ DATABASE_URL: databaseUrl });
    // Break the database under the running app: the next key lookup fails in a way no handler expects.
    await queryDatabase(databaseUrl, 'DROP TABLE api_keys CASCADE');
  });

  afterAll(async () => {
    await app?.close();
    await dropTestDatabase(databaseUrl);
  });

  it('answers an unexpected failure with 500, a request id, x-should-retry: false and no internals', async () => {
    // A well-formed key nobody has used: not cached, so authenticating it queries the dropped table.
    const res = await call(app.url, 'GET', '/api/v3/api_keys', { apiKey: generateApiKey() });
    expectEnvelope(res, 'Internal_ServerError');
    expect(res.headers.get('x-should-retry')).toBe('false');
    expect(res.body.error.request_id).toMatch(UUID);
    for (const leak of [
      'api_keys',
      'relation',
      'at ',
      'SELECT',
      'QueryFailedError',
      'node_modules',
      'stack',
    ]) {
      expect(res.text).not.toContain(leak);
    }
  });

  it('reuses a valid incoming x-request-id on a 500 too', async () => {
    const res = await call(app.url, 'GET', '/api/v3/api_keys', {
      apiKey: generateApiKey(),
      headers: { 'x-request-id': 'incident-42' },
    });
    expectEnvelope(res, 'Internal_ServerError');
    expect(res.body.error.request_id).toBe('incident-42');
  });
});
