import { commaSeparated, isAllowedHost, isBaseUrl, TOOLKIT_SLUG } from './field-validators';

describe('connected account field rules', () => {
  it.each([
    'https://api.github.com',
    'http://127.0.0.1:8080',
    'https://graph.microsoft.com/v1.0/',
    'https://x.example.com/a/b',
  ])('accepts the base URL %s', (url) => expect(isBaseUrl(url)).toBe(true));

  it.each([
    'api.github.com',
    '/v1',
    'ftp://example.com',
    'https://user:pass@example.com',
    'https://user@example.com',
    'https://@example.com',
    'https://example.com/?',
    'https://example.com/?a=1',
    'https://example.com/#frag',
    ' https://example.com',
    'https://example.com/a b',
    'https:\\\\example.com',
    'https:example.com',
    'javascript:alert(1)',
    42,
  ])('refuses the base URL %j', (url) => expect(isBaseUrl(url)).toBe(false));

  it.each(['uploads.github.com', 'API.Example.com', '*.example.com', 'localhost', '127.0.0.2'])(
    'accepts the host %s',
    (host) => expect(isAllowedHost(host)).toBe(true),
  );

  it.each([
    '*.com',
    '*',
    'https://x.com',
    'x.com:443',
    'a..b',
    '-a.com',
    'a.com.',
    '*.*.example.com',
    'user@x.com',
    '',
  ])('refuses the host %j', (host) => expect(isAllowedHost(host)).toBe(false));

  it('knows a toolkit slug', () => {
    expect(['github', 'google-drive', 'ms_teams', 'x1'].every((s) => TOOLKIT_SLUG.test(s))).toBe(true);
    expect(['GitHub', 'a--b', '-a', 'a b', ''].some((s) => TOOLKIT_SLUG.test(s))).toBe(false);
  });

  it('splits comma-separated and repeated query values', () => {
    expect(commaSeparated({ value: 'a, b,,c' })).toEqual(['a', 'b', 'c']);
    expect(commaSeparated({ value: ['a,b', 'c'] })).toEqual(['a', 'b', 'c']);
    expect(commaSeparated({ value: undefined })).toBeUndefined();
  });
});
