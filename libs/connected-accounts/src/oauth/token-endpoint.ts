import type { Credentials } from '../auth-schemes/auth-scheme';
import type { OAuth2TokenCredentials } from '../auth-schemes/oauth2.scheme';

/** Largest token-endpoint answer read; real ones are a few hundred bytes. */
export const MAX_TOKEN_RESPONSE_BYTES = 64 * 1024;

export type GrantType = 'refresh_token' | 'client_credentials';

/** The form body and headers of a token request (RFC 6749 §6 and §4.4.2), client authenticated per §2.3.1. */
export function tokenRequestOf(
  credentials: OAuth2TokenCredentials,
  grant: GrantType,
): { headers: Record<string, string>; body: string } {
  const form = new URLSearchParams({ grant_type: grant });
  if (grant === 'refresh_token') form.set('refresh_token', credentials.refresh_token ?? '');
  // A refresh keeps the granted scope when none is sent; a client credentials grant asks for it.
  else if (credentials.scope) form.set('scope', credentials.scope);
  const headers: Record<string, string> = {
    accept: 'application/json',
    'content-type': 'application/x-www-form-urlencoded',
  };
  if (credentials.token_endpoint_auth === 'client_secret_basic' && credentials.client_id !== undefined) {
    // §2.3.1: both parts are form-urlencoded before being joined and base64-encoded.
    const pair = `${formEncode(credentials.client_id)}:${formEncode(credentials.client_secret ?? '')}`;
    headers.authorization = `Basic ${Buffer.from(pair, 'utf8').toString('base64')}`;
  } else {
    if (credentials.client_id !== undefined) form.set('client_id', credentials.client_id);
    if (credentials.client_secret !== undefined) form.set('client_secret', credentials.client_secret);
  }
  return { headers, body: form.toString() };
}

function formEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2);
}

/** A token endpoint's body as fields: JSON, or form-encoded (older providers answer that way). */
export function parseTokenBody(
  contentType: string | undefined,
  body: Buffer,
): Record<string, unknown> | null {
  const text = body.toString('utf8');
  const parseJson = (): Record<string, unknown> | null => {
    try {
      const value: unknown = JSON.parse(text);
      return typeof value === 'object' && value !== null && !Array.isArray(value)
        ? (value as Record<string, unknown>)
        : null;
    } catch {
      return null;
    }
  };
  const parseForm = (): Record<string, unknown> | null => {
    const fields = Object.fromEntries(new URLSearchParams(text));
    return Object.keys(fields).length > 0 ? fields : null;
  };
  if (/\bjson\b/i.test(contentType ?? '')) return parseJson();
  if (/x-www-form-urlencoded|text\/plain/i.test(contentType ?? '')) return parseForm();
  // No telling content type: JSON, or a form that at least looks like a token answer.
  const form = parseForm();
  return parseJson() ?? (form && ('access_token' in form || 'error' in form) ? form : null);
}

/**
 * The credentials after a successful token answer: the new access token and expiry (none when the
 * answer has no `expires_in`: unknown, refreshed on a 401 only); a new refresh token replaces the
 * old one, and without one the old one stays. Null when the answer has no usable access token.
 */
export function mergeTokenAnswer(
  current: Credentials,
  answer: Record<string, unknown>,
  now: Date,
): Credentials | null {
  const { access_token: accessToken, token_type: tokenType, refresh_token: refreshToken } = answer;
  if (typeof accessToken !== 'string' || accessToken.length === 0) return null;
  const next: Credentials = { ...current, access_token: accessToken };
  delete next.expires_at;
  const expiresIn = Number(answer.expires_in);
  if (
    answer.expires_in !== undefined &&
    answer.expires_in !== '' &&
    Number.isFinite(expiresIn) &&
    expiresIn > 0
  ) {
    next.expires_at = new Date(now.getTime() + expiresIn * 1000).toISOString();
  }
  if (typeof tokenType === 'string' && tokenType.length > 0) next.token_type = tokenType;
  if (
    typeof refreshToken === 'string' &&
    refreshToken.length > 0 &&
    Object.hasOwn(current, 'refresh_token')
  ) {
    next.refresh_token = refreshToken;
  }
  if (typeof answer.scope === 'string') next.scope = answer.scope;
  return next;
}

/** The OAuth error code of a token answer, only when it is a plain code (it goes into status_reason). */
export function oauthErrorOf(answer: Record<string, unknown> | null): string | undefined {
  const error = answer?.error;
  return typeof error === 'string' && /^[A-Za-z0-9_.-]{1,64}$/.test(error) ? error : undefined;
}
