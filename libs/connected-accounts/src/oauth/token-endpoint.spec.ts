import { mergeTokenAnswer, oauthErrorOf, parseTokenBody, tokenRequestOf } from './token-endpoint';

const NOW = new Date('2030-01-01T00:00:00.000Z');

describe('token endpoint requests and answers', () => {
  const credentials = {
    access_token: 'old-access',
    refresh_token: 'old-refresh',
    token_url: 'https://auth.example.com/token',
    client_id: 'client 1',
    client_secret: 's:e&cret',
    scope: 'read',
  };

  it('sends the client credentials in the form by default (client_secret_post)', () => {
    const { headers, body } = tokenRequestOf(credentials, 'refresh_token');
    expect(headers.authorization).toBeUndefined();
    expect(Object.fromEntries(new URLSearchParams(body))).toEqual({
      grant_type: 'refresh_token',
      refresh_token: 'old-refresh',
      client_id: 'client 1',
      client_secret: 's:e&cret',
    });
  });

  it('sends them form-encoded in HTTP Basic with client_secret_basic, and the scope for client credentials', () => {
    const { headers, body } = tokenRequestOf(
      { ...credentials, token_endpoint_auth: 'client_secret_basic' },
      'client_credentials',
    );
    expect(Buffer.from(headers.authorization.slice(6), 'base64').toString()).toBe('client+1:s%3Ae%26cret');
    expect(Object.fromEntries(new URLSearchParams(body))).toEqual({
      grant_type: 'client_credentials',
      scope: 'read',
    });
  });

  it('reads JSON and form-encoded answers', () => {
    expect(parseTokenBody('application/json; charset=utf-8', Buffer.from('{"access_token":"a"}'))).toEqual({
      access_token: 'a',
    });
    expect(
      parseTokenBody('application/x-www-form-urlencoded', Buffer.from('access_token=a&expires_in=60')),
    ).toEqual({ access_token: 'a', expires_in: '60' });
    expect(parseTokenBody(undefined, Buffer.from('[1]'))).toBeNull();
  });

  it('takes a new access token, expiry and rotated refresh token', () => {
    expect(
      mergeTokenAnswer(
        { ...credentials, expires_at: '2029-01-01T00:00:00.000Z' },
        { access_token: 'new', expires_in: '60', refresh_token: 'rotated', token_type: 'bearer' },
        NOW,
      ),
    ).toEqual({
      ...credentials,
      access_token: 'new',
      token_type: 'bearer',
      refresh_token: 'rotated',
      expires_at: '2030-01-01T00:01:00.000Z',
    });
  });

  it('keeps the refresh token when none comes back, and drops the expiry when expires_in is missing', () => {
    expect(
      mergeTokenAnswer(
        { ...credentials, expires_at: '2029-01-01T00:00:00.000Z' },
        { access_token: 'new' },
        NOW,
      ),
    ).toEqual({ ...credentials, access_token: 'new' });
  });

  it('refuses an answer without an access token', () => {
    expect(mergeTokenAnswer(credentials, { token_type: 'bearer' }, NOW)).toBeNull();
    expect(mergeTokenAnswer(credentials, { access_token: '' }, NOW)).toBeNull();
  });

  it('passes on only plain OAuth error codes', () => {
    expect(oauthErrorOf({ error: 'invalid_grant' })).toBe('invalid_grant');
    expect(oauthErrorOf({ error: 'bad code with spaces' })).toBeUndefined();
    expect(oauthErrorOf(null)).toBeUndefined();
  });
});
