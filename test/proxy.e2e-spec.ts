import { createHash, randomBytes } from 'node:crypto';
import { call, expectEnvelope } from './utils/http';
import { createAccount, proxy } from './utils/proxy-fixtures';
import { issueKey, seedProject, startTestApp, type SeededProject, type TestApp } from './utils/test-app';
import { createTestDatabase, dropTestDatabase } from './utils/test-database';
import { startUpstream, type Upstream } from './utils/upstream';

describe('POST /api/v3/tools/execute/proxy', () => {
  let databaseUrl: string;
  let app: TestApp;
  let project: SeededProject;
  let upstream: Upstream;
  let other: Upstream;
  let accountId: string;

  beforeAll(async () => {
    databaseUrl = await createTestDatabase();
    upstream = await startUpstream();
    other = await startUpstream();
    app = await startTestApp({
      DATABASE_URL: databaseUrl,
      PROXY_ALLOWED_CIDRS: '127.0.0.0/8',
      PROXY_TIMEOUT_MS: '3000',
    });
    project = await seedProject(app);
    accountId = await createAccount(app.url, project.key, { base_url: upstream.url, is_default: true });
  });

  afterAll(async () => {
    await app?.close();
    await upstream?.close();
    await other?.close();
    await dropTestDatabase(databaseUrl);
  });

  beforeEach(() => {
    upstream.requests.length = 0;
  });

  describe('methods and bodies', () => {
    it.each(['GET', 'POST', 'PUT', 'DELETE', 'PATCH'])(
      'sends %s and returns the upstream answer with HTTP 200',
      async (method) => {
        const res = await proxy(app.url, project.key, {
          endpoint: '/echo',
          method,
          connected_account_id: accountId,
        });
        expect(res.status).toBe(200);
        expect(res.body.status).toBe(200);
        expect(res.body.data).toEqual(expect.objectContaining({ method, path: '/echo' }));
        expect(res.body.headers['content-type']).toBe('application/json');
        expect(res.headers.get('x-request-id')).toBeTruthy();
      },
    );

    it('sends HEAD and answers data null', async () => {
      const res = await proxy(app.url, project.key, { endpoint: '/echo', method: 'HEAD' });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ status: 200, data: null, headers: expect.any(Object) });
      expect(upstream.requests.map((r) => r.method)).toEqual(['HEAD']);
    });

    it('uses the project default account when connected_account_id is omitted, on v3.1 too', async () => {
      const res = await proxy(app.url, project.key, { endpoint: '/echo', method: 'GET' }, 'v3.1');
      expect(res.body.data.path).toBe('/echo');
    });

    it('sends a JSON body as JSON', async () => {
      const res = await proxy(app.url, project.key, {
        endpoint: '/echo',
        method: 'POST',
        body: { a: 1, b: ['x'] },
      });
      expect(res.body.data.headers['content-type']).toBe('application/json');
      expect(JSON.parse(res.body.data.body_text)).toEqual({ a: 1, b: ['x'] });
    });

    it('encodes an object as a form when the caller says so', async () => {
      const res = await proxy(app.url, project.key, {
        endpoint: '/echo',
        method: 'POST',
        body: { a: 1, b: ['x', 'y'], c: 'd e' },
        parameters: [{ name: 'Content-Type', value: 'application/x-www-form-urlencoded', type: 'header' }],
      });
      expect(res.body.data.headers['content-type']).toBe('application/x-www-form-urlencoded');
      expect(res.body.data.body_text).toBe('a=1&b=x&b=y&c=d+e');
    });

    it('sends a string body as-is under the caller content-type', async () => {
      const res = await proxy(app.url, project.key, {
        endpoint: '/echo',
        method: 'PUT',
        body: '<x>1</x>',
        parameters: [{ name: 'content-type', value: 'application/xml', in: 'header' }],
      });
      expect(res.body.data.body_text).toBe('<x>1</x>');
      expect(res.body.data.headers['content-type']).toBe('application/xml');
    });

    it('sends a base64 binary_body byte for byte', async () => {
      const bytes = Buffer.from([0, 255, 1, 254, 10, 13]);
      const res = await proxy(app.url, project.key, {
        endpoint: '/echo',
        method: 'POST',
        binary_body: { base64: bytes.toString('base64'), content_type: 'image/x-test' },
      });
      expect(res.body.data.body_base64).toBe(bytes.toString('base64'));
      expect(res.body.data.headers['content-type']).toBe('image/x-test');
    });

    it('refuses a body on GET and HEAD', async () => {
      for (const method of ['GET', 'HEAD']) {
        const res = await proxy(app.url, project.key, { endpoint: '/echo', method, body: { a: 1 } });
        expectEnvelope(res, 'Request_ValidationFailed', { errors: [`body is not allowed with ${method}`] });
      }
      expect(upstream.requests).toHaveLength(0);
    });

    it('accepts a 3 MB base64 upload on the proxy route although other routes stop at 1 MiB', async () => {
      const bytes = randomBytes(3 * 1024 * 1024);
      const res = await proxy(app.url, project.key, {
        endpoint: '/echo',
        method: 'PUT',
        binary_body: { base64: bytes.toString('base64') },
      });
      expect(res.status).toBe(200);
      const received = upstream.requests[0].body;
      expect(createHash('sha256').update(received).digest('hex')).toBe(
        createHash('sha256').update(bytes).digest('hex'),
      );
      expect(upstream.requests[0].headers['content-type']).toBe('application/octet-stream');
    });

    it('refuses body together with binary_body, and invalid base64', async () => {
      expectEnvelope(
        await proxy(app.url, project.key, {
          endpoint: '/echo',
          method: 'POST',
          body: 'x',
          binary_body: { base64: 'AA==' },
        }),
        'ExternalProxy_BinaryBodyInvalid',
      );
      expectEnvelope(
        await proxy(app.url, project.key, {
          endpoint: '/echo',
          method: 'POST',
          binary_body: { base64: 'not base64!' },
        }),
        'ExternalProxy_BinaryBodyInvalid',
      );
      expect(upstream.requests).toHaveLength(0);
    });

    it('refuses custom_connection_data with a pointer to connected accounts', async () => {
      const res = await proxy(app.url, project.key, {
        endpoint: '/echo',
        method: 'GET',
        custom_connection_data: { token: 'x' },
      });
      expectEnvelope(res, 'ExternalProxy_CustomConnectionDataUnsupported');
      expect(res.body.error.suggested_fix).toContain('connected_accounts');
    });

    it('lists every validation problem at once', async () => {
      const res = await proxy(app.url, project.key, {
        method: 'FETCH',
        parameters: [
          { name: 'a', value: { x: 1 } },
          { value: 1, type: 'cookie' },
        ],
        socketPath: '/var/run/docker.sock',
      });
      expectEnvelope(res, 'Request_ValidationFailed');
      expect(res.body.error.errors).toEqual(
        expect.arrayContaining([
          'property socketPath should not exist',
          expect.stringContaining('endpoint'),
          expect.stringContaining('method must be one of'),
          'parameters[0].value must be a string or a number',
          'parameters[0].type (or in) must be one of: header, query',
          expect.stringContaining('parameters[1].name'),
        ]),
      );
    });
  });

  describe('upstream answers', () => {
    it.each([
      ['/text', 'plain text ✓'],
      ['/xml', '<a><b>1</b></a>'],
      ['/form', 'a=1&b=two'],
      ['/invalid-json', '{"a":'],
    ])('returns %s as text', async (endpoint, text) => {
      const res = await proxy(app.url, project.key, { endpoint, method: 'GET' });
      expect(res.body.status).toBe(200);
      expect(res.body.data).toBe(text);
    });

    it('passes JSON on as the upstream wrote it: integers beyond 2^53 keep every digit', async () => {
      const res = await proxy(app.url, project.key, { endpoint: '/big-ids', method: 'GET' });
      expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(res.text).toContain('"data":{"id":1234567890123456789012,"ids":[9007199254740993]}');
      expect(res.body.status).toBe(200);
    });

    it('returns an empty body as null', async () => {
      const res = await proxy(app.url, project.key, { endpoint: '/empty', method: 'GET' });
      expect(res.body.data).toBeNull();
    });

    it('returns a binary body as binary_data with data null', async () => {
      const res = await proxy(app.url, project.key, { endpoint: '/binary', method: 'GET' });
      expect(res.body).toEqual({
        status: 200,
        data: null,
        headers: expect.objectContaining({ 'content-type': 'application/octet-stream' }),
        binary_data: {
          url: expect.stringMatching(/\/api\/v3\/files\/file_[0-9A-Za-z]{22}\?expires=\d+&signature=/),
          content_type: 'application/octet-stream',
          size: 6,
          expires_at: expect.any(String),
        },
      });
      const download = await fetch(res.body.binary_data.url);
      expect(Buffer.from(await download.arrayBuffer())).toEqual(Buffer.from([0, 1, 2, 253, 254, 255]));
    });

    it.each([201, 204, 404, 500, 503])('returns upstream status %i inside an HTTP 200', async (status) => {
      const res = await proxy(app.url, project.key, { endpoint: `/status/${status}`, method: 'POST' });
      expect(res.status).toBe(200);
      expect(res.body.status).toBe(status);
      expect(res.body.data).toEqual(status === 204 ? null : { status });
    });

    it('does not follow a redirect across origins, and the other origin gets nothing (S10, S11)', async () => {
      const keyed = await createAccount(app.url, project.key, {
        base_url: upstream.url,
        auth_scheme: 'API_KEY',
        credentials: { api_key: 'redirect-secret-123456' },
      });
      const before = other.connections;
      const res = await proxy(app.url, project.key, {
        endpoint: `/redirect?to=${encodeURIComponent(`${other.url}/steal`)}`,
        method: 'GET',
        connected_account_id: keyed,
      });
      expect(res.body.status).toBe(302);
      expect(res.body.headers.location).toBe(`${other.url}/steal`);
      expect(other.connections).toBe(before);
      expect(other.requests).toHaveLength(0);
    });

    it('removes hop-by-hop headers and those named in Connection, joins repeats (U10)', async () => {
      const res = await proxy(app.url, project.key, { endpoint: '/hop', method: 'GET' });
      expect(res.body.headers['x-kept']).toBe('yes');
      expect(res.body.headers['set-cookie']).toBe('a=1, b=2');
      for (const name of ['connection', 'keep-alive', 'x-secret', 'transfer-encoding']) {
        expect(res.body.headers).not.toHaveProperty(name);
      }
    });

    it('decodes a gzip answer and drops its encoding headers', async () => {
      const res = await proxy(app.url, project.key, {
        endpoint: '/gzip',
        method: 'GET',
        parameters: [{ name: 'accept-encoding', value: 'gzip', type: 'header' }],
      });
      expect(res.body.data).toEqual({ compressed: true });
      expect(res.body.headers).not.toHaveProperty('content-encoding');
    });

    it('passes a long content-encoding chain through undecoded (U6)', async () => {
      const res = await proxy(app.url, project.key, { endpoint: '/gzip-chain', method: 'GET' });
      expect(res.body.headers['content-encoding']).toBe('gzip, gzip, gzip');
      expect(typeof res.body.data).toBe('string');
    });
  });

  describe('credentials and parameters', () => {
    const cases: Array<[string, Record<string, unknown>, (echo: any) => void]> = [
      [
        'API_KEY in the default header',
        { api_key: 'key-secret-0001' },
        (e) => expect(e.headers['x-api-key']).toBe('key-secret-0001'),
      ],
      [
        'API_KEY in a named header with a prefix',
        { api_key: 'key-secret-0002', name: 'Authorization', prefix: 'Token ' },
        (e) => expect(e.headers.authorization).toBe('Token key-secret-0002'),
      ],
      [
        'API_KEY in the query',
        { api_key: 'key-secret-0003', in: 'query', name: 'key' },
        (e) => expect(e.query.key).toEqual(['key-secret-0003']),
      ],
    ];

    it.each(cases)('injects %s', async (_label, credentials, check) => {
      const id = await createAccount(app.url, project.key, {
        base_url: upstream.url,
        auth_scheme: 'API_KEY',
        credentials,
      });
      const res = await proxy(app.url, project.key, {
        endpoint: '/echo',
        method: 'GET',
        connected_account_id: id,
      });
      check(res.body.data);
    });

    it('injects BEARER_TOKEN, BASIC and OAUTH2 credentials', async () => {
      const bearer = await createAccount(app.url, project.key, {
        base_url: upstream.url,
        auth_scheme: 'BEARER_TOKEN',
        credentials: { token: 'tok-secret-1' },
      });
      const basic = await createAccount(app.url, project.key, {
        base_url: upstream.url,
        auth_scheme: 'BASIC',
        credentials: { username: 'ann', password: 'pw-secret' },
      });
      const oauth = await createAccount(app.url, project.key, {
        base_url: upstream.url,
        auth_scheme: 'OAUTH2',
        credentials: { access_token: 'oauth-secret-1', token_type: 'MAC' },
      });
      const seen = async (id: string) =>
        (await proxy(app.url, project.key, { endpoint: '/echo', method: 'GET', connected_account_id: id }))
          .body.data.headers;
      expect((await seen(bearer)).authorization).toBe('Bearer tok-secret-1');
      expect((await seen(basic)).authorization).toBe(
        `Basic ${Buffer.from('ann:pw-secret').toString('base64')}`,
      );
      expect((await seen(oauth)).authorization).toBe('MAC oauth-secret-1');
    });

    it('sends caller headers and query parameters as given, numbers as text, type or in', async () => {
      const res = await proxy(app.url, project.key, {
        endpoint: '/echo?fixed=1',
        method: 'GET',
        parameters: [
          { name: 'X-Trace', value: 'abc', type: 'header' },
          { name: 'X-Count', value: 42, in: 'header' },
          { name: 'page', value: 2, type: 'query' },
          { name: 'tag', value: 'a b', in: 'query' },
          { name: 'tag', value: 'c', in: 'query' },
        ],
      });
      const echo = res.body.data;
      expect(echo.headers['x-trace']).toBe('abc');
      expect(echo.headers['x-count']).toBe('42');
      expect(echo.query).toEqual({ fixed: ['1'], page: ['2'], tag: ['a b', 'c'] });
    });

    it('lets a caller deliberately override the injected auth header', async () => {
      const id = await createAccount(app.url, project.key, {
        base_url: upstream.url,
        auth_scheme: 'BEARER_TOKEN',
        credentials: { token: 'tok-secret-2' },
      });
      const res = await proxy(app.url, project.key, {
        endpoint: '/echo',
        method: 'GET',
        connected_account_id: id,
        parameters: [{ name: 'Authorization', value: 'Bearer mine', type: 'header' }],
      });
      expect(res.body.data.headers.authorization).toBe('Bearer mine');
    });

    it.each([
      ['Host', 'evil.example'],
      ['content-length', '5'],
      ['Transfer-Encoding', 'chunked'],
      ['Connection', 'close'],
      ['Keep-Alive', '1'],
      ['TE', 'trailers'],
      ['Upgrade', 'websocket'],
      ['Proxy-Authorization', 'x'],
      ['X-Ok', 'a\r\nInjected: 1'],
      ['X-Ok', 'nul\u0000'],
      ['X-Ok', 'euro €'],
      ['Bad Name', 'x'],
      ['X:Colon', 'x'],
    ])('refuses caller header %j (S13–S15) and sends nothing', async (name, value) => {
      const res = await proxy(app.url, project.key, {
        endpoint: '/echo',
        method: 'GET',
        parameters: [{ name, value, type: 'header' }],
      });
      expectEnvelope(res, 'ExternalProxy_InvalidHeader');
      expect(upstream.requests).toHaveLength(0);
    });
  });

  describe('where a request may go', () => {
    it.each([
      '//evil.example/x',
      '/\\evil.example',
      '/\tx',
      'users',
      '/..%2f..%2fx',
      'file:///etc/passwd',
      'http:evil.example',
    ])('refuses endpoint %j (S2–S5) without a connection', async (endpoint) => {
      const before = upstream.connections + other.connections;
      const res = await proxy(app.url, project.key, { endpoint, method: 'GET' });
      expect(['ExternalProxy_InvalidEndpoint', 'ExternalProxy_OriginMismatch']).toContain(
        res.body.error.slug,
      );
      expectEnvelope(res, res.body.error.slug);
      expect(upstream.connections + other.connections).toBe(before);
    });

    it('refuses an absolute endpoint to another origin and sends it nothing (S1)', async () => {
      const res = await proxy(app.url, project.key, { endpoint: `${other.url}/x`, method: 'GET' });
      expectEnvelope(res, 'ExternalProxy_OriginMismatch');
      expect(other.connections).toBe(0);
    });

    it('accepts an absolute endpoint on the account origin and on an allowed host', async () => {
      const id = await createAccount(app.url, project.key, {
        base_url: upstream.url,
        allowed_hosts: ['localhost'],
      });
      const same = await proxy(app.url, project.key, {
        endpoint: `${upstream.url}/echo`,
        method: 'GET',
        connected_account_id: id,
      });
      expect(same.body.data.path).toBe('/echo');
      const allowed = await proxy(app.url, project.key, {
        endpoint: `http://localhost:${other.port}/echo`,
        method: 'GET',
        connected_account_id: id,
      });
      expect(allowed.body.status).toBe(200);
      expect(other.requests.map((r) => r.url)).toContain('/echo');
      other.requests.length = 0;
    });

    it('keeps a relative endpoint under the base path', async () => {
      const id = await createAccount(app.url, project.key, { base_url: `${upstream.url}/v1.0` });
      const ok = await proxy(app.url, project.key, {
        endpoint: '/me',
        method: 'GET',
        connected_account_id: id,
      });
      expect(ok.body.data.path).toBe('/v1.0/me');
      for (const endpoint of ['/../beta/me', '/%2e%2e/beta/me', '/./../beta', `${upstream.url}/beta/me`]) {
        const escape = await proxy(app.url, project.key, {
          endpoint,
          method: 'GET',
          connected_account_id: id,
        });
        expectEnvelope(escape, 'ExternalProxy_InvalidEndpoint');
      }
      expect(upstream.requests.map((r) => r.url)).toEqual(['/v1.0/me']);
    });
  });

  describe('accounts', () => {
    it('answers ConnectedAccount_NotFound for another project account, exactly like an unknown id', async () => {
      const otherProject = await seedProject(app, 'other');
      const foreign = await createAccount(app.url, otherProject.key, { base_url: upstream.url });
      const a = await proxy(app.url, project.key, {
        endpoint: '/echo',
        method: 'GET',
        connected_account_id: foreign,
      });
      const b = await proxy(app.url, project.key, {
        endpoint: '/echo',
        method: 'GET',
        connected_account_id: 'ca_doesnotexist000000000000',
      });
      expectEnvelope(a, 'ConnectedAccount_NotFound');
      expectEnvelope(b, 'ConnectedAccount_NotFound');
      expect({ ...a.body.error, request_id: 0 }).toEqual({ ...b.body.error, request_id: 0 });
      expect(upstream.requests).toHaveLength(0);
    });

    it('answers ConnectedAccount_NotActive for a disabled account', async () => {
      const id = await createAccount(app.url, project.key, { base_url: upstream.url });
      const disabled = await call(app.url, 'PATCH', `/api/v3/connected_accounts/${id}/status`, {
        apiKey: project.key,
        body: { enabled: false },
      });
      expect(disabled.status).toBe(200);
      expectEnvelope(
        await proxy(app.url, project.key, { endpoint: '/echo', method: 'GET', connected_account_id: id }),
        'ConnectedAccount_NotActive',
      );
      expect(upstream.requests).toHaveLength(0);
    });

    it('answers ExternalProxy_MissingAuthContext when the project has no default account', async () => {
      const lonely = await seedProject(app, 'lonely');
      await createAccount(app.url, lonely.key, { base_url: upstream.url, is_default: false });
      expectEnvelope(
        await proxy(app.url, lonely.key, { endpoint: '/echo', method: 'GET' }),
        'ExternalProxy_MissingAuthContext',
      );
    });

    it('requires the proxy:execute scope', async () => {
      const key = await issueKey(app, project.projectId, ['connected_accounts:read']);
      const res = await proxy(app.url, key, { endpoint: '/echo', method: 'GET' });
      expectEnvelope(res, 'APIKey_InsufficientPermissions', { errors: ['missing scope: proxy:execute'] });
    });
  });

  describe('upstream faults', () => {
    it('answers 504 when the upstream never sends headers, within the deadline', async () => {
      const started = Date.now();
      const res = await proxy(app.url, project.key, { endpoint: '/hang', method: 'GET', timeout_ms: 500 });
      expectEnvelope(res, 'ExternalProxy_UpstreamTimeout');
      expect(Date.now() - started).toBeLessThan(2500);
    });

    it('answers 504 when the body trickles past the total deadline (U3)', async () => {
      const res = await proxy(app.url, project.key, { endpoint: '/trickle', method: 'GET', timeout_ms: 700 });
      expectEnvelope(res, 'ExternalProxy_UpstreamTimeout');
    });

    it('answers 502 and no partial data when the upstream resets mid-body (U4)', async () => {
      const res = await proxy(app.url, project.key, { endpoint: '/reset', method: 'POST', body: {} });
      expectEnvelope(res, 'ExternalProxy_UpstreamUnreachable');
      expect(res.text).not.toContain('partial');
    });

    it('answers 502 when nothing listens', async () => {
      const closed = await startUpstream();
      const id = await createAccount(app.url, project.key, { base_url: closed.url });
      await closed.close();
      expectEnvelope(
        await proxy(app.url, project.key, { endpoint: '/x', method: 'GET', connected_account_id: id }),
        'ExternalProxy_UpstreamUnreachable',
      );
    });
  });
});

describe('proxy limits and destination policy', () => {
  let databaseUrl: string;
  let app: TestApp;
  let project: SeededProject;
  let allowed: Upstream;
  let elsewhere: Upstream;

  beforeAll(async () => {
    databaseUrl = await createTestDatabase();
    allowed = await startUpstream('127.0.0.2');
    // Stands in for "elsewhere" (an internal address): loopback, outside the allowed CIDR.
    elsewhere = await startUpstream('127.0.0.1');
    app = await startTestApp({
      DATABASE_URL: databaseUrl,
      PROXY_ALLOWED_CIDRS: '127.0.0.2/32',
      PROXY_MAX_RESPONSE_BYTES: String(2 * 1024 * 1024),
      PROXY_MAX_UPLOAD_BYTES: String(64 * 1024),
    });
    project = await seedProject(app);
  });

  afterAll(async () => {
    await app?.close();
    await allowed?.close();
    await elsewhere?.close();
    await dropTestDatabase(databaseUrl);
  });

  const proxyTo = async (baseUrl: string, endpoint = '/echo', extra: Record<string, unknown> = {}) => {
    const id = await createAccount(app.url, project.key, { base_url: baseUrl });
    return proxy(app.url, project.key, { endpoint, method: 'GET', connected_account_id: id, ...extra });
  };

  it('reaches an allowed address', async () => {
    const res = await proxyTo(allowed.url);
    expect(res.body.status).toBe(200);
  });

  it.each([
    ['an IP literal outside the allowed CIDRs (S9)', (port: number) => `http://127.0.0.1:${port}`],
    ['a hexadecimal IP literal (S7)', (port: number) => `http://0x7f000001:${port}`],
    ['a decimal IP literal (S7)', (port: number) => `http://2130706433:${port}`],
    ['an octal IP literal (S7)', (port: number) => `http://0177.0.0.1:${port}`],
    ['a short-form IP literal (S7)', (port: number) => `http://127.1:${port}`],
    ['an IPv4-mapped IPv6 literal (S7)', (port: number) => `http://[::ffff:127.0.0.1]:${port}`],
  ])('refuses %s with 403 and no connection', async (_label, baseFor) => {
    const res = await proxyTo(baseFor(elsewhere.port));
    expectEnvelope(res, 'ExternalProxy_DestinationNotAllowed');
    expect(elsewhere.connections).toBe(0);
  });

  it('refuses a name that resolves to a blocked address at connect time (S6, S12)', async () => {
    // localhost resolves to 127.0.0.1 (and maybe ::1): neither is in the allowed 127.0.0.2/32.
    const id = await createAccount(app.url, project.key, { base_url: `http://localhost:${elsewhere.port}` });
    const viaName = await proxy(app.url, project.key, {
      endpoint: '/echo',
      method: 'GET',
      connected_account_id: id,
    });
    expectEnvelope(viaName, 'ExternalProxy_DestinationNotAllowed');
    expect(elsewhere.connections).toBe(0);
  });

  it('refuses the metadata address even with PUT and metadata headers (S16)', async () => {
    const res = await proxyTo('http://169.254.169.254', '/latest/api/token', {
      method: 'PUT',
      parameters: [
        { name: 'X-aws-ec2-metadata-token-ttl-seconds', value: '21600', type: 'header' },
        { name: 'Metadata-Flavor', value: 'Google', type: 'header' },
      ],
    });
    expectEnvelope(res, 'ExternalProxy_DestinationNotAllowed');
  });

  it('answers 413 ExternalProxy_BinaryBodyTooLarge for an upload over PROXY_MAX_UPLOAD_BYTES', async () => {
    const res = await proxyTo(allowed.url, '/echo', {
      method: 'POST',
      binary_body: { base64: randomBytes(64 * 1024 + 3).toString('base64') },
    });
    expectEnvelope(res, 'ExternalProxy_BinaryBodyTooLarge');
    expect(allowed.requests.filter((r) => r.method === 'POST')).toHaveLength(0);
  });

  it('answers 413 Request_PayloadTooLarge past the route limit that PROXY_MAX_UPLOAD_BYTES sets', async () => {
    const res = await proxyTo(allowed.url, '/echo', {
      method: 'POST',
      binary_body: { base64: randomBytes(2 * 1024 * 1024).toString('base64') },
    });
    expectEnvelope(res, 'Request_PayloadTooLarge');
  });

  it('answers 502 for a body over PROXY_MAX_RESPONSE_BYTES and stops reading early (U5)', async () => {
    const res = await proxyTo(allowed.url, '/huge');
    expectEnvelope(res, 'ExternalProxy_ResponseTooLarge');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(allowed.hugeBytesWritten).toBeLessThan(64 * 1024 * 1024);
  });

  it('caps a decompression bomb at the same limit (U6)', async () => {
    const res = await proxyTo(allowed.url, '/gzip-bomb', {
      parameters: [{ name: 'accept-encoding', value: 'gzip', type: 'header' }],
    });
    expectEnvelope(res, 'ExternalProxy_ResponseTooLarge');
  });
});
