import { pino } from 'pino';
import { rootLogger } from '../apps/api/src/request-logging';
import { call, expectEnvelope, type JsonResponse } from './utils/http';
import { seedProject, startTestApp, type SeededProject, type TestApp } from './utils/test-app';
import { createTestDatabase, dropTestDatabase, queryDatabase } from './utils/test-database';
import { startTokenEndpoint, type TokenEndpoint } from './utils/token-endpoint';

const BASE = '/api/v3/connected_accounts';
const COOLDOWN_MS = 2000;
const TOKEN_TIMEOUT_MS = 1000;
const HOUR_MS = 3_600_000;

/** Every log line the apps write during this file, captured instead of printed. */
const logLines: string[] = [];
/** Every API answer of this file: none may carry a token or secret in clear. */
const responses: JsonResponse[] = [];

describe('OAuth2 refresh (checklist R1–R5)', () => {
  let databaseUrl: string;
  let first: TestApp;
  let second: TestApp;
  let project: SeededProject;
  let auth: TokenEndpoint;
  let restoreLog: () => void;

  const api = async (app: TestApp, method: string, path: string, body?: unknown): Promise<JsonResponse> => {
    const res = await call(app.url, method, path, { apiKey: project.key, body });
    responses.push(res);
    return res;
  };
  const proxyCall = (
    app: TestApp,
    accountId: string,
    endpoint = '/api/items',
    body?: unknown,
  ): Promise<JsonResponse> =>
    api(app, 'POST', '/api/v3/tools/execute/proxy', {
      endpoint,
      method: body === undefined ? 'GET' : 'POST',
      connected_account_id: accountId,
      ...(body !== undefined && { body }),
    });
  const createOAuth2 = async (credentials: Record<string, unknown>, scheme = 'OAUTH2'): Promise<string> => {
    const res = await api(first, 'POST', BASE, {
      toolkit_slug: 'oauth-test',
      base_url: auth.url,
      auth_scheme: scheme,
      credentials,
    });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  /** An account whose access token has expired and whose refresh token the server knows. */
  const createExpired = async (
    extra: Record<string, unknown> = {},
  ): Promise<{ id: string; refreshToken: string }> => {
    const grant = auth.seedGrant();
    const id = await createOAuth2({
      access_token: grant.staleAccessToken,
      expires_at: new Date(Date.now() - 60_000).toISOString(),
      refresh_token: grant.refreshToken,
      token_url: auth.tokenUrl,
      client_id: auth.clientId,
      client_secret: auth.clientSecret,
      ...extra,
    });
    return { id, refreshToken: grant.refreshToken };
  };
  const accountRow = async (id: string): Promise<Record<string, unknown>> =>
    (await queryDatabase(databaseUrl, 'SELECT * FROM connected_accounts WHERE id = $1', [id]))[0];

  beforeAll(async () => {
    const stream = (rootLogger as unknown as Record<symbol, { write: (chunk: string) => boolean }>)[
      pino.symbols.streamSym
    ];
    const write = stream.write;
    stream.write = (chunk: string): boolean => {
      logLines.push(String(chunk));
      return true;
    };
    restoreLog = () => {
      stream.write = write;
    };
    databaseUrl = await createTestDatabase();
    auth = await startTokenEndpoint();
    const env = {
      DATABASE_URL: databaseUrl,
      PROXY_ALLOWED_CIDRS: '127.0.0.0/8',
      LOG_LEVEL: 'info',
      OAUTH_REFRESH_MARGIN_SECONDS: '300',
      OAUTH_REFRESH_LEASE_SECONDS: '3',
      OAUTH_TOKEN_TIMEOUT_MS: String(TOKEN_TIMEOUT_MS),
      OAUTH_REFRESH_COOLDOWN_SECONDS: String(COOLDOWN_MS / 1000),
    };
    first = await startTestApp(env);
    second = await startTestApp(env);
    project = await seedProject(first);
  });

  afterAll(async () => {
    await second?.close();
    await first?.close();
    await auth?.close();
    await dropTestDatabase(databaseUrl);
    restoreLog?.();
  });

  beforeEach(() => auth.reset());

  describe('exactly one refresh per expiry (R1)', () => {
    it('answers 50 concurrent calls on an expired token with one token-endpoint call', async () => {
      const { id } = await createExpired();
      auth.behaviour.delayMs = 150;
      const results = await Promise.all(Array.from({ length: 50 }, () => proxyCall(first, id)));
      expect(results.map((r) => `${r.status}/${r.body.status}`)).toEqual(Array(50).fill('200/200'));
      expect(auth.calls).toEqual([
        { grantType: 'refresh_token', auth: 'post', clientId: auth.clientId, scope: undefined },
      ]);
      expect(auth.apiCalls.filter((c) => c.status === 200)).toHaveLength(50);
    });

    it('makes one token-endpoint call for 50 calls spread over two instances sharing the database', async () => {
      const { id } = await createExpired();
      auth.behaviour.delayMs = 150;
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) => proxyCall(i % 2 === 0 ? first : second, id)),
      );
      expect(results.map((r) => `${r.status}/${r.body.status}`)).toEqual(Array(50).fill('200/200'));
      expect(auth.calls).toHaveLength(1);
      expect(auth.apiCalls.filter((c) => c.status === 200)).toHaveLength(50);
      expect(await accountRow(id)).toEqual(
        expect.objectContaining({
          status: 'ACTIVE',
          refresh_lease_owner: null,
          refresh_lease_expires_at: null,
        }),
      );
    });

    it('uses a fresh token as it is, with no token-endpoint call', async () => {
      const { id } = await createExpired();
      expect((await proxyCall(first, id)).body.status).toBe(200);
      expect((await proxyCall(second, id)).body.status).toBe(200);
      expect(auth.calls).toHaveLength(1);
    });
  });

  describe('refresh after a 401 from the upstream', () => {
    const createRejected = async (): Promise<string> => {
      const grant = auth.seedGrant();
      // Not expiring by its expires_at, yet the API refuses it (revoked early, say).
      return createOAuth2({
        access_token: grant.staleAccessToken,
        expires_at: new Date(Date.now() + HOUR_MS).toISOString(),
        refresh_token: grant.refreshToken,
        token_url: auth.tokenUrl,
        client_id: auth.clientId,
        client_secret: auth.clientSecret,
      });
    };

    it('refreshes once and replays the request once, with the same body', async () => {
      const id = await createRejected();
      const res = await proxyCall(first, id, '/api/items', { name: 'widget' });
      expect(res.status).toBe(200);
      expect(res.body.status).toBe(200);
      expect(auth.calls).toHaveLength(1);
      expect(auth.apiCalls.map((c) => [c.status, c.body])).toEqual([
        [401, '{"name":"widget"}'],
        [200, '{"name":"widget"}'],
      ]);
    });

    it('returns a second 401 as the upstream sent it, without another refresh', async () => {
      const id = await createRejected();
      const res = await proxyCall(first, id, '/api/always-401');
      expect(res.status).toBe(200);
      expect(res.body.status).toBe(401);
      expect(auth.calls).toHaveLength(1);
      expect(auth.apiCalls.map((c) => c.status)).toEqual([401, 401]);
      // Refreshed moments ago: the next 401 is the upstream's answer, not a stale token.
      expect((await proxyCall(first, id, '/api/always-401')).body.status).toBe(401);
      expect(auth.calls).toHaveLength(1);
    });

    it('does not refresh when the caller sent its own Authorization header', async () => {
      const id = await createRejected();
      const res = await api(first, 'POST', '/api/v3/tools/execute/proxy', {
        endpoint: '/api/items',
        method: 'GET',
        connected_account_id: id,
        parameters: [{ name: 'Authorization', value: 'Bearer caller-own', in: 'header' }],
      });
      expect(res.body.status).toBe(401);
      expect(auth.calls).toHaveLength(0);
    });
  });

  describe('failure lifecycle (R3, R5)', () => {
    it('marks the account EXPIRED on invalid_grant, keeps its credentials, and answers 422 afterwards', async () => {
      const refreshToken = auth.unknownToken('rt');
      const id = await createOAuth2({
        access_token: auth.unknownToken('at'),
        expires_at: new Date(Date.now() - 1000).toISOString(),
        refresh_token: refreshToken,
        token_url: auth.tokenUrl,
        client_id: auth.clientId,
        client_secret: auth.clientSecret,
      });
      expectEnvelope(await proxyCall(first, id), 'ConnectedAccount_NotActive');
      const account = await api(first, 'GET', `${BASE}/${id}`);
      expect(account.body).toEqual(
        expect.objectContaining({
          status: 'EXPIRED',
          status_reason: expect.stringContaining('invalid_grant'),
          credentials: expect.objectContaining({ refresh_token: `****${refreshToken.slice(-4)}` }),
        }),
      );
      expectEnvelope(await proxyCall(second, id), 'ConnectedAccount_NotActive');
      expectEnvelope(await api(first, 'POST', `${BASE}/${id}/refresh`), 'ConnectedAccount_NotActive');
      expect(auth.calls).toHaveLength(1);
    });

    it('answers 502 when the token endpoint fails, keeps the account ACTIVE, and waits out a cooldown', async () => {
      const { id } = await createExpired();
      const before = await accountRow(id);
      auth.behaviour.mode = 'error500';
      expectEnvelope(await proxyCall(first, id), 'ConnectedAccount_RefreshFailed');
      expectEnvelope(await proxyCall(second, id), 'ConnectedAccount_RefreshFailed');
      expect(auth.calls).toHaveLength(1);
      const row = await accountRow(id);
      expect(row).toEqual(
        expect.objectContaining({
          status: 'ACTIVE',
          encrypted_credentials: before.encrypted_credentials,
          refresh_lease_owner: null,
        }),
      );
      auth.behaviour.mode = 'ok';
      await new Promise((resolve) => setTimeout(resolve, COOLDOWN_MS + 100));
      expect((await proxyCall(first, id)).body.status).toBe(200);
      expect(auth.calls).toHaveLength(2);
      // Succeeds only because the stored refresh token is still the grant's current one.
    });

    it('answers 502 within the token timeout when the token endpoint hangs, account still ACTIVE', async () => {
      const { id } = await createExpired();
      auth.behaviour.mode = 'hang';
      const started = Date.now();
      expectEnvelope(await proxyCall(first, id), 'ConnectedAccount_RefreshFailed');
      expect(Date.now() - started).toBeLessThan(TOKEN_TIMEOUT_MS + 1500);
      expect(await accountRow(id)).toEqual(
        expect.objectContaining({ status: 'ACTIVE', refresh_lease_owner: null }),
      );
    });
  });

  describe('leases (R2, R4)', () => {
    it('lets the next caller refresh once the lease of a holder that died runs out', async () => {
      const { id } = await createExpired();
      await queryDatabase(
        databaseUrl,
        `UPDATE connected_accounts SET refresh_lease_owner = 'dead-replica',
           refresh_lease_expires_at = now() + interval '1500 milliseconds' WHERE id = $1`,
        [id],
      );
      const started = Date.now();
      const res = await proxyCall(second, id);
      expect(res.body.status).toBe(200);
      expect(Date.now() - started).toBeGreaterThanOrEqual(1200);
      expect(auth.calls).toHaveLength(1);
      expect(await accountRow(id)).toEqual(
        expect.objectContaining({ refresh_lease_owner: null, refresh_lease_expires_at: null }),
      );
    });

    it('saves the rotated refresh token before releasing the lease, bumping the version', async () => {
      const { id } = await createExpired();
      const before = await accountRow(id);
      expect((await proxyCall(first, id)).body.status).toBe(200);
      const after = await accountRow(id);
      expect(after.version).toBe((before.version as number) + 1);
      expect(after.last_refreshed_at).toBeInstanceOf(Date);
      // The stored refresh token is the rotated one: forcing a refresh now works (an old one would revoke the grant).
      const forced = await api(first, 'POST', `${BASE}/${id}/refresh`);
      expect(forced.status).toBe(200);
      expect(auth.calls).toHaveLength(2);
      expect((await proxyCall(second, id)).body.status).toBe(200);
    });
  });

  describe('POST /connected_accounts/{id}/refresh and token answers', () => {
    it('forces a refresh on v3.1 and keeps the refresh token when a form-encoded answer has none', async () => {
      const { id, refreshToken } = await createExpired({ token_endpoint_auth: 'client_secret_basic' });
      auth.behaviour.format = 'form';
      auth.behaviour.rotate = false;
      auth.behaviour.expiresIn = undefined;
      const res = await api(first, 'POST', `/api/v3.1/connected_accounts/${id}/refresh`);
      expect(res.status).toBe(200);
      expect(res.body.credentials).toEqual({
        access_token: expect.stringMatching(/^\*\*\*\*.{4}$/),
        token_type: 'bearer',
        refresh_token: `****${refreshToken.slice(-4)}`,
        token_url: auth.tokenUrl,
        client_id: auth.clientId,
        client_secret: `****${auth.clientSecret.slice(-4)}`,
        token_endpoint_auth: 'client_secret_basic',
      });
      expect(auth.calls).toEqual([
        { grantType: 'refresh_token', auth: 'basic', clientId: auth.clientId, scope: undefined },
      ]);
      // Unknown expiry: used as it is, refreshed on a 401 only.
      expect((await proxyCall(first, id)).body.status).toBe(200);
      expect(auth.calls).toHaveLength(1);
    });

    it('answers 400 ConnectedAccount_NotRefreshable for an account without a refresh token', async () => {
      const id = await createOAuth2({ access_token: 'plain-access-token' });
      expectEnvelope(await api(first, 'POST', `${BASE}/${id}/refresh`), 'ConnectedAccount_NotRefreshable');
      expectEnvelope(
        await api(first, 'POST', `${BASE}/ca_${'0'.repeat(22)}/refresh`),
        'ConnectedAccount_NotFound',
      );
    });

    it('stores expires_in given at creation as expires_at', async () => {
      const id = await createOAuth2({ access_token: 'plain-access-token', expires_in: 3600 });
      const res = await api(first, 'GET', `${BASE}/${id}`);
      const expiresAt = Date.parse(res.body.credentials.expires_at as string);
      expect(Math.abs(expiresAt - (Date.now() + HOUR_MS))).toBeLessThan(60_000);
      expect(res.body.credentials.expires_in).toBeUndefined();
    });
  });

  describe('OAUTH2_CLIENT_CREDENTIALS', () => {
    it('fetches a token, serves calls from it, and renews it when it comes within the margin', async () => {
      // 301 s: outside the 300 s margin now, inside it a little over a second later.
      auth.behaviour.expiresIn = 301;
      const id = await createOAuth2(
        {
          token_url: auth.tokenUrl,
          client_id: auth.clientId,
          client_secret: auth.clientSecret,
          scope: 'read write',
          token_endpoint_auth: 'client_secret_basic',
        },
        'OAUTH2_CLIENT_CREDENTIALS',
      );
      const results = await Promise.all(Array.from({ length: 10 }, () => proxyCall(first, id)));
      expect(results.map((r) => r.body.status)).toEqual(Array(10).fill(200));
      expect(auth.calls).toEqual([
        { grantType: 'client_credentials', auth: 'basic', clientId: auth.clientId, scope: 'read write' },
      ]);
      expect((await proxyCall(second, id)).body.status).toBe(200);
      expect(auth.calls).toHaveLength(1);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect((await proxyCall(second, id)).body.status).toBe(200);
      expect(auth.calls).toHaveLength(2);
      const account = await api(first, 'GET', `${BASE}/${id}`);
      expect(account.body.credentials).toEqual({
        access_token: expect.stringMatching(/^\*\*\*\*.{4}$/),
        token_type: 'bearer',
        expires_at: expect.any(String),
        token_url: auth.tokenUrl,
        client_id: auth.clientId,
        client_secret: `****${auth.clientSecret.slice(-4)}`,
        scope: 'read write',
        token_endpoint_auth: 'client_secret_basic',
      });
    });

    it('requires token_url, client_id and client_secret', async () => {
      const res = await api(first, 'POST', BASE, {
        toolkit_slug: 'oauth-test',
        base_url: auth.url,
        auth_scheme: 'OAUTH2_CLIENT_CREDENTIALS',
        credentials: { refresh_token: 'x' },
      });
      expectEnvelope(res, 'ConnectedAccount_InvalidCredentials', {
        errors: [
          'credentials.token_url is required for OAUTH2_CLIENT_CREDENTIALS',
          'credentials.client_id is required for OAUTH2_CLIENT_CREDENTIALS',
          'credentials.client_secret is required for OAUTH2_CLIENT_CREDENTIALS',
          'credentials.refresh_token is not a field of OAUTH2_CLIENT_CREDENTIALS',
        ],
      });
    });
  });

  it('writes no token, refresh token or client secret to any log line or response', () => {
    expect(auth.issued.length).toBeGreaterThan(20);
    // The capture works: refreshes were logged, by account id.
    expect(logLines.some((line) => line.includes('Refreshed the OAuth2 token of account ca_'))).toBe(true);
    const texts = [...logLines, ...responses.map((r) => r.text)];
    const leaks = auth.issued.filter((secret) => texts.some((text) => text.includes(secret)));
    expect(leaks).toEqual([]);
  });
});
