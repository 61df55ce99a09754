import { ValidateBy, ValidateIf, type ValidationOptions } from 'class-validator';

export const TOOLKIT_SLUG = /^[a-z0-9]+(?:[-_][a-z0-9]+)*$/;

const LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
const EXACT_HOST = new RegExp(`^${LABEL}(?:\\.${LABEL})*$`, 'i');
// A wildcard needs two labels after `*.`: `*.com` would hand the credentials to a whole TLD.
const WILDCARD_HOST = new RegExp(`^\\*\\.${LABEL}(?:\\.${LABEL})+$`, 'i');

/** Present but null is refused (unlike @IsOptional), for optional fields the database cannot hold as null. */
export const OptionalNotNull = (): PropertyDecorator => ValidateIf((_object, value) => value !== undefined);

/**
 * An absolute http(s) URL with no user info, query or fragment. Checked on the raw string too: the
 * URL parser silently drops an empty `?`/`#` and trims surrounding whitespace.
 */
export function isBaseUrl(value: unknown): boolean {
  if (typeof value !== 'string' || value.length > 2048 || /[\s\p{Cc}\\?#]/u.test(value)) return false;
  if (!/^https?:\/\/[^/@]+(\/|$)/i.test(value)) return false;
  try {
    const url = new URL(value);
    return url.hostname !== '' && !url.username && !url.password;
  } catch {
    return false;
  }
}

export function isAllowedHost(value: unknown): boolean {
  return (
    typeof value === 'string' && value.length <= 253 && (EXACT_HOST.test(value) || WILDCARD_HOST.test(value))
  );
}

export const IsBaseUrl = (options?: ValidationOptions): PropertyDecorator =>
  ValidateBy(
    {
      name: 'isBaseUrl',
      validator: {
        validate: isBaseUrl,
        defaultMessage: () =>
          '$property must be an absolute http(s) URL without user info, query or fragment',
      },
    },
    options,
  );

export const IsAllowedHost = (options?: ValidationOptions): PropertyDecorator =>
  ValidateBy(
    {
      name: 'isAllowedHost',
      validator: {
        validate: isAllowedHost,
        defaultMessage: () => 'each value in $property must be a host name or a *.domain wildcard',
      },
    },
    options,
  );

/** `a,b` (or a repeated parameter) → ['a', 'b']; blanks dropped. */
export const commaSeparated = ({ value }: { value: unknown }): unknown =>
  value === undefined
    ? undefined
    : (Array.isArray(value) ? value : [value])
        .flatMap((item) => String(item).split(','))
        .map((item) => item.trim())
        .filter((item) => item !== '');
