import { AppException } from '@app/errors';

export interface EndpointScope {
  /**
   * The connected account's base URL (absolute http(s), no userinfo, query or fragment); never
   * modified. Given as a URL object, what is derived from it is worked out once per object.
   */
  baseUrl: string | URL;
  /** Extra hosts the account may reach with absolute endpoints: exact names or `*.example.com`. */
  allowedHosts: readonly string[];
}

// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

/**
 * Turns a caller's `endpoint` into the URL to call, or refuses it (wire contract §5, checklist
 * S1–S5). Never string-concatenates an origin: relative paths are joined under the base path with
 * the URL API, and the result's origin and path prefix are checked after resolution.
 */
export function resolveEndpoint(endpoint: string, scope: EndpointScope): URL {
  if (endpoint.length === 0 || CONTROL_CHARACTERS.test(endpoint) || endpoint.includes('\\')) {
    throw invalid('contains control characters or a backslash');
  }
  const base = typeof scope.baseUrl === 'string' ? new URL(scope.baseUrl) : scope.baseUrl;
  const { origin, basePath } = baseFacts(base);

  if (endpoint.startsWith('/')) {
    if (endpoint.startsWith('//')) throw invalid('must start with exactly one "/"');
    // Base path and endpoint both start with one "/", so the joined string is a path: it cannot
    // name another authority.
    const url = new URL(`${basePath}${endpoint}`, origin);
    if (url.hash !== '') url.hash = '';
    if (url.origin !== origin || url.username || url.password) throw invalid('leaves the base URL');
    assertUnderBasePath(url, basePath);
    return url;
  }

  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw invalid('is neither a path starting with "/" nor an absolute URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw invalid('scheme must be http or https');
  if (url.username || url.password) throw invalid('must not contain credentials (user:pass@)');
  if (url.hash !== '') url.hash = '';
  if (url.origin === origin) {
    assertUnderBasePath(url, basePath);
    return url;
  }
  if (url.protocol !== base.protocol || !hostAllowed(url.hostname, scope.allowedHosts)) {
    throw new AppException('ExternalProxy_OriginMismatch', {
      errors: [`endpoint origin ${url.protocol}//${url.host} is not the account's origin or an allowed host`],
    });
  }
  return url;
}

/** A base URL's origin and path (without trailing slashes), worked out once per URL object. */
const baseFactsOf = new WeakMap<URL, { origin: string; basePath: string }>();

function baseFacts(base: URL): { origin: string; basePath: string } {
  let facts = baseFactsOf.get(base);
  if (facts === undefined) {
    facts = { origin: base.origin, basePath: base.pathname.replace(/\/+$/, '') };
    baseFactsOf.set(base, facts);
  }
  return facts;
}

function assertUnderBasePath(url: URL, basePath: string): void {
  if (basePath && url.pathname !== basePath && !url.pathname.startsWith(`${basePath}/`)) {
    throw invalid(`climbs out of the base path ${basePath}`);
  }
  // The URL API resolves `..` and `%2e%2e` segments, but an upstream that decodes `%2f` would
  // still see `..%2f` as a climb: refuse dot segments that appear once the path is decoded.
  // Without a `%` there is nothing to decode, and the URL API has left no dot segment.
  if (!url.pathname.includes('%')) return;
  let decoded: string;
  try {
    decoded = decodeURIComponent(url.pathname);
  } catch {
    throw invalid('has malformed percent-encoding');
  }
  if (decoded.split(/[/\\]/).some((segment) => segment === '..' || segment === '.')) {
    throw invalid('contains an encoded dot segment');
  }
}

/** Exact names match themselves; `*.example.com` matches any subdomain, not `example.com` itself. */
export function hostAllowed(hostname: string, allowedHosts: readonly string[]): boolean {
  const host = hostname.toLowerCase();
  return allowedHosts.some((entry) => {
    const pattern = entry.toLowerCase();
    return pattern.startsWith('*.')
      ? host.endsWith(pattern.slice(1)) && host.length > pattern.length - 1
      : host === pattern;
  });
}

function invalid(problem: string): AppException {
  return new AppException('ExternalProxy_InvalidEndpoint', { errors: [`endpoint ${problem}`] });
}
