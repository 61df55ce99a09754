import type { CredentialTarget } from './auth-scheme';
import { checks, FieldAuthScheme, type FieldRules } from './field-rules';

type OAuth2Credentials = {
  access_token: string;
  token_type?: string;
  expires_at?: string;
  refresh_token?: string;
  token_url?: string;
  client_id?: string;
  client_secret?: string;
  scope?: string;
};

/** An OAuth 2 access token; the refresh fields are stored (encrypted) for a refresher to use. */
export class OAuth2Scheme extends FieldAuthScheme<OAuth2Credentials> {
  readonly name = 'OAUTH2';
  protected readonly fields: FieldRules = {
    access_token: { required: true, secret: true, check: checks.text() },
    token_type: { check: checks.token },
    expires_at: { check: checks.isoDateTime },
    refresh_token: { secret: true, check: checks.text() },
    token_url: { check: checks.httpUrl },
    // RFC 6749 §2.2: the client identifier is not a secret, and seeing it tells accounts apart.
    client_id: { check: checks.text() },
    client_secret: { secret: true, check: checks.text() },
    scope: { check: checks.text({ allowEmpty: true }) },
  };

  apply(credentials: OAuth2Credentials, target: CredentialTarget): void {
    // Token endpoints often answer `token_type: "bearer"`; some APIs only accept the RFC 6750 spelling.
    const type =
      credentials.token_type === undefined || /^bearer$/i.test(credentials.token_type)
        ? 'Bearer'
        : credentials.token_type;
    target.headers.authorization = `${type} ${credentials.access_token}`;
  }
}
