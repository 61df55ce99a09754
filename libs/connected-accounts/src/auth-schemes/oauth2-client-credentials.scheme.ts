import type { Credentials, CredentialTarget } from './auth-scheme';
import { FieldAuthScheme, type FieldRules } from './field-rules';
import {
  applyAccessToken,
  expiryProblems,
  normalizeExpiry,
  OAUTH2_FIELDS,
  type OAuth2TokenCredentials,
} from './oauth2.scheme';

/**
 * OAuth 2 client credentials grant (RFC 6749 §4.4): no user and no refresh token. The proxy fetches
 * an access token with the client's credentials whenever the stored one is missing or expiring.
 */
export class OAuth2ClientCredentialsScheme extends FieldAuthScheme<OAuth2TokenCredentials> {
  readonly name = 'OAUTH2_CLIENT_CREDENTIALS';
  protected readonly fields: FieldRules = (() => {
    const { refresh_token: _none, ...fields } = OAUTH2_FIELDS;
    return {
      ...fields,
      token_url: { ...fields.token_url, required: true },
      client_id: { ...fields.client_id, required: true },
      client_secret: { ...fields.client_secret, required: true },
    };
  })();

  override validate(credentials: unknown): string[] {
    const problems = super.validate(credentials);
    return problems.length > 0 ? problems : expiryProblems(credentials);
  }

  normalize(credentials: Credentials, now: Date): Credentials {
    return normalizeExpiry(credentials, now);
  }

  apply(credentials: OAuth2TokenCredentials, target: CredentialTarget): void {
    applyAccessToken(credentials, target);
  }
}
