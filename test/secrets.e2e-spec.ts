import { randomBytes } from 'node:crypto';
import { call, type JsonResponse } from './utils/http';
import {
  buildServiceOnce,
  createDataDir,
  type ExitResult,
  removeDataDir,
  type ServiceProcess,
  startService,
} from './utils/service-process';
import { createTestDatabase, dropTestDatabase } from './utils/test-database';
import { startUpstream, type Upstream } from './utils/upstream';

const SETUP_TIMEOUT_MS = 300_000;
const PROXY_TIMEOUT_MS = 1500;
const tag = randomBytes(6).toString('hex');

/** Distinctive values: any of them (in any encoding below) in a log line is a leak. */
const SECRET = {
  bootstrapKey: `bootstrap-key-SECRET-${tag}-7a1c`,
  encryptionKey: randomBytes(32).toString('base64'),
  headerApiKey: `hdr-apikey-SECRET-${tag}-b2d4`,
  // Characters that query encoding rewrites, so a redaction of the raw value alone would miss it.
  queryApiKey: `qry+apikey/SECRET=${tag}&c3e5`,
  bearerToken: `bearer-token-SECRET-${tag}-d4f6`,
  bearerTokenPatched: `bearer-patched-SECRET-${tag}-e5a7`,
  basicPassword: `basic-pass-SECRET-${tag}-f6b8`,
  oauthAccessToken: `oauth-access-SECRET-${tag}-a7c9`,
  oauthRefreshToken: `oauth-refresh-SECRET-${tag}-b8d0`,
  oauthClientSecret: `oauth-client-SECRET-${tag}-c9e1`,
  rejectedToken: `rejected-token-SECRET-${tag}-d0f2`,
  rejectedPassword: `rejected-pass-SECRET-${tag}-e1a3`,
  malformedJsonToken: `malformed-json-SECRET-${tag}-f2b4`,
};
const BASIC_USER = `basic-user-${tag}`;
const BASIC_HEADER_VALUE = Buffer.from(`${BASIC_USER}:${SECRET.basicPassword}`).toString('base64');

/** Every form a secret could take in a text: raw, percent-encoded, form-encoded, JSON-escaped, base64. */
function formsOf(secret: string): string[] {
  return [
    ...new Set([
      secret,
      encodeURIComponent(secret),
      new URLSearchParams({ k: secret }).toString().slice(2),
      JSON.stringify(secret).slice(1, -1),
      Buffer.from(secret).toString('base64'),
    ]),
  ];
}

const NEEDLES: Array<{ name: string; form: string }> = [
  ...Object.entries(SECRET).flatMap(([name, secret]) => formsOf(secret).map((form) => ({ name, form }))),
  { name: 'basic user:pass base64', form: BASIC_HEADER_VALUE },
];

/** The secrets found in a text, by name and form (empty when clean). */
function leaksIn(text: string): string[] {
  return NEEDLES.filter(({ form }) => text.includes(form)).map(({ name, form }) => `${name} as ${form}`);
}

interface SchemeCase {
  label: string;
  auth_scheme: string;
  credentials: Record<string, unknown>;
}

const SCHEMES: SchemeCase[] = [
  {
    label: 'API_KEY in a header',
    auth_scheme: 'API_KEY',
    credentials: { api_key: SECRET.headerApiKey, name: 'X-Custom-Key', prefix: 'Key ' },
  },
  {
    label: 'API_KEY in the query',
    auth_scheme: 'API_KEY',
    credentials: { api_key: SECRET.queryApiKey, in: 'query', name: 'key' },
  },
  { label: 'BEARER_TOKEN', auth_scheme: 'BEARER_TOKEN', credentials: { token: SECRET.bearerToken } },
  {
    label: 'BASIC',
    auth_scheme: 'BASIC',
    credentials: { username: BASIC_USER, password: SECRET.basicPassword },
  },
  {
    label: 'OAUTH2',
    auth_scheme: 'OAUTH2',
    credentials: {
      access_token: SECRET.oauthAccessToken,
      token_type: 'bearer',
      refresh_token: SECRET.oauthRefreshToken,
      client_id: `client-id-${tag}`,
      client_secret: SECRET.oauthClientSecret,
      token_url: 'http://127.0.0.1:9/token',
      scope: 'read write',
    },
  },
];

interface Recorded {
  label: string;
  requestId: string;
  response: JsonResponse;
}

interface LogLine {
  [field: string]: unknown;
}

describe('No secret in any log line or response (checklist C5, C6)', () => {
  let databaseUrl: string;
  let dataDir: string;
  let upstream: Upstream;
  let service: ServiceProcess;
  let exit: ExitResult;
  /** Live accounts (on the echo upstream) and dead ones (on a closed port), by scheme label. */
  const live = new Map<string, string>();
  const dead = new Map<string, string>();
  const accountResponses: Recorded[] = [];
  const proxySuccesses: Recorded[] = [];
  const proxyFailures: Array<Recorded & { expectedSlug: string }> = [];
  const rejectedWrites: Array<Recorded & { expectedSlug: string }> = [];
  let requestCounter = 0;
  const HANG_UP_REQUEST_ID = 'secrets-hang-up';
  let hangUpOutcome: string | undefined;

  function nextRequestId(kind: string): string {
    requestCounter += 1;
    return `secrets-${kind}-${requestCounter}`;
  }

  async function api(
    method: string,
    path: string,
    options: { body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
    kind = 'api',
  ): Promise<{ requestId: string; response: JsonResponse }> {
    const requestId = nextRequestId(kind);
    const response = await call(service.url, method, path, {
      ...options,
      apiKey: SECRET.bootstrapKey,
      headers: { 'x-request-id': requestId, ...options.headers },
    });
    return { requestId, response };
  }

  function proxyCall(
    body: Record<string, unknown>,
    kind: string,
  ): Promise<{ requestId: string; response: JsonResponse }> {
    return api('POST', '/api/v3/tools/execute/proxy', { body }, kind);
  }

  function logLines(): LogLine[] {
    return (service.stdout() + service.stderr())
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .flatMap((line) => {
        try {
          return [JSON.parse(line) as LogLine];
        } catch {
          return [];
        }
      });
  }

  beforeAll(async () => {
    buildServiceOnce();
    databaseUrl = await createTestDatabase();
    // The embedded server's random password is a secret too (the external CI server has none).
    const databasePassword = decodeURIComponent(new URL(databaseUrl).password);
    if (databasePassword.length >= 12) {
      NEEDLES.push(...formsOf(databasePassword).map((form) => ({ name: 'database password', form })));
    }
    dataDir = await createDataDir();
    upstream = await startUpstream();
    const closed = await startUpstream();
    await closed.close(); // its port now refuses connections

    service = await startService({
      DATA_DIR: dataDir,
      DATABASE_URL: databaseUrl,
      LOG_LEVEL: 'debug',
      BOOTSTRAP_API_KEY: SECRET.bootstrapKey,
      ENCRYPTION_KEYS: `k1:${SECRET.encryptionKey}`,
      PROXY_ALLOWED_CIDRS: '127.0.0.0/8',
      PROXY_TIMEOUT_MS: String(PROXY_TIMEOUT_MS),
    });
    if (!service.ready) {
      throw new Error(`the service did not start\n${service.stdout()}\n${service.stderr()}`);
    }

    // Accounts of every scheme: created, read, listed, patched.
    for (const [accounts, baseUrl, prefix] of [
      [live, upstream.url, 'live'],
      [dead, closed.url, 'dead'],
    ] as const) {
      for (const scheme of SCHEMES) {
        const created = await api('POST', '/api/v3/connected_accounts', {
          body: {
            toolkit_slug: 'secrets',
            alias: `${prefix} ${scheme.label}`,
            base_url: baseUrl,
            auth_scheme: scheme.auth_scheme,
            credentials: scheme.credentials,
          },
        });
        if (created.response.status !== 201) {
          throw new Error(`creating ${scheme.label} failed: ${created.response.text}`);
        }
        accountResponses.push({ label: `create ${prefix} ${scheme.label}`, ...created });
        accounts.set(scheme.label, created.response.body.id as string);
      }
    }
    for (const [label, id] of [...live, ...dead]) {
      accountResponses.push({
        label: `get ${label}`,
        ...(await api('GET', `/api/v3/connected_accounts/${id}`)),
      });
    }
    accountResponses.push({ label: 'list', ...(await api('GET', '/api/v3/connected_accounts?limit=100')) });
    accountResponses.push({
      label: 'list v3.1 by toolkit',
      ...(await api('GET', '/api/v3.1/connected_accounts?toolkit_slugs=secrets&limit=3')),
    });
    for (const [label, id] of live) {
      accountResponses.push({
        label: `patch alias ${label}`,
        ...(await api('PATCH', `/api/v3/connected_accounts/${id}`, { body: { alias: `patched ${label}` } })),
      });
    }
    accountResponses.push({
      label: 'patch credentials BEARER_TOKEN',
      ...(await api('PATCH', `/api/v3/connected_accounts/${live.get('BEARER_TOKEN')}`, {
        body: { credentials: { token: SECRET.bearerTokenPatched } },
      })),
    });
    accountResponses.push({
      label: 'patch credentials OAUTH2 (same values again)',
      ...(await api('PATCH', `/api/v3/connected_accounts/${live.get('OAUTH2')}`, {
        body: { credentials: SCHEMES[4].credentials, is_default: true },
      })),
    });
    for (const enabled of [false, true]) {
      accountResponses.push({
        label: `status enabled=${enabled}`,
        ...(await api('PATCH', `/api/v3/connected_accounts/${live.get('BASIC')}/status`, {
          body: { enabled },
        })),
      });
    }

    // Writes the service refuses, with secrets in the refused body.
    rejectedWrites.push({
      label: 'create with a control character in the token',
      expectedSlug: 'ConnectedAccount_InvalidCredentials',
      ...(await api('POST', '/api/v3/connected_accounts', {
        body: {
          toolkit_slug: 'secrets',
          base_url: upstream.url,
          auth_scheme: 'BEARER_TOKEN',
          credentials: {
            token: `${SECRET.rejectedToken}\r\nx-injected: 1`,
            refresh_token: SECRET.rejectedToken,
          },
        },
      })),
    });
    rejectedWrites.push({
      label: 'patch BASIC with a colon in the user name',
      expectedSlug: 'ConnectedAccount_InvalidCredentials',
      ...(await api('PATCH', `/api/v3/connected_accounts/${live.get('BASIC')}`, {
        body: { credentials: { username: 'a:b', password: SECRET.rejectedPassword } },
      })),
    });
    rejectedWrites.push({
      label: 'create with malformed JSON',
      expectedSlug: 'Request_MalformedJson',
      ...(await api('POST', '/api/v3/connected_accounts', {
        rawBody: `{"toolkit_slug":"secrets","credentials":{"token":"${SECRET.malformedJsonToken}"`,
        headers: { 'content-type': 'application/json' },
      })),
    });

    // Successful proxy calls through every live account (the echo upstream reflects what it got).
    for (const [label, id] of live) {
      for (const body of [
        { endpoint: '/echo', method: 'GET', parameters: [{ name: 'page', value: 2, type: 'query' }] },
        { endpoint: '/echo', method: 'POST', body: { hello: label } },
        { endpoint: '/echo', method: 'HEAD' },
        { endpoint: '/status/500', method: 'GET' },
        { endpoint: `${upstream.url}/echo?x=1`, method: 'PUT', body: 'raw' },
      ]) {
        proxySuccesses.push({
          label: `${label} ${body.method} ${body.endpoint}`,
          ...(await proxyCall({ ...body, connected_account_id: id }, 'ok')),
        });
      }
    }

    // Failing proxy calls through every account: refused, timeout, reset, bad header, wrong origin.
    const failures: Array<Promise<void>> = [];
    const fail = (label: string, expectedSlug: string, body: Record<string, unknown>): void => {
      failures.push(
        proxyCall(body, 'fail').then((recorded) => {
          proxyFailures.push({ label, expectedSlug, ...recorded });
        }),
      );
    };
    for (const [label, id] of dead) {
      fail(`${label} refused`, 'ExternalProxy_UpstreamUnreachable', {
        endpoint: '/echo',
        method: 'POST',
        connected_account_id: id,
        body: { a: 1 },
      });
    }
    for (const [label, id] of live) {
      fail(`${label} hang`, 'ExternalProxy_UpstreamTimeout', {
        endpoint: '/hang',
        method: 'GET',
        connected_account_id: id,
      });
      fail(`${label} reset`, 'ExternalProxy_UpstreamUnreachable', {
        endpoint: '/reset',
        method: 'GET',
        connected_account_id: id,
      });
      fail(`${label} CR/LF header`, 'ExternalProxy_InvalidHeader', {
        endpoint: '/echo',
        method: 'GET',
        connected_account_id: id,
        parameters: [{ name: 'X-Note', value: 'a\r\nx-injected: 1', type: 'header' }],
      });
      fail(`${label} Host header`, 'ExternalProxy_InvalidHeader', {
        endpoint: '/echo',
        method: 'GET',
        connected_account_id: id,
        parameters: [{ name: 'Host', value: 'other.example', type: 'header' }],
      });
      fail(`${label} origin mismatch`, 'ExternalProxy_OriginMismatch', {
        endpoint: `http://localhost:${upstream.port}/echo`,
        method: 'GET',
        connected_account_id: id,
      });
    }
    // A caller who hangs up on a call the upstream never answers.
    const caller = new AbortController();
    const hungUp = fetch(`${service.url}/api/v3/tools/execute/proxy`, {
      method: 'POST',
      headers: {
        'x-api-key': SECRET.bootstrapKey,
        'content-type': 'application/json',
        'x-request-id': HANG_UP_REQUEST_ID,
      },
      body: JSON.stringify({ endpoint: '/hang', method: 'GET', connected_account_id: [...live.values()][0] }),
      signal: caller.signal,
    }).then(
      (response) => `answered ${response.status}`,
      (error: Error) => error.name,
    );
    setTimeout(() => caller.abort(), 300);
    hangUpOutcome = await hungUp;
    await Promise.all(failures);

    // Stopping flushes every log line; the assertions read the complete output.
    exit = await service.stop();
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await service?.stop().catch(() => undefined);
    await upstream?.close();
    if (dataDir) await removeDataDir(dataDir);
    if (databaseUrl) await dropTestDatabase(databaseUrl);
  }, 60_000);

  it('the leak detector finds every seeded secret where the upstream reflected it', () => {
    // The echo upstream's answers carry the injected credentials (allowed: that is the upstream's
    // answer); finding them there shows the detector and the seeding work.
    const reflected = proxySuccesses
      .filter((r) => r.label.includes('GET /echo'))
      .map((r) => r.response.text)
      .join('\n');
    const found = leaksIn(reflected);
    for (const name of ['headerApiKey', 'queryApiKey', 'bearerTokenPatched', 'oauthAccessToken']) {
      expect(found).toEqual(expect.arrayContaining([expect.stringMatching(new RegExp(`^${name} as `))]));
    }
    expect(found).toEqual(expect.arrayContaining([`basic user:pass base64 as ${BASIC_HEADER_VALUE}`]));
  });

  it('injects each scheme on the successful calls', () => {
    const echoOf = (label: string) =>
      proxySuccesses.find((r) => r.label === `${label} GET /echo`)!.response.body.data;
    expect(proxySuccesses.every((r) => r.response.status === 200)).toBe(true);
    expect(echoOf('API_KEY in a header').headers['x-custom-key']).toBe(`Key ${SECRET.headerApiKey}`);
    expect(echoOf('API_KEY in the query').query).toEqual({ key: [SECRET.queryApiKey], page: ['2'] });
    expect(echoOf('BEARER_TOKEN').headers.authorization).toBe(`Bearer ${SECRET.bearerTokenPatched}`);
    expect(echoOf('BASIC').headers.authorization).toBe(`Basic ${BASIC_HEADER_VALUE}`);
    expect(echoOf('OAUTH2').headers.authorization).toBe(`Bearer ${SECRET.oauthAccessToken}`);
  });

  it('create, get, list and patch answers are free of secrets and show masked credentials', () => {
    expect(accountResponses.map((r) => [r.label, r.response.status])).toEqual(
      accountResponses.map((r) => [r.label, r.label.startsWith('create') ? 201 : 200]),
    );
    for (const { label, response } of accountResponses) {
      expect({ label, leaks: leaksIn(response.text + JSON.stringify([...response.headers])) }).toEqual({
        label,
        leaks: [],
      });
    }
    const get = (label: string) => accountResponses.find((r) => r.label === `get ${label}`)!.response.body;
    expect(get('BASIC').credentials).toEqual({
      username: BASIC_USER,
      password: `****${SECRET.basicPassword.slice(-4)}`,
    });
    expect(get('OAUTH2').credentials).toEqual(
      expect.objectContaining({
        access_token: `****${SECRET.oauthAccessToken.slice(-4)}`,
        refresh_token: `****${SECRET.oauthRefreshToken.slice(-4)}`,
        client_secret: `****${SECRET.oauthClientSecret.slice(-4)}`,
      }),
    );
    const list = accountResponses.find((r) => r.label === 'list')!.response.body;
    expect(list.items).toHaveLength(SCHEMES.length * 2);
  });

  it('refused writes answer their envelope without echoing the secret', () => {
    for (const { label, response, expectedSlug, requestId } of rejectedWrites) {
      expect({
        label,
        slug: response.body?.error?.slug,
        request_id: response.body?.error?.request_id,
      }).toEqual({
        label,
        slug: expectedSlug,
        request_id: requestId,
      });
      expect({ label, leaks: leaksIn(response.text) }).toEqual({ label, leaks: [] });
    }
  });

  it('failing proxy calls answer error envelopes without secrets', () => {
    expect(proxyFailures).toHaveLength(SCHEMES.length * 6);
    for (const { label, response, expectedSlug, requestId } of proxyFailures) {
      expect({
        label,
        slug: response.body?.error?.slug,
        request_id: response.body?.error?.request_id,
      }).toEqual({
        label,
        slug: expectedSlug,
        request_id: requestId,
      });
      expect(Object.keys(response.body)).toEqual(['error']);
      expect({ label, leaks: leaksIn(response.text + JSON.stringify([...response.headers])) }).toEqual({
        label,
        leaks: [],
      });
    }
  });

  it('writes JSON request lines with request_id and route', () => {
    const lines = logLines();
    const requestLines = lines.filter(
      (line) => typeof line.request_id === 'string' && typeof line.route === 'string',
    );
    expect(requestLines.length).toBeGreaterThan(0);
    // One line for the calls made above, with the request id the test sent.
    const someProxyCall = proxySuccesses[0];
    expect(requestLines).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          request_id: someProxyCall.requestId,
          route: '/api/v3/tools/execute/proxy',
        }),
      ]),
    );
  });

  it('logs every 5xx proxy failure as an error with its request_id', () => {
    const lines = logLines();
    const serverFailures = proxyFailures.filter((f) => f.response.status >= 500);
    expect(serverFailures.length).toBeGreaterThan(0);
    for (const failure of serverFailures) {
      const logged = lines.filter(
        (line) => line.request_id === failure.requestId && typeof line.level === 'number' && line.level >= 50,
      );
      expect({ label: failure.label, logged: logged.length > 0 }).toEqual({
        label: failure.label,
        logged: true,
      });
      expect(JSON.stringify(logged)).toContain(failure.expectedSlug);
    }
  });

  it('logs a caller who hung up once, at info, and not as an upstream failure', () => {
    expect(hangUpOutcome).toBe('AbortError');
    const logged = logLines().filter((line) => line.request_id === HANG_UP_REQUEST_ID);
    expect(logged.map(({ level, msg, slug }) => ({ level, msg, slug }))).toEqual([
      {
        level: 30,
        msg: 'caller left before the answer to POST /api/v3/tools/execute/proxy',
        slug: 'ExternalProxy_UpstreamTimeout',
      },
    ]);
  });

  it('logs why an upstream call failed: the redacted cause summary, not an empty placeholder', () => {
    // toUpstreamException keeps {name, code, message (secrets removed)} as the cause to log.
    const refused = proxyFailures.filter((f) => f.label.endsWith(' refused'));
    expect(refused).toHaveLength(SCHEMES.length);
    const lines = logLines();
    for (const failure of refused) {
      const logged = lines.find((line) => line.request_id === failure.requestId && line.context === 'Errors');
      expect({ label: failure.label, cause: logged?.cause }).toEqual({
        label: failure.label,
        cause: expect.objectContaining({ code: 'ECONNREFUSED', message: expect.any(String) }),
      });
    }
  });

  it('no secret appears anywhere in stdout or stderr, at LOG_LEVEL=debug', () => {
    const output = `${service.stdout()}\n${service.stderr()}`;
    expect(output.length).toBeGreaterThan(0);
    expect(leaksIn(output)).toEqual([]);
  });

  it('stops cleanly', () => {
    expect(exit).toEqual({ code: 0, signal: null });
  });
});
