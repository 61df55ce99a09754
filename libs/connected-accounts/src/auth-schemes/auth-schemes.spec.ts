import type { CredentialTarget } from './auth-scheme';
import { maskSecret } from './field-rules';
import { applyCredentials, AUTH_SCHEME_NAMES, authScheme } from './registry';

function applied(
  scheme: string,
  credentials: Record<string, unknown>,
): { headers: Record<string, string>; query: string } {
  const target: CredentialTarget = { headers: {}, query: new URLSearchParams() };
  applyCredentials(scheme, credentials, target);
  return { headers: target.headers, query: target.query.toString() };
}

describe('auth schemes', () => {
  it('registers exactly the schemes of the contract', () => {
    expect([...AUTH_SCHEME_NAMES].sort()).toEqual([
      'API_KEY',
      'BASIC',
      'BEARER_TOKEN',
      'NO_AUTH',
      'OAUTH2',
      'OAUTH2_CLIENT_CREDENTIALS',
    ]);
  });

  it.each([
    ['API_KEY', { api_key: 'k' }],
    ['API_KEY', { api_key: 'k', in: 'query', name: 'key', prefix: '' }],
    ['BEARER_TOKEN', { token: 't' }],
    ['BASIC', { username: 'u' }],
    ['BASIC', { username: 'u', password: '' }],
    [
      'OAUTH2',
      {
        access_token: 'a',
        token_type: 'bearer',
        expires_at: '2030-01-01T00:00:00Z',
        refresh_token: 'r',
        token_url: 'https://auth.example.com/token',
        client_id: 'c',
        client_secret: 's',
        scope: 'read write',
      },
    ],
    ['NO_AUTH', {}],
    ['OAUTH2', { access_token: 'a', expires_in: 3600, token_endpoint_auth: 'client_secret_basic' }],
    [
      'OAUTH2_CLIENT_CREDENTIALS',
      { token_url: 'https://auth.example.com/token', client_id: 'c', client_secret: 's' },
    ],
  ])('accepts valid %s credentials %j', (scheme, credentials) => {
    expect(authScheme(scheme).validate(credentials)).toEqual([]);
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
    ['API_KEY', {}, ['credentials.api_key is required for API_KEY']],
    [
      'BEARER_TOKEN',
      { token: 'a\r\nx-injected: 1', refresh_token: 'r' },
      [
        'credentials.token must not contain control characters',
        'credentials.refresh_token is not a field of BEARER_TOKEN',
      ],
    ],
    ['BEARER_TOKEN', { token: null }, ['credentials.token must be a string']],
    [
      'BASIC',
      { username: 'a:b', password: 5 },
      ['credentials.username must not contain ":"', 'credentials.password must be a string'],
    ],
    ['BASIC', { password: 'p' }, ['credentials.username is required for BASIC']],
    [
      'OAUTH2',
      {
        token_type: 'Bearer x',
        expires_at: 'tomorrow',
        refresh_token: [],
        token_url: 'ftp://x',
        client_id: 1,
        client_secret: '',
        scope: {},
      },
      [
        'credentials.access_token is required for OAUTH2',
        "credentials.token_type must be an HTTP token (letters, digits and !#$%&'*+.^_`|~-)",
        'credentials.expires_at must be an ISO 8601 date-time',
        'credentials.refresh_token must be a string',
        'credentials.token_url must be an absolute http(s) URL without credentials',
        'credentials.client_id must be a string',
        'credentials.client_secret must not be empty',
        'credentials.scope must be a string',
      ],
    ],
    ['NO_AUTH', { token: 'x' }, ['credentials.token is not a field of NO_AUTH']],
    [
      'OAUTH2',
      { access_token: 'a', refresh_token: 'r' },
      ['credentials.token_url is required with credentials.refresh_token'],
    ],
    [
      'OAUTH2',
      { access_token: 'a', expires_in: 60, expires_at: '2030-01-01T00:00:00Z' },
      ['credentials.expires_in and credentials.expires_at exclude each other'],
    ],
    [
      'OAUTH2',
      { access_token: 'a', expires_in: -1, token_endpoint_auth: 'private_key_jwt' },
      [
        'credentials.expires_in must be a positive integer (seconds)',
        'credentials.token_endpoint_auth must be one of: client_secret_post, client_secret_basic',
      ],
    ],
    ['BEARER_TOKEN', 'token', ['credentials must be an object']],
    ['BEARER_TOKEN', ['token'], ['credentials must be an object']],
  ])('lists every problem of bad %s credentials %j', (scheme, credentials, problems) => {
    expect(authScheme(scheme).validate(credentials)).toEqual(problems);
  });

  it('does not take inherited names for fields', () => {
    expect(authScheme('NO_AUTH').validate(JSON.parse('{"constructor": "x", "__proto__": {"a": 1}}'))).toEqual(
      [
        'credentials.constructor is not a field of NO_AUTH',
        'credentials.__proto__ is not a field of NO_AUTH',
      ],
    );
  });

  describe('apply', () => {
    it('puts an API key in x-api-key by default, with its prefix, under a lower-case name', () => {
      expect(applied('API_KEY', { api_key: 'k1' })).toEqual({ headers: { 'x-api-key': 'k1' }, query: '' });
      expect(applied('API_KEY', { api_key: 'k1', name: 'X-Custom-Key', prefix: 'Token ' })).toEqual({
        headers: { 'x-custom-key': 'Token k1' },
        query: '',
      });
    });

    it('puts an API key in the query when asked, `api_key` unless named', () => {
      expect(applied('API_KEY', { api_key: 'k 1', in: 'query' })).toEqual({
        headers: {},
        query: 'api_key=k+1',
      });
      expect(applied('API_KEY', { api_key: 'k1', in: 'query', name: 'key' })).toEqual({
        headers: {},
        query: 'key=k1',
      });
    });

    it('sends bearer, basic and OAuth 2 credentials as Authorization', () => {
      expect(applied('BEARER_TOKEN', { token: 't' }).headers).toEqual({ authorization: 'Bearer t' });
      expect(applied('BASIC', { username: 'u', password: 'pä' }).headers).toEqual({
        authorization: `Basic ${Buffer.from('u:pä').toString('base64')}`,
      });
      expect(applied('BASIC', { username: 'u' }).headers).toEqual({
        authorization: `Basic ${Buffer.from('u:').toString('base64')}`,
      });
      expect(applied('OAUTH2', { access_token: 'a' }).headers).toEqual({ authorization: 'Bearer a' });
      expect(applied('OAUTH2', { access_token: 'a', token_type: 'bearer' }).headers).toEqual({
        authorization: 'Bearer a',
      });
      expect(applied('OAUTH2', { access_token: 'a', token_type: 'MAC' }).headers).toEqual({
        authorization: 'MAC a',
      });
    });

    it('injects nothing for NO_AUTH', () => {
      expect(applied('NO_AUTH', {})).toEqual({ headers: {}, query: '' });
    });
  });

  describe('mask', () => {
    it('shows **** and the last four characters of a secret of 12+ characters, **** alone below', () => {
      expect(maskSecret('123456789012')).toBe('****9012');
      expect(maskSecret('12345678901')).toBe('****');
      expect(maskSecret('')).toBe('****');
    });

    it('masks every secret field and shows the others', () => {
      const long = 'abcdefghijklmnop';
      expect(
        authScheme('API_KEY').mask({ api_key: long, in: 'header', name: 'x-key', prefix: 'Key ' }),
      ).toEqual({
        api_key: '****mnop',
        in: 'header',
        name: 'x-key',
        prefix: 'Key ',
      });
      expect(authScheme('BEARER_TOKEN').mask({ token: 'short' })).toEqual({ token: '****' });
      expect(authScheme('BASIC').mask({ username: 'alice', password: long })).toEqual({
        username: 'alice',
        password: '****mnop',
      });
      expect(
        authScheme('OAUTH2').mask({
          access_token: long,
          token_type: 'Bearer',
          expires_at: '2030-01-01T00:00:00Z',
          refresh_token: `r${long}`,
          token_url: 'https://auth.example.com/token',
          client_id: 'client-1',
          client_secret: `s${long}`,
          scope: 'repo',
        }),
      ).toEqual({
        access_token: '****mnop',
        token_type: 'Bearer',
        expires_at: '2030-01-01T00:00:00Z',
        refresh_token: '****mnop',
        token_url: 'https://auth.example.com/token',
        client_id: 'client-1',
        client_secret: '****mnop',
        scope: 'repo',
      });
    });

    it('treats a stored field without a rule as secret', () => {
      expect(authScheme('BEARER_TOKEN').mask({ token: 'x', legacy: 'abcdefghijklmnop' })).toEqual({
        token: '****',
        legacy: '****mnop',
      });
    });
  });
});
