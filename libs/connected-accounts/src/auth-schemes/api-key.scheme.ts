import { headerProblem } from '../http-header-rules';
import type { CredentialTarget } from './auth-scheme';
import { checks, FieldAuthScheme, type FieldRules } from './field-rules';

type ApiKeyCredentials = { api_key: string; in?: 'header' | 'query'; name?: string; prefix?: string };

/** A key in a header (`x-api-key` unless `name` says otherwise) or in a query parameter (`api_key`). */
export class ApiKeyScheme extends FieldAuthScheme<ApiKeyCredentials> {
  readonly name = 'API_KEY';
  protected readonly fields: FieldRules = {
    api_key: { required: true, secret: true, check: checks.text() },
    in: { check: checks.oneOf('header', 'query') },
    name: { check: checks.token },
    prefix: { check: checks.text({ allowEmpty: true }) },
  };

  override validate(credentials: unknown): string[] {
    const problems = super.validate(credentials);
    const { in: location, name } = (credentials ?? {}) as Partial<ApiKeyCredentials>;
    // A header name of the account's choosing must not be one the proxy owns (Host, framing…).
    if (problems.length === 0 && location !== 'query' && name !== undefined) {
      const problem = headerProblem(name);
      if (problem) problems.push(`credentials.name: ${problem}`);
    }
    return problems;
  }

  apply(credentials: ApiKeyCredentials, target: CredentialTarget): void {
    const value = `${credentials.prefix ?? ''}${credentials.api_key}`;
    if (credentials.in === 'query') target.query.set(credentials.name ?? 'api_key', value);
    else target.headers[(credentials.name ?? 'x-api-key').toLowerCase()] = value;
  }
}
