import fc from 'fast-check';
import { AppException } from '@app/errors';
import { hostAllowed, resolveEndpoint } from './endpoint-resolver';

const scope = {
  baseUrl: 'https://api.example.com/v1.0',
  allowedHosts: ['uploads.example.com', '*.cdn.example.net'],
};

function slugOf(fn: () => unknown): string {
  try {
    fn();
    return 'resolved';
  } catch (error) {
    return error instanceof AppException ? error.slug : `threw ${String(error)}`;
  }
}

describe(resolveEndpoint.name, () => {
  it.each([
    ['/users', 'https://api.example.com/v1.0/users'],
    ['/users?page=2&q=a b', 'https://api.example.com/v1.0/users?page=2&q=a%20b'],
    ['/users#frag', 'https://api.example.com/v1.0/users'],
    ['/a/../b', 'https://api.example.com/v1.0/b'],
    ['https://api.example.com/v1.0/me', 'https://api.example.com/v1.0/me'],
    ['https://uploads.example.com/files', 'https://uploads.example.com/files'],
    ['https://img.cdn.example.net/x.png', 'https://img.cdn.example.net/x.png'],
  ])('resolves %s to %s', (endpoint, expected) => {
    expect(resolveEndpoint(endpoint, scope).toString()).toBe(expected);
  });

  it('joins under a base URL with a trailing slash or none', () => {
    expect(resolveEndpoint('/x', { baseUrl: 'http://127.0.0.1:8080/', allowedHosts: [] }).toString()).toBe(
      'http://127.0.0.1:8080/x',
    );
    expect(
      resolveEndpoint('/x', { baseUrl: 'http://127.0.0.1:8080/api/', allowedHosts: [] }).toString(),
    ).toBe('http://127.0.0.1:8080/api/x');
  });

  it.each([
    // S2: protocol-relative, backslash, control-character tricks
    '//evil.com/x',
    '/\\evil.com',
    '\\\\evil.com',
    '/\t/evil.com',
    ' //evil.com',
    '/x\r\nHost: evil.com',
    '/x\u0000',
    '',
    // S4: traversal out of the base path
    '/../beta/users',
    '/%2e%2e/beta',
    '/..%2fbeta',
    '/./../../beta',
    'https://api.example.com/beta/users',
    // S5: schemes
    'http:evil.com',
    'file:///etc/passwd',
    'javascript:alert(1)',
    'gopher://evil.com',
    'ftp://api.example.com/v1.0/x',
    // userinfo
    'https://user:pass@api.example.com/v1.0/x',
    'https://api.example.com@evil.com/v1.0',
    // neither path nor URL
    'users',
    'evil.com/x',
  ])('refuses %j as ExternalProxy_InvalidEndpoint or OriginMismatch', (endpoint) => {
    expect(['ExternalProxy_InvalidEndpoint', 'ExternalProxy_OriginMismatch']).toContain(
      slugOf(() => resolveEndpoint(endpoint, scope)),
    );
  });

  it.each([
    'https://evil.com/x',
    'http://api.example.com/v1.0/x', // scheme switch
    'https://api.example.com:8443/v1.0/x', // other port, same host, not allowed-listed by origin
    'http://uploads.example.com/files', // allowed host, other scheme
    'https://cdn.example.net/x', // wildcard does not match the apex
    'https://evilcdn.example.net/x',
    'https://169.254.169.254/latest/meta-data',
  ])('answers ExternalProxy_OriginMismatch for %s', (endpoint) => {
    expect(slugOf(() => resolveEndpoint(endpoint, scope))).toBe('ExternalProxy_OriginMismatch');
  });

  it('never resolves a relative endpoint outside the base origin and path (property, S2/S3/S4)', () => {
    const pieces = fc.constantFrom(
      '/',
      '\\',
      '@',
      '.',
      ':',
      '..',
      '%2e',
      '%2f',
      '//',
      'evil.com',
      '?',
      '#',
      '\t',
      ' ',
      'a',
      '%40',
      '\u3002',
    );
    fc.assert(
      fc.property(fc.array(pieces, { maxLength: 12 }), (parts) => {
        const endpoint = `/${parts.join('')}`;
        try {
          const url = resolveEndpoint(endpoint, scope);
          return (
            url.origin === 'https://api.example.com' &&
            url.pathname.startsWith('/v1.0') &&
            !url.username &&
            !url.password
          );
        } catch (error) {
          return error instanceof AppException;
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe(hostAllowed.name, () => {
  it('matches exact names and subdomain wildcards, case-insensitively', () => {
    expect(hostAllowed('Uploads.Example.com', ['uploads.example.com'])).toBe(true);
    expect(hostAllowed('a.b.cdn.example.net', ['*.cdn.example.net'])).toBe(true);
    expect(hostAllowed('cdn.example.net', ['*.cdn.example.net'])).toBe(false);
    expect(hostAllowed('xcdn.example.net', ['*.cdn.example.net'])).toBe(false);
    expect(hostAllowed('example.com', [])).toBe(false);
  });
});
