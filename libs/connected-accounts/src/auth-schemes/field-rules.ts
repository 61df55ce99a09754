import { isISO8601 } from 'class-validator';
import type { AuthScheme, Credentials, CredentialTarget } from './auth-scheme';

export interface FieldRule {
  required?: boolean;
  /** Write-only: reads show `****` and at most the last four characters. */
  secret?: boolean;
  /** The problem with a present value, worded to follow the field name; undefined when it is fine. */
  check(value: unknown): string | undefined;
}

export type FieldRules = Record<string, FieldRule>;

const MAX_LENGTH = 8192;
// Credential values end up in header lines: CR/LF/NUL would split or truncate them.
const CONTROL_CHARACTERS = /\p{Cc}/u;
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export const checks = {
  /** A string usable in a header value. */
  text:
    ({ allowEmpty = false } = {}) =>
    (value: unknown): string | undefined => {
      if (typeof value !== 'string') return 'must be a string';
      if (!allowEmpty && value.length === 0) return 'must not be empty';
      if (value.length > MAX_LENGTH) return `must be at most ${MAX_LENGTH} characters`;
      if (CONTROL_CHARACTERS.test(value)) return 'must not contain control characters';
      return undefined;
    },
  /** An HTTP token (RFC 9110 §5.6.2): a header name, an auth scheme, a query parameter name. */
  token: (value: unknown): string | undefined =>
    typeof value === 'string' && value.length <= 256 && TOKEN.test(value)
      ? undefined
      : "must be an HTTP token (letters, digits and !#$%&'*+.^_`|~-)",
  oneOf:
    (...allowed: string[]) =>
    (value: unknown): string | undefined =>
      typeof value === 'string' && allowed.includes(value)
        ? undefined
        : `must be one of: ${allowed.join(', ')}`,
  isoDateTime: (value: unknown): string | undefined =>
    typeof value === 'string' && isISO8601(value, { strict: true })
      ? undefined
      : 'must be an ISO 8601 date-time',
  httpUrl: (value: unknown): string | undefined => {
    try {
      const url = new URL(typeof value === 'string' ? value : '');
      if ((url.protocol === 'https:' || url.protocol === 'http:') && !url.username && !url.password)
        return undefined;
    } catch {
      // reported below
    }
    return 'must be an absolute http(s) URL without credentials';
  },
};

/** `****` + the last four characters; short secrets are hidden entirely (four of eleven is too much). */
export function maskSecret(value: unknown): string {
  const text = typeof value === 'string' ? value : '';
  return text.length < 12 ? '****' : `****${text.slice(-4)}`;
}

/**
 * A scheme described by its credential fields: validation (every problem, unknown fields refused)
 * and masking come from the rules, so a scheme only adds `apply`.
 */
export abstract class FieldAuthScheme<C extends Credentials = Credentials> implements AuthScheme {
  abstract readonly name: string;
  protected abstract readonly fields: FieldRules;

  abstract apply(credentials: C, target: CredentialTarget): void;

  validate(credentials: unknown): string[] {
    if (typeof credentials !== 'object' || credentials === null || Array.isArray(credentials)) {
      return ['credentials must be an object'];
    }
    const given = credentials as Credentials;
    const problems: string[] = [];
    for (const [field, rule] of Object.entries(this.fields)) {
      if (!Object.hasOwn(given, field)) {
        if (rule.required) problems.push(`credentials.${field} is required for ${this.name}`);
        continue;
      }
      const problem = rule.check(given[field]);
      if (problem) problems.push(`credentials.${field} ${problem}`);
    }
    for (const field of Object.keys(given)) {
      if (!Object.hasOwn(this.fields, field))
        problems.push(`credentials.${field} is not a field of ${this.name}`);
    }
    return problems;
  }

  mask(credentials: Credentials): Credentials {
    return Object.fromEntries(
      Object.entries(credentials).map(([field, value]) => {
        // A field without a rule (written by a newer version, say) is treated as secret: fail closed.
        const shown = Object.hasOwn(this.fields, field) && !this.fields[field].secret;
        return [field, shown ? value : maskSecret(value)];
      }),
    );
  }
}
