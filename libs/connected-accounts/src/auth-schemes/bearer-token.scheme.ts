import type { CredentialTarget } from './auth-scheme';
import { checks, FieldAuthScheme, type FieldRules } from './field-rules';

type BearerTokenCredentials = { token: string };

export class BearerTokenScheme extends FieldAuthScheme<BearerTokenCredentials> {
  readonly name = 'BEARER_TOKEN';
  protected readonly fields: FieldRules = {
    token: { required: true, secret: true, check: checks.text() },
  };

  apply(credentials: BearerTokenCredentials, target: CredentialTarget): void {
    target.headers.authorization = `Bearer ${credentials.token}`;
  }
}
