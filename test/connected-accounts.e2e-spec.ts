import { ConnectedAccountsService } from '@app/connected-accounts';
import { randomBytes } from 'node:crypto';
import { call, expectEnvelope, type JsonResponse } from './utils/http';
import { issueKey, seedProject, startTestApp, type SeededProject, type TestApp } from './utils/test-app';
import { createTestDatabase, dropTestDatabase, queryDatabase } from './utils/test-database';

const BASE = '/api/v3/connected_accounts';
const secret = (label: string): string => `${label}-${randomBytes(12).toString('hex')}`;
const unknownId = (): string => `ca_${'Z'.repeat(22)}`;

/** The answer without its request id, to compare two answers byte for byte otherwise. */
function comparable(response: JsonResponse): unknown {
  const { request_id: _requestId, ...error } = response.body?.error ?? {};
  return { status: response.status, body: response.body?.error ? { error } : response.body };
}

describe('Connected accounts', () => {
  let databaseUrl: string;
  let app: TestApp;
  let project: SeededProject;
  let other: SeededProject;

  const create = (body: Record<string, unknown>, key = project.key): Promise<JsonResponse> =>
    call(app.url, 'POST', BASE, { apiKey: key, body });
  const github = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    toolkit_slug: 'github',
    base_url: 'https://api.github.com',
    auth_scheme: 'BEARER_TOKEN',
    credentials: { token: secret('ghp') },
    ...extra,
  });

  beforeAll(async () => {
    databaseUrl = await createTestDatabase();
    app = await startTestApp({ DATABASE_URL: databaseUrl });
    project = await seedProject(app, 'main');
    other = await seedProject(app, 'other');
  });

  afterAll(async () => {
    await app?.close();
    await dropTestDatabase(databaseUrl);
  });

  describe('create and read', () => {
    it('creates an account and answers the account object of the contract, on v3 and v3.1', async () => {
      for (const version of ['v3', 'v3.1']) {
        const res = await call(app.url, 'POST', `/api/${version}/connected_accounts`, {
          apiKey: project.key,
          body: {
            toolkit_slug: 'github',
            user_id: 'user_123',
            alias: 'work',
            base_url: 'https://api.github.com',
            auth_scheme: 'BEARER_TOKEN',
            credentials: { token: 'ghp_0123456789abcdefwxyz' },
            allowed_hosts: ['Uploads.GitHub.com', '*.githubusercontent.com'],
          },
        });
        expect(res.status).toBe(201);
        expect(res.body).toEqual({
          id: expect.stringMatching(/^ca_[0-9A-Za-z]{22}$/),
          toolkit: { slug: 'github' },
          user_id: 'user_123',
          alias: 'work',
          base_url: 'https://api.github.com',
          auth_scheme: 'BEARER_TOKEN',
          credentials: { token: '****wxyz' },
          allowed_hosts: ['uploads.github.com', '*.githubusercontent.com'],
          status: 'ACTIVE',
          status_reason: null,
          is_default: false,
          is_disabled: false,
          version: 1,
          created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
          updated_at: res.body.created_at,
        });
        const read = await call(app.url, 'GET', `/api/${version}/connected_accounts/${res.body.id}`, {
          apiKey: project.key,
        });
        expect(read).toMatchObject({ status: 200, body: res.body });
      }
    });

    it('defaults user_id to "default", alias to null and credentials to {} (NO_AUTH)', async () => {
      const res = await create({
        toolkit_slug: 'public-api',
        base_url: 'https://example.com/v1',
        auth_scheme: 'NO_AUTH',
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ user_id: 'default', alias: null, credentials: {}, allowed_hosts: [] });
    });

    it('answers Request_ValidationFailed listing every bad field', async () => {
      const res = await create({
        toolkit_slug: 'GitHub',
        base_url: 'https://user:pw@api.github.com/?x=1',
        auth_scheme: 'PASSWORD',
        allowed_hosts: ['*.com', 'ok.example.com'],
        is_default: 'yes',
        user_id: null,
        surprise: 1,
      });
      expectEnvelope(res, 'Request_ValidationFailed', {
        errors: [
          'property surprise should not exist',
          'toolkit_slug must be a lower-case slug (a-z, 0-9, single - or _ between them)',
          'user_id must be shorter than or equal to 255 characters',
          'user_id should not be empty',
          'user_id must be a string',
          'base_url must be an absolute http(s) URL without user info, query or fragment',
          'auth_scheme must be one of the following values: API_KEY, BEARER_TOKEN, BASIC, OAUTH2, NO_AUTH, OAUTH2_CLIENT_CREDENTIALS',
          'each value in allowed_hosts must be a host name or a *.domain wildcard',
          'is_default must be a boolean value',
        ],
      });
    });

    it.each([
      [
        'API_KEY',
        { api_key: '', in: 'body', name: 'bad name', prefix: 7, extra: 1 },
        [
          'credentials.api_key must not be empty',
          'credentials.in must be one of: header, query',
          "credentials.name must be an HTTP token (letters, digits and !#$%&'*+.^_`|~-)",
          'credentials.prefix must be a string',
          'credentials.extra is not a field of API_KEY',
        ],
      ],
      [
        'BEARER_TOKEN',
        { access_token: 'x' },
        [
          'credentials.token is required for BEARER_TOKEN',
          'credentials.access_token is not a field of BEARER_TOKEN',
        ],
      ],
      [
        'BASIC',
        { username: 'a:b', password: 1 },
        ['credentials.username must not contain ":"', 'credentials.password must be a string'],
      ],
      [
        'OAUTH2',
        { token_type: 'a b', expires_at: 'soon', token_url: 'ftp://x', client_secret: '' },
        [
          'credentials.access_token is required for OAUTH2',
          "credentials.token_type must be an HTTP token (letters, digits and !#$%&'*+.^_`|~-)",
          'credentials.expires_at must be an ISO 8601 date-time',
          'credentials.token_url must be an absolute http(s) URL without credentials',
          'credentials.client_secret must not be empty',
        ],
      ],
      [
        'NO_AUTH',
        { token: 'x', api_key: 'y' },
        ['credentials.token is not a field of NO_AUTH', 'credentials.api_key is not a field of NO_AUTH'],
      ],
    ])(
      'answers ConnectedAccount_InvalidCredentials listing every bad %s field',
      async (scheme, credentials, errors) => {
        const res = await create({
          toolkit_slug: 'x',
          base_url: 'https://x.example.com',
          auth_scheme: scheme,
          credentials,
        });
        expectEnvelope(res, 'ConnectedAccount_InvalidCredentials', { errors });
        const patched = await create(github());
        const bad = await call(app.url, 'PATCH', `${BASE}/${patched.body.id}`, {
          apiKey: project.key,
          body: { credentials: { token: '' } },
        });
        expectEnvelope(bad, 'ConnectedAccount_InvalidCredentials', {
          errors: ['credentials.token must not be empty'],
        });
      },
    );

    it('needs connected_accounts:write to change and connected_accounts:read to read', async () => {
      const readOnly = await issueKey(app, project.projectId, ['connected_accounts:read']);
      const writeOnly = await issueKey(app, project.projectId, ['connected_accounts:write']);
      const created = await create(github(), writeOnly);
      expect(created.status).toBe(201);
      expectEnvelope(await create(github(), readOnly), 'APIKey_InsufficientPermissions', {
        errors: ['missing scope: connected_accounts:write'],
      });
      for (const [method, path] of [
        ['PATCH', `${BASE}/${created.body.id}`],
        ['DELETE', `${BASE}/${created.body.id}`],
        ['PATCH', `${BASE}/${created.body.id}/status`],
      ]) {
        const res = await call(app.url, method, path, {
          apiKey: readOnly,
          body: method === 'DELETE' ? undefined : {},
        });
        expectEnvelope(res, 'APIKey_InsufficientPermissions', {
          errors: ['missing scope: connected_accounts:write'],
        });
      }
      for (const path of [BASE, `${BASE}/${created.body.id}`]) {
        expectEnvelope(
          await call(app.url, 'GET', path, { apiKey: writeOnly }),
          'APIKey_InsufficientPermissions',
          {
            errors: ['missing scope: connected_accounts:read'],
          },
        );
      }
      expect((await call(app.url, 'GET', `${BASE}/${created.body.id}`, { apiKey: readOnly })).status).toBe(
        200,
      );
    });
  });

  describe('secrets', () => {
    const longSecret = (label: string): string => secret(label);
    const cases: Array<[string, Record<string, unknown>, Record<string, unknown>]> = [
      [
        'API_KEY',
        { api_key: longSecret('apikey'), in: 'header', name: 'x-key', prefix: 'Key ' },
        { in: 'header', name: 'x-key', prefix: 'Key ' },
      ],
      ['BEARER_TOKEN', { token: longSecret('bearer') }, {}],
      ['BASIC', { username: 'alice', password: longSecret('password') }, { username: 'alice' }],
      [
        'OAUTH2',
        {
          access_token: longSecret('access'),
          token_type: 'Bearer',
          expires_at: '2030-01-01T00:00:00Z',
          refresh_token: longSecret('refresh'),
          token_url: 'https://auth.example.com/token',
          client_id: 'client-1',
          client_secret: longSecret('clientsecret'),
          scope: 'repo',
        },
        {
          token_type: 'Bearer',
          expires_at: '2030-01-01T00:00:00Z',
          token_url: 'https://auth.example.com/token',
          client_id: 'client-1',
          scope: 'repo',
        },
      ],
      ['NO_AUTH', {}, {}],
    ];
    const SECRET_FIELDS = ['api_key', 'token', 'password', 'access_token', 'refresh_token', 'client_secret'];
    const secretsOf = (credentials: Record<string, unknown>): string[] =>
      SECRET_FIELDS.filter((f) => f in credentials).map((f) => String(credentials[f]));
    const masked = (
      credentials: Record<string, unknown>,
      shown: Record<string, unknown>,
    ): Record<string, unknown> => ({
      ...shown,
      ...Object.fromEntries(
        secretsOf(credentials).map((value, i) => [
          SECRET_FIELDS.filter((f) => f in credentials)[i],
          `****${value.slice(-4)}`,
        ]),
      ),
    });

    it.each(cases)(
      'never answers a %s secret, on create, get, list or patch, and stores none in clear',
      async (scheme, credentials, shown) => {
        const seeded = secretsOf(credentials);
        const replacement = Object.fromEntries(
          Object.entries(credentials).map(([k, v]) => [
            k,
            SECRET_FIELDS.includes(k) ? longSecret(`new${k}`) : v,
          ]),
        );
        const allSecrets = [...seeded, ...secretsOf(replacement)];
        const responses: JsonResponse[] = [];

        const created = await create({
          toolkit_slug: 'secrets',
          base_url: 'https://api.example.com',
          auth_scheme: scheme,
          credentials,
        });
        responses.push(created);
        expect(created.body.credentials).toEqual(masked(credentials, shown));
        const id: string = created.body.id;
        responses.push(await call(app.url, 'GET', `${BASE}/${id}`, { apiKey: project.key }));
        responses.push(
          await call(app.url, 'GET', `${BASE}?toolkit_slugs=secrets&limit=100`, { apiKey: project.key }),
        );
        responses.push(
          await call(app.url, 'PATCH', `${BASE}/${id}`, { apiKey: project.key, body: { alias: 'renamed' } }),
        );
        const patched = await call(app.url, 'PATCH', `${BASE}/${id}`, {
          apiKey: project.key,
          body: { credentials: replacement },
        });
        responses.push(patched);
        expect(patched.body.credentials).toEqual(masked(replacement, shown));
        responses.push(
          await call(app.url, 'PATCH', `${BASE}/${id}/status`, {
            apiKey: project.key,
            body: { enabled: true },
          }),
        );

        for (const res of responses) {
          expect(res.status).toBeLessThan(300);
          for (const value of allSecrets) expect(res.text).not.toContain(value);
        }
        const [row] = await queryDatabase<{ row: string; kid: string }>(
          databaseUrl,
          `SELECT row_to_json(c)::text AS row, c.encrypted_credentials->>'kid' AS kid FROM connected_accounts c WHERE id = $1`,
          [id],
        );
        expect(row.kid).toBe('test1');
        for (const value of allSecrets) expect(row.row).not.toContain(value);
        // …and yet the proxy gets them back.
        const resolved = await app.app.get(ConnectedAccountsService).resolveForProject(project.projectId, id);
        expect(resolved.credentials).toEqual(replacement);
      },
    );
  });

  describe('project isolation', () => {
    it("answers every route for another project's account exactly like an unknown id, and changes nothing", async () => {
      const theirs = await create(github({ alias: 'theirs' }), other.key);
      expect(theirs.status).toBe(201);
      const routes: Array<[string, string, unknown]> = [
        ['GET', '', undefined],
        ['PATCH', '', { alias: 'mine now' }],
        ['PATCH', '', { credentials: { token: 'stolen-token-value' }, version: 1 }],
        ['PATCH', '', { is_default: true }],
        ['PATCH', '/status', { enabled: false }],
        ['DELETE', '', undefined],
      ];
      for (const [method, suffix, body] of routes) {
        const foreign = await call(app.url, method, `${BASE}/${theirs.body.id}${suffix}`, {
          apiKey: project.key,
          body,
        });
        expectEnvelope(foreign, 'ConnectedAccount_NotFound');
        for (const id of [unknownId(), 'nope', `${theirs.body.id}x`]) {
          const unknown = await call(app.url, method, `${BASE}/${id}${suffix}`, {
            apiKey: project.key,
            body,
          });
          expect(comparable(foreign)).toEqual(comparable(unknown));
        }
      }
      const after = await call(app.url, 'GET', `${BASE}/${theirs.body.id}`, { apiKey: other.key });
      expect(after.body).toEqual(theirs.body);
      const mine = await call(app.url, 'GET', `${BASE}?limit=100`, { apiKey: project.key });
      expect(mine.body.items.map((a: { id: string }) => a.id)).not.toContain(theirs.body.id);
      await expect(
        app.app.get(ConnectedAccountsService).resolveForProject(project.projectId, theirs.body.id),
      ).rejects.toMatchObject({ slug: 'ConnectedAccount_NotFound' });
    });
  });

  describe('default account', () => {
    let defaults: SeededProject;

    beforeAll(async () => {
      defaults = await seedProject(app, 'defaults');
    });

    const defaultIds = async (projectId: string): Promise<string[]> =>
      (
        await queryDatabase<{ id: string }>(
          databaseUrl,
          'SELECT id FROM connected_accounts WHERE project_id = $1 AND is_default',
          [projectId],
        )
      ).map((r) => r.id);

    it('keeps one default per project: a new default un-defaults the previous one', async () => {
      const first = await create(github({ is_default: true }), defaults.key);
      const second = await create(github({ is_default: true }), defaults.key);
      expect([first.body.is_default, second.body.is_default]).toEqual([true, true]);
      expect(await defaultIds(defaults.projectId)).toEqual([second.body.id]);
      const reread = await call(app.url, 'GET', `${BASE}/${first.body.id}`, { apiKey: defaults.key });
      expect(reread.body).toMatchObject({ is_default: false, version: 2 });
      const resolved = await app.app
        .get(ConnectedAccountsService)
        .resolveForProject(defaults.projectId, undefined);
      expect(resolved.id).toBe(second.body.id);
    });

    it('switches atomically under 10 concurrent PATCH is_default:true: exactly one default', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 10; i++) ids.push((await create(github(), defaults.key)).body.id);
      const answers = await Promise.all(
        ids.map((id) =>
          call(app.url, 'PATCH', `${BASE}/${id}`, { apiKey: defaults.key, body: { is_default: true } }),
        ),
      );
      expect(answers.map((a) => a.status)).toEqual(ids.map(() => 200));
      const now = await defaultIds(defaults.projectId);
      expect(now).toHaveLength(1);
      expect(ids).toContain(now[0]);
      const list = await call(app.url, 'GET', `${BASE}?limit=100`, { apiKey: defaults.key });
      expect(
        list.body.items.filter((a: { is_default: boolean }) => a.is_default).map((a: { id: string }) => a.id),
      ).toEqual(now);
    });

    it('stays at one default when 5 default accounts are created at once', async () => {
      const answers = await Promise.all(
        Array.from({ length: 5 }, () => create(github({ is_default: true }), defaults.key)),
      );
      expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 201, 201]);
      expect(await defaultIds(defaults.projectId)).toHaveLength(1);
    });

    it('answers ExternalProxy_MissingAuthContext to a default lookup in a project without one', async () => {
      const empty = await seedProject(app, 'no-default');
      await create(github(), empty.key);
      await expect(
        app.app.get(ConnectedAccountsService).resolveForProject(empty.projectId, undefined),
      ).rejects.toMatchObject({
        slug: 'ExternalProxy_MissingAuthContext',
      });
    });
  });

  describe('update, status and delete', () => {
    it('applies a PATCH carrying the current version and refuses a stale one with 409', async () => {
      const { body: account } = await create(github({ alias: 'v1' }));
      const ok = await call(app.url, 'PATCH', `${BASE}/${account.id}`, {
        apiKey: project.key,
        body: { alias: 'v2', version: 1 },
      });
      expect(ok.body).toMatchObject({ alias: 'v2', version: 2 });
      expect(Date.parse(ok.body.updated_at)).toBeGreaterThanOrEqual(Date.parse(account.updated_at));
      const stale = await call(app.url, 'PATCH', `${BASE}/${account.id}`, {
        apiKey: project.key,
        body: { alias: 'v3', version: 1 },
      });
      expectEnvelope(stale, 'ConnectedAccount_VersionConflict');
      const now = await call(app.url, 'GET', `${BASE}/${account.id}`, { apiKey: project.key });
      expect(now.body).toMatchObject({ alias: 'v2', version: 2 });
    });

    it('never half-applies concurrent unversioned PATCHes: the last write wins whole', async () => {
      const { body: account } = await create(github());
      const answers = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          call(app.url, 'PATCH', `${BASE}/${account.id}`, {
            apiKey: project.key,
            body: {
              alias: `alias-${i}`,
              base_url: `https://h${i}.example.com`,
              allowed_hosts: [`x${i}.example.com`],
            },
          }),
        ),
      );
      expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
      const now = (await call(app.url, 'GET', `${BASE}/${account.id}`, { apiKey: project.key })).body;
      const i = now.alias.replace('alias-', '');
      expect(now).toMatchObject({
        base_url: `https://h${i}.example.com`,
        allowed_hosts: [`x${i}.example.com`],
        version: 11,
      });
      expect(new Set(answers.map((a) => a.body.version)).size).toBe(10);
    });

    it('clears the alias with null and refuses null for fields that cannot be empty', async () => {
      const { body: account } = await create(github({ alias: 'temp' }));
      const cleared = await call(app.url, 'PATCH', `${BASE}/${account.id}`, {
        apiKey: project.key,
        body: { alias: null },
      });
      expect(cleared.body.alias).toBeNull();
      const bad = await call(app.url, 'PATCH', `${BASE}/${account.id}`, {
        apiKey: project.key,
        body: { base_url: null, credentials: null, version: 0 },
      });
      expectEnvelope(bad, 'Request_ValidationFailed', {
        errors: [
          'base_url must be an absolute http(s) URL without user info, query or fragment',
          'credentials must be an object',
          'version must not be less than 1',
        ],
      });
    });

    it('disables and re-enables an account; the proxy refuses a disabled one', async () => {
      const { body: account } = await create(github());
      const service = app.app.get(ConnectedAccountsService);
      await expect(service.resolveForProject(project.projectId, account.id)).resolves.toMatchObject({
        id: account.id,
      });
      const disabled = await call(app.url, 'PATCH', `${BASE}/${account.id}/status`, {
        apiKey: project.key,
        body: { enabled: false },
      });
      expect(disabled).toMatchObject({
        status: 200,
        body: { status: 'INACTIVE', is_disabled: true, version: 2 },
      });
      await expect(service.resolveForProject(project.projectId, account.id)).rejects.toMatchObject({
        slug: 'ConnectedAccount_NotActive',
      });
      const listed = await call(app.url, 'GET', `${BASE}?statuses=INACTIVE&limit=100`, {
        apiKey: project.key,
      });
      expect(listed.body.items.map((a: { id: string }) => a.id)).toContain(account.id);
      const enabled = await call(app.url, 'PATCH', `${BASE}/${account.id}/status`, {
        apiKey: project.key,
        body: { enabled: true },
      });
      expect(enabled.body).toMatchObject({ status: 'ACTIVE', is_disabled: false });
      await expect(service.resolveForProject(project.projectId, account.id)).resolves.toMatchObject({
        id: account.id,
      });
      expectEnvelope(
        await call(app.url, 'PATCH', `${BASE}/${account.id}/status`, {
          apiKey: project.key,
          body: { enabled: 'no' },
        }),
        'Request_ValidationFailed',
        { errors: ['enabled must be a boolean value'] },
      );
    });

    it('reactivates an expired account when its credentials are replaced', async () => {
      const { body: account } = await create(github());
      await queryDatabase(
        databaseUrl,
        `UPDATE connected_accounts SET status = 'EXPIRED', status_reason = 'token expired' WHERE id = $1`,
        [account.id],
      );
      const expired = await call(app.url, 'GET', `${BASE}/${account.id}`, { apiKey: project.key });
      expect(expired.body).toMatchObject({
        status: 'EXPIRED',
        status_reason: 'token expired',
        is_disabled: false,
      });
      const renewed = await call(app.url, 'PATCH', `${BASE}/${account.id}`, {
        apiKey: project.key,
        body: { credentials: { token: secret('renewed') } },
      });
      expect(renewed.body).toMatchObject({ status: 'ACTIVE', status_reason: null });
    });

    it('deletes an account once', async () => {
      const { body: account } = await create(github());
      const deleted = await call(app.url, 'DELETE', `${BASE}/${account.id}`, { apiKey: project.key });
      expect(deleted).toMatchObject({ status: 200, body: { success: true } });
      expectEnvelope(
        await call(app.url, 'GET', `${BASE}/${account.id}`, { apiKey: project.key }),
        'ConnectedAccount_NotFound',
      );
      expectEnvelope(
        await call(app.url, 'DELETE', `${BASE}/${account.id}`, { apiKey: project.key }),
        'ConnectedAccount_NotFound',
      );
    });
  });

  describe('listing', () => {
    let lister: SeededProject;
    const list = (query: string): Promise<JsonResponse> =>
      call(app.url, 'GET', `${BASE}?${query}`, { apiKey: lister.key });

    beforeAll(async () => {
      lister = await seedProject(app, 'lister');
    });

    it('walks 45 accounts in pages of 20 without gaps or repeats while new ones are inserted', async () => {
      const originals = new Set<string>();
      for (let i = 0; i < 45; i++) {
        originals.add(
          (await create(github({ toolkit_slug: 'paged', user_id: `u${i % 3}` }), lister.key)).body.id,
        );
      }
      const seen: Array<{ id: string; created_at: string }> = [];
      const pageSizes: number[] = [];
      let inserting = true;
      let inserted = 0;
      const inserter = (async () => {
        while (inserting) {
          await create(github({ toolkit_slug: 'paged' }), lister.key);
          inserted++;
        }
      })();
      try {
        let cursor: string | null = null;
        do {
          const page: JsonResponse = await list(
            `toolkit_slugs=paged&limit=20${cursor ? `&cursor=${cursor}` : ''}`,
          );
          expect(page.status).toBe(200);
          pageSizes.push(page.body.items.length);
          seen.push(...page.body.items);
          cursor = page.body.next_cursor;
          // Give the inserter room between pages.
          await create(github({ toolkit_slug: 'paged' }), lister.key);
        } while (cursor);
      } finally {
        inserting = false;
        await inserter;
      }
      const ids = seen.map((a) => a.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect([...originals].filter((id) => !ids.includes(id))).toEqual([]);
      expect(inserted).toBeGreaterThan(0);
      const times = seen.map((a) => Date.parse(a.created_at));
      expect(times.every((t, i) => i === 0 || t <= times[i - 1])).toBe(true);
      expect(pageSizes.slice(0, -1).every((n) => n === 20)).toBe(true);
    });

    it('filters by toolkit, user and status, and answers next_cursor null on the last page', async () => {
      await create(github({ toolkit_slug: 'slack', user_id: 'carol' }), lister.key);
      const slack = await list('toolkit_slugs=slack,nothing&user_ids=carol,dave');
      expect(
        slack.body.items.map((a: { toolkit: { slug: string }; user_id: string }) => [
          a.toolkit.slug,
          a.user_id,
        ]),
      ).toEqual([['slack', 'carol']]);
      expect(slack.body.next_cursor).toBeNull();
      const byUser = await list('toolkit_slugs=paged&user_ids=u1&limit=100');
      expect(byUser.body.items).toHaveLength(15);
      expect((await list('statuses=INACTIVE')).body).toEqual({ items: [], next_cursor: null });
    });

    it('refuses a bad limit, status, cursor or unknown parameter', async () => {
      for (const [query, errors] of [
        ['limit=0', ['limit must not be less than 1']],
        ['limit=101', ['limit must not be greater than 100']],
        [
          'limit=ten',
          [
            'limit must not be greater than 100',
            'limit must not be less than 1',
            'limit must be an integer number',
          ],
        ],
        [
          'statuses=ACTIVE,GONE',
          ['each value in statuses must be one of the following values: ACTIVE, INACTIVE, EXPIRED, FAILED'],
        ],
        ['cursor=bm9wZQ', ['cursor is not a next_cursor this API returned']],
        ['page=2', ['property page should not exist']],
      ] as const) {
        expectEnvelope(await list(query), 'Request_ValidationFailed', { errors });
      }
    });
  });
});
