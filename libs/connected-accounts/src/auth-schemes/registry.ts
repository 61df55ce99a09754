import type { AuthScheme, Credentials, CredentialTarget } from './auth-scheme';
import { ApiKeyScheme } from './api-key.scheme';
import { BasicScheme } from './basic.scheme';
import { BearerTokenScheme } from './bearer-token.scheme';
import { NoAuthScheme } from './no-auth.scheme';
import { OAuth2ClientCredentialsScheme } from './oauth2-client-credentials.scheme';
import { OAuth2Scheme } from './oauth2.scheme';

/** Every auth scheme, one line each; `auth_scheme` accepts exactly these names. */
const SCHEMES = [
  new ApiKeyScheme(),
  new BearerTokenScheme(),
  new BasicScheme(),
  new OAuth2Scheme(),
  new NoAuthScheme(),
  new OAuth2ClientCredentialsScheme(),
] as const satisfies readonly AuthScheme[];

export type AuthSchemeName = (typeof SCHEMES)[number]['name'];
export const AUTH_SCHEME_NAMES: readonly AuthSchemeName[] = SCHEMES.map((scheme) => scheme.name);

const BY_NAME: ReadonlyMap<string, AuthScheme> = new Map(SCHEMES.map((scheme) => [scheme.name, scheme]));

export function isAuthSchemeName(name: string): name is AuthSchemeName {
  return BY_NAME.has(name);
}

export function authScheme(name: string): AuthScheme {
  const scheme = BY_NAME.get(name);
  if (!scheme) throw new Error(`Unknown auth scheme ${name}`);
  return scheme;
}

/** Injects an account's (decrypted) credentials into an outgoing request, as its scheme says. */
export function applyCredentials(scheme: string, credentials: Credentials, target: CredentialTarget): void {
  authScheme(scheme).apply(credentials, target);
}

/** `credentials` in the form to store: what the scheme normalises (e.g. `expires_in`), the rest as given. */
export function normalizeCredentials(
  scheme: string,
  credentials: Credentials,
  now = new Date(),
): Credentials {
  return authScheme(scheme).normalize?.(credentials, now) ?? credentials;
}
