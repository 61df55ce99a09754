import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createAccount } from './utils/proxy-fixtures';
import { REPO_ROOT } from './utils/service-process';
import { seedProject, startTestApp, type SeededProject, type TestApp } from './utils/test-app';
import { createTestDatabase, dropTestDatabase } from './utils/test-database';
import { startUpstream, type Upstream } from './utils/upstream';

const execFileAsync = promisify(execFile);
const RUNNER = join('test', 'sdk', 'run-composio.mjs');
const PROXY_PATH = '/api/v3.1/tools/execute/proxy';
const TOKEN = 'sdk-bearer-token-7f3a9c21d4e8b605';
/** Well-formed (`ca_` + 22 base62) but never issued, so the service looks it up and finds nothing. */
const UNKNOWN_ACCOUNT_ID = 'ca_unknown0000000000000000';

/**
 * The SDK process gets no inherited COMPOSIO_* variables and has telemetry off twice over: the SDK
 * skips telemetry when NODE_ENV is `test` and when TELEMETRY_DISABLED is `true` (the variable
 * @composio/core reads; it has no COMPOSIO_DISABLE_TELEMETRY). The runner also refuses, before
 * any DNS lookup, every request and socket not aimed at 127.0.0.1, and reports them.
 */
const SDK_ENV: Record<string, string> = {
  PATH: process.env.PATH ?? '',
  HOME: process.env.HOME ?? '/nonexistent',
  NODE_ENV: 'test',
  TELEMETRY_DISABLED: 'true',
};

interface SdkError {
  name: string;
  status?: number;
  body?: any;
  message: string;
  own_keys: string[];
  request_id?: string;
  cause?: SdkError;
}

interface SdkOutcome {
  ok: boolean;
  result?: any;
  error?: SdkError;
  network: {
    fetches: Array<{ method: string; url: string; body: any }>;
    sockets: Array<{ host: string; port: number }>;
    blocked: unknown[];
  };
}

describe("Composio's SDKs against the proxy (wire contract §7)", () => {
  let databaseUrl: string;
  let app: TestApp;
  let project: SeededProject;
  let upstream: Upstream;
  let accountId: string;
  let deadAccountId: string;

  /** One call through `node test/sdk/run-composio.mjs '<json>'`, in its own Node process. */
  async function runSdk(
    sdk: 'core' | 'client',
    request: Record<string, unknown>,
    options: { apiKey?: string; clientOptions?: Record<string, unknown> } = {},
  ): Promise<SdkOutcome> {
    const input = {
      sdk,
      baseURL: app.url,
      apiKey: options.apiKey ?? project.key,
      request,
      clientOptions: options.clientOptions,
    };
    const { stdout } = await execFileAsync(process.execPath, [RUNNER, JSON.stringify(input)], {
      cwd: REPO_ROOT,
      env: SDK_ENV,
      timeout: 30_000,
    });
    const outcome = JSON.parse(stdout) as SdkOutcome;
    expectLoopbackOnly(outcome);
    return outcome;
  }

  /** Nothing but the service on 127.0.0.1: no telemetry, no npm version check, nothing refused. */
  function expectLoopbackOnly({ network }: SdkOutcome): void {
    const port = Number(new URL(app.url).port);
    expect(network.blocked).toEqual([]);
    for (const fetch of network.fetches) expect(new URL(fetch.url).origin).toBe(app.url);
    for (const socket of network.sockets) expect(socket).toEqual({ host: '127.0.0.1', port });
    // The socket guard saw the SDK's connections, so it would have seen any other.
    if (network.fetches.length > 0) expect(network.sockets.length).toBeGreaterThan(0);
  }

  function expectOk(outcome: SdkOutcome): any {
    if (!outcome.ok) throw new Error(`the SDK call failed: ${JSON.stringify(outcome.error)}`);
    return outcome.result;
  }

  function expectFailure(outcome: SdkOutcome): SdkError {
    if (outcome.ok) throw new Error(`the SDK call succeeded: ${JSON.stringify(outcome.result)}`);
    return outcome.error!;
  }

  beforeAll(async () => {
    databaseUrl = await createTestDatabase();
    upstream = await startUpstream();
    const closed = await startUpstream();
    await closed.close(); // its port now refuses connections
    app = await startTestApp({
      DATABASE_URL: databaseUrl,
      PROXY_ALLOWED_CIDRS: '127.0.0.0/8',
      PROXY_TIMEOUT_MS: '3000',
    });
    project = await seedProject(app);
    accountId = await createAccount(app.url, project.key, {
      base_url: upstream.url,
      auth_scheme: 'BEARER_TOKEN',
      credentials: { token: TOKEN },
      is_default: true,
    });
    deadAccountId = await createAccount(app.url, project.key, { base_url: closed.url });
  });

  afterAll(async () => {
    await app?.close();
    await upstream?.close();
    if (databaseUrl) await dropTestDatabase(databaseUrl);
  });

  beforeEach(() => {
    upstream.requests.length = 0;
  });

  describe('@composio/core composio.tools.proxyExecute', () => {
    it('sends GET with query and header parameters to /api/v3.1, and the bearer token is injected', async () => {
      const outcome = await runSdk('core', {
        endpoint: '/echo',
        method: 'GET',
        connectedAccountId: accountId,
        parameters: [
          { in: 'query', name: 'page', value: 2 },
          { in: 'header', name: 'X-Trace', value: 't1' },
        ],
      });

      const result = expectOk(outcome);
      // The raw snake_case body of the service, untouched by the SDK.
      expect(Object.keys(result).sort()).toEqual(['data', 'headers', 'status']);
      expect(result.status).toBe(200);
      expect(result.headers['content-type']).toBe('application/json');
      expect(result.data).toEqual(
        expect.objectContaining({
          method: 'GET',
          path: '/echo',
          query: { page: ['2'] },
          headers: expect.objectContaining({ 'x-trace': 't1', authorization: `Bearer ${TOKEN}` }),
        }),
      );
      // What the SDK put on the wire: one POST, parameters as {name, type, value} with values stringified.
      expect(outcome.network.fetches).toEqual([
        {
          method: 'POST',
          url: `${app.url}${PROXY_PATH}`,
          body: {
            endpoint: '/echo',
            method: 'GET',
            connected_account_id: accountId,
            parameters: [
              { name: 'page', type: 'query', value: '2' },
              { name: 'X-Trace', type: 'header', value: 't1' },
            ],
          },
        },
      ]);
      expect(upstream.requests.map((r) => `${r.method} ${r.url}`)).toEqual(['GET /echo?page=2']);
    });

    it('sends a POST body as JSON', async () => {
      const body = { title: 'hello', nested: { list: [1, 'two', true, null] } };
      const result = expectOk(
        await runSdk('core', { endpoint: '/echo', method: 'POST', connectedAccountId: accountId, body }),
      );
      expect(result.status).toBe(200);
      expect(result.data.method).toBe('POST');
      expect(result.data.headers['content-type']).toBe('application/json');
      expect(JSON.parse(result.data.body_text)).toEqual(body);
      expect(upstream.requests).toHaveLength(1);
    });

    it('uses the default account when connectedAccountId is omitted', async () => {
      const outcome = await runSdk('core', { endpoint: '/echo', method: 'DELETE' });
      const result = expectOk(outcome);
      expect(result.data).toEqual(
        expect.objectContaining({
          method: 'DELETE',
          headers: expect.objectContaining({ authorization: `Bearer ${TOKEN}` }),
        }),
      );
      expect(outcome.network.fetches[0].body).toEqual({
        endpoint: '/echo',
        method: 'DELETE',
        parameters: [],
      });
    });

    it('rejects HEAD client-side: nothing reaches the service', async () => {
      const outcome = await runSdk('core', {
        endpoint: '/echo',
        method: 'HEAD',
        connectedAccountId: accountId,
      });
      const error = expectFailure(outcome);
      expect(error.name).toBe('ValidationError');
      expect(error.message).toContain('Invalid tool proxy parameters');
      expect(error.message).toContain("received 'HEAD'");
      expect(outcome.network.fetches).toEqual([]);
      expect(upstream.requests).toEqual([]);
    });

    it('surfaces an unknown account as the client NotFoundError, slug ConnectedAccount_NotFound', async () => {
      const outcome = await runSdk('core', {
        endpoint: '/echo',
        method: 'GET',
        connectedAccountId: UNKNOWN_ACCOUNT_ID,
      });
      const error = expectFailure(outcome);
      // core does not wrap proxyExecute errors: it rethrows @composio/client's error, tagged with an errorId.
      expect(error).toEqual(
        expect.objectContaining({
          name: 'NotFoundError',
          status: 404,
          own_keys: expect.arrayContaining(['error', 'errorId', 'headers', 'status']),
        }),
      );
      expect(error.body.error).toEqual(
        expect.objectContaining({ slug: 'ConnectedAccount_NotFound', code: 604, status: 404 }),
      );
      expect(error.body.error.request_id).toBe(error.request_id);
      expect(error.message).toContain('404');
      expect(upstream.requests).toEqual([]);
    });
  });

  describe('@composio/client client.tools.proxy', () => {
    it('sends HEAD and gets data null with status 200', async () => {
      const outcome = await runSdk('client', {
        endpoint: '/echo',
        method: 'HEAD',
        connected_account_id: accountId,
      });
      const result = expectOk(outcome);
      expect(result).toEqual({ status: 200, data: null, headers: expect.objectContaining({}) });
      expect(result.headers['content-type']).toBe('application/json');
      expect(outcome.network.fetches.map((f) => `${f.method} ${f.url}`)).toEqual([
        `POST ${app.url}${PROXY_PATH}`,
      ]);
      expect(upstream.requests.map((r) => r.method)).toEqual(['HEAD']);
      expect(upstream.requests[0].headers.authorization).toBe(`Bearer ${TOKEN}`);
    });

    it('sends GET with parameters of type query and header; numbers are stringified by the service', async () => {
      const parameters = [
        { name: 'page', value: '3', type: 'query' },
        { name: 'tag', value: 'a b', type: 'query' },
        { name: 'tag', value: 'c', type: 'query' },
        { name: 'limit', value: 10, type: 'query' },
        { name: 'x-trace', value: 't2', type: 'header' },
      ];
      const outcome = await runSdk('client', {
        endpoint: '/echo',
        method: 'GET',
        connected_account_id: accountId,
        parameters,
      });
      const result = expectOk(outcome);
      expect(result.status).toBe(200);
      expect(result.data.query).toEqual({ page: ['3'], tag: ['a b', 'c'], limit: ['10'] });
      expect(result.data.headers).toEqual(
        expect.objectContaining({ 'x-trace': 't2', authorization: `Bearer ${TOKEN}` }),
      );
      // The low-level client sends every field as given.
      expect(outcome.network.fetches[0].body).toEqual({
        endpoint: '/echo',
        method: 'GET',
        connected_account_id: accountId,
        parameters,
      });
    });

    it('passes an upstream error status through as a 200 answer, not an exception', async () => {
      const result = expectOk(
        await runSdk('client', { endpoint: '/status/418', method: 'GET', connected_account_id: accountId }),
      );
      expect(result).toEqual({ status: 418, data: { status: 418 }, headers: expect.any(Object) });
    });

    it('throws NotFoundError (404, slug at e.error.error.slug) for an unknown account', async () => {
      const error = expectFailure(
        await runSdk('client', {
          endpoint: '/echo',
          method: 'GET',
          connected_account_id: UNKNOWN_ACCOUNT_ID,
        }),
      );
      expect({ name: error.name, status: error.status }).toEqual({ name: 'NotFoundError', status: 404 });
      expect(error.body).toEqual({
        error: expect.objectContaining({
          slug: 'ConnectedAccount_NotFound',
          code: 604,
          status: 404,
          message: expect.any(String),
          request_id: error.request_id,
          suggested_fix: expect.any(String),
        }),
      });
      expect(upstream.requests).toEqual([]);
    });

    it('throws AuthenticationError (401, APIKey_InvalidAPIKey) for a bad API key', async () => {
      const error = expectFailure(
        await runSdk(
          'client',
          { endpoint: '/echo', method: 'GET', connected_account_id: accountId },
          { apiKey: 'ak_thisKeyDoesNotExist000000000000000000' },
        ),
      );
      expect({ name: error.name, status: error.status, slug: error.body?.error?.slug }).toEqual({
        name: 'AuthenticationError',
        status: 401,
        slug: 'APIKey_InvalidAPIKey',
      });
      expect(error.body.error.code).toBe(801);
      expect(upstream.requests).toEqual([]);
    });

    it('throws BadRequestError for a validation failure, listing the problems', async () => {
      const error = expectFailure(
        await runSdk('client', { endpoint: '/echo', method: 'TRACE', connected_account_id: accountId }),
      );
      expect({ name: error.name, status: error.status, slug: error.body?.error?.slug }).toEqual({
        name: 'BadRequestError',
        status: 400,
        slug: 'Request_ValidationFailed',
      });
      expect(error.body.error.errors).toEqual(expect.arrayContaining([expect.stringContaining('method')]));
    });

    it('does not retry an upstream 5xx even when the client may retry (x-should-retry: false)', async () => {
      const outcome = await runSdk(
        'client',
        { endpoint: '/echo', method: 'POST', connected_account_id: deadAccountId, body: { once: true } },
        { clientOptions: { maxRetries: 2 } },
      );
      const error = expectFailure(outcome);
      expect({ name: error.name, status: error.status, slug: error.body?.error?.slug }).toEqual({
        name: 'InternalServerError',
        status: 502,
        slug: 'ExternalProxy_UpstreamUnreachable',
      });
      // Without the header the client would POST 3 times (a non-idempotent call repeated).
      expect(outcome.network.fetches).toHaveLength(1);
    });
  });
});
