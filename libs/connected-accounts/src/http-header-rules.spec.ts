import { ApiKeyScheme } from './auth-schemes/api-key.scheme';
import { headerProblem } from './http-header-rules';

describe(headerProblem.name, () => {
  it.each([
    'Host',
    'content-length',
    'Transfer-Encoding',
    'Connection',
    'TE',
    'Upgrade',
    'Proxy-Foo',
    'Expect',
    'Bad Name',
    '',
  ])('refuses the header name %j', (name) => {
    expect(headerProblem(name, 'x')).toEqual(expect.any(String));
  });

  it.each(['a\r\nb', 'nul\u0000', 'bell\u0007', 'euro €'])('refuses the value %j', (value) => {
    expect(headerProblem('X-Ok', value)).toEqual(expect.stringContaining('cannot be sent'));
  });

  it('accepts ordinary names and values, tabs and Latin-1 included', () => {
    expect(headerProblem('X-Api-Key', 'abc\tdéf')).toBeUndefined();
    expect(headerProblem('Authorization', 'Bearer x')).toBeUndefined();
  });
});

describe('API_KEY credentials naming a header', () => {
  const scheme = new ApiKeyScheme();

  it('refuses a header the proxy owns, such as Host', () => {
    expect(scheme.validate({ api_key: 'k', name: 'Host' })).toEqual([
      'credentials.name: header host is set by the proxy and cannot be sent',
    ]);
  });

  it('allows any token as a query parameter name', () => {
    expect(scheme.validate({ api_key: 'k', name: 'host', in: 'query' })).toEqual([]);
  });
});
