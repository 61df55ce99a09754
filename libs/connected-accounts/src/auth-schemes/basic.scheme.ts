import type { CredentialTarget } from './auth-scheme';
import { checks, FieldAuthScheme, type FieldRules } from './field-rules';

type BasicCredentials = { username: string; password?: string };

export class BasicScheme extends FieldAuthScheme<BasicCredentials> {
  readonly name = 'BASIC';
  protected readonly fields: FieldRules = {
    username: {
      required: true,
      // RFC 7617: the first colon separates user from password, so a user name cannot contain one.
      check: (value) =>
        checks.text()(value) ?? (String(value).includes(':') ? 'must not contain ":"' : undefined),
    },
    password: { secret: true, check: checks.text({ allowEmpty: true }) },
  };

  apply(credentials: BasicCredentials, target: CredentialTarget): void {
    const pair = `${credentials.username}:${credentials.password ?? ''}`;
    target.headers.authorization = `Basic ${Buffer.from(pair, 'utf8').toString('base64')}`;
  }
}
