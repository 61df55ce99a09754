import type { Credentials, CredentialTarget } from './auth-scheme';
import { checks, FieldAuthScheme, type FieldRule, type FieldRules } from './field-rules';

export const TOKEN_ENDPOINT_AUTH_METHODS = ['client_secret_post', 'client_secret_basic'] as const;
export type TokenEndpointAuthMethod = (typeof TOKEN_ENDPOINT_AUTH_METHODS)[number];

/** The fields every OAuth 2 scheme stores; all optional here, each scheme says which it requires. */
export type OAuth2TokenCredentials = {
  access_token?: string;
  token_type?: string;
  expires_at?: string;
  refresh_token?: string;
  token_url?: string;
  client_id?: string;
  client_secret?: string;
  scope?: string;
  token_endpoint_auth?: TokenEndpointAuthMethod;
};

const positiveInteger: FieldRule['check'] = (value) =>
  Number.isSafeInteger(value) && (value as number) > 0 ? undefined : 'must be a positive integer (seconds)';

/** Shared rules: tokens and the client secret are write-only; the rest tells accounts apart. */
export const OAUTH2_FIELDS: FieldRules = {
  access_token: { secret: true, check: checks.text() },
  token_type: { check: checks.token },
  expires_at: { check: checks.isoDateTime },
  /** Accepted on writes only: stored as `expires_at`. */
  expires_in: { check: positiveInteger },
  refresh_token: { secret: true, check: checks.text() },
  token_url: { check: checks.httpUrl },
  // RFC 6749 §2.2: the client identifier is not a secret, and seeing it tells accounts apart.
  client_id: { check: checks.text() },
  client_secret: { secret: true, check: checks.text() },
  scope: { check: checks.text({ allowEmpty: true }) },
  token_endpoint_auth: { check: checks.oneOf(...TOKEN_ENDPOINT_AUTH_METHODS) },
};

/** `Authorization: <token_type> <access_token>`, once there is an access token. */
export function applyAccessToken(credentials: OAuth2TokenCredentials, target: CredentialTarget): void {
  if (credentials.access_token === undefined) return;
  // Token endpoints often answer `token_type: "bearer"`; some APIs only accept the RFC 6750 spelling.
  const type =
    credentials.token_type === undefined || /^bearer$/i.test(credentials.token_type)
      ? 'Bearer'
      : credentials.token_type;
  target.headers.authorization = `${type} ${credentials.access_token}`;
}

/** `expires_in` (seconds from now) becomes an absolute `expires_at`, so a stored value never goes stale. */
export function normalizeExpiry(credentials: Credentials, now: Date): Credentials {
  const { expires_in: expiresIn, ...rest } = credentials;
  if (typeof expiresIn !== 'number') return rest;
  return { ...rest, expires_at: new Date(now.getTime() + expiresIn * 1000).toISOString() };
}

/** `expires_in` and `expires_at` say the same thing: one of them, or neither. */
export function expiryProblems(credentials: unknown): string[] {
  const given = (credentials ?? {}) as Credentials;
  return Object.hasOwn(given, 'expires_in') && Object.hasOwn(given, 'expires_at')
    ? ['credentials.expires_in and credentials.expires_at exclude each other']
    : [];
}

/** An OAuth 2 access token; with `refresh_token` and `token_url` the proxy keeps it fresh. */
export class OAuth2Scheme extends FieldAuthScheme<OAuth2TokenCredentials & { access_token: string }> {
  readonly name = 'OAUTH2';
  protected readonly fields: FieldRules = {
    ...OAUTH2_FIELDS,
    access_token: { ...OAUTH2_FIELDS.access_token, required: true },
  };

  override validate(credentials: unknown): string[] {
    const problems = super.validate(credentials);
    if (problems.length > 0) return problems;
    const given = credentials as OAuth2TokenCredentials;
    if (given.refresh_token !== undefined && given.token_url === undefined) {
      problems.push('credentials.token_url is required with credentials.refresh_token');
    }
    return [...problems, ...expiryProblems(credentials)];
  }

  normalize(credentials: Credentials, now: Date): Credentials {
    return normalizeExpiry(credentials, now);
  }

  apply(credentials: OAuth2TokenCredentials, target: CredentialTarget): void {
    applyAccessToken(credentials, target);
  }
}
