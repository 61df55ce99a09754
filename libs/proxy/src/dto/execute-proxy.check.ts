import { PARAMETER_LOCATIONS, PROXY_METHODS } from './execute-proxy.constants';

/**
 * The proxy body's validation, written out by hand for the hot route: the same rules and the same
 * messages as the class-validator decorators on ExecuteProxyRequestDto (which stay, for Swagger
 * and as the reference), at a fraction of the cost — no class instances, no metadata walk.
 * `execute-proxy.check.spec.ts` holds the two to each other on generated inputs.
 */
export function checkExecuteProxyRequest(input: unknown): string[] {
  const errors: string[] = [];
  // As the pipe does: an array is an object keyed by index, anything else an empty object.
  const value: Record<string, unknown> = isRecord(input) ? input : Array.isArray(input) ? { ...input } : {};
  for (const key of Object.keys(value)) {
    if (!REQUEST_FIELDS.has(key) && !isObjectMethod(key)) errors.push(`property ${key} should not exist`);
  }
  requiredString(errors, 'endpoint', value.endpoint, 8192, true);
  if (!(PROXY_METHODS as readonly unknown[]).includes(value.method)) {
    errors.push(`method must be one of the following values: ${PROXY_METHODS.join(', ')}`);
  }
  optionalString(errors, 'connected_account_id', value.connected_account_id, 64);
  if (value.binary_body !== undefined && value.binary_body !== null) {
    nestedObject(errors, 'binary_body', value.binary_body, checkBinaryBody);
  }
  if (value.multipart !== undefined && value.multipart !== null) {
    nestedArray(errors, 'multipart', value.multipart, checkMultipartPart, { min: 1, max: 100 });
  }
  if (value.parameters !== undefined && value.parameters !== null) {
    nestedArray(errors, 'parameters', value.parameters, checkParameter);
  }
  const timeout = value.timeout_ms;
  if (timeout !== undefined && timeout !== null) {
    if (!Number.isInteger(timeout)) errors.push('timeout_ms must be an integer number');
    if (typeof timeout !== 'number' || !(timeout >= 1)) errors.push('timeout_ms must not be less than 1');
  }
  return errors;
}

const REQUEST_FIELDS = new Set([
  'endpoint',
  'method',
  'connected_account_id',
  'body',
  'binary_body',
  'multipart',
  'parameters',
  'custom_connection_data',
  'timeout_ms',
]);
const BINARY_BODY_FIELDS = new Set(['base64', 'url', 'content_type']);
const PART_FIELDS = new Set(['name', 'value', 'base64', 'url', 'filename', 'content_type']);
const PARAMETER_FIELDS = new Set(['name', 'value', 'type', 'in']);
const LINE_BREAK = /[\r\n]/;

type Check = (errors: string[], path: string, value: Record<string, unknown>) => void;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function unknownFields(
  errors: string[],
  path: string,
  value: Record<string, unknown>,
  known: Set<string>,
): void {
  for (const key of Object.keys(value)) {
    if (!known.has(key) && !isObjectMethod(key)) {
      errors.push(`property ${path}${/^\d+$/.test(key) ? `[${key}]` : `.${key}`} should not exist`);
    }
  }
}

/**
 * Keys the decorator path drops without a word, so ignored here too: Nest's ValidationPipe strips
 * `__proto__`, `prototype` and `constructor`; class-transformer skips names of Object's methods.
 */
function isObjectMethod(key: string): boolean {
  return (
    key === 'prototype' ||
    key === '__proto__' ||
    typeof (Object.prototype as unknown as Record<string, unknown>)[key] === 'function'
  );
}

function requiredString(
  errors: string[],
  path: string,
  value: unknown,
  maxLength: number,
  notEmpty = false,
): void {
  if (typeof value !== 'string') {
    errors.push(`${path} must be a string`);
    if (notEmpty && (value === undefined || value === null || value === ''))
      errors.push(`${path} should not be empty`);
    if (maxLength !== Infinity)
      errors.push(`${path} must be shorter than or equal to ${maxLength} characters`);
    return;
  }
  if (notEmpty && value === '') errors.push(`${path} should not be empty`);
  if (value.length > maxLength)
    errors.push(`${path} must be shorter than or equal to ${maxLength} characters`);
}

function optionalString(errors: string[], path: string, value: unknown, maxLength = Infinity): void {
  if (value !== undefined && value !== null) requiredString(errors, path, value, maxLength);
}

function optionalContentType(errors: string[], path: string, value: unknown): void {
  if (value === undefined || value === null) return;
  requiredString(errors, path, value, 255);
  if (typeof value !== 'string' || LINE_BREAK.test(value))
    errors.push(`${path} must not contain line breaks`);
}

function stringOrFiniteNumber(errors: string[], path: string, value: unknown): void {
  if (!(typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value)))) {
    errors.push(`${path} must be a string or a number`);
  }
}

function nestedObject(errors: string[], path: string, value: unknown, check: Check): void {
  if (isRecord(value)) {
    check(errors, path, value);
    return;
  }
  errors.push(`${path} must be an object`);
  if (Array.isArray(value)) {
    value.forEach((item, index) => nestedItem(errors, path, index, item, check, ''));
  } else {
    errors.push(`${path}: nested property ${path} must be either object or array`);
  }
}

function nestedArray(
  errors: string[],
  path: string,
  value: unknown,
  check: Check,
  size: { min?: number; max?: number } = {},
): void {
  if (!Array.isArray(value)) {
    errors.push(`${path} must be an array`);
    if (size.min !== undefined) errors.push(`${path} must contain at least ${size.min} elements`);
    if (size.max !== undefined) errors.push(`${path} must contain no more than ${size.max} elements`);
    // class-transformer makes an object one item, and class-validator then checks that item.
    if (isRecord(value)) check(errors, path, value);
    else errors.push(`${path}: each value in nested property ${path} must be either object or array`);
    return;
  }
  if (size.min !== undefined && value.length < size.min) {
    errors.push(`${path} must contain at least ${size.min} elements`);
  }
  if (size.max !== undefined && value.length > size.max) {
    errors.push(`${path} must contain no more than ${size.max} elements`);
  }
  value.forEach((item, index) => nestedItem(errors, path, index, item, check, 'each value in '));
}

function nestedItem(
  errors: string[],
  path: string,
  index: number,
  item: unknown,
  check: Check,
  each: string,
): void {
  if (isRecord(item)) check(errors, `${path}[${index}]`, item);
  else errors.push(`${path}[${index}]: ${each}nested property ${path} must be either object or array`);
}

const checkBinaryBody: Check = (errors, path, value) => {
  unknownFields(errors, path, value, BINARY_BODY_FIELDS);
  optionalString(errors, `${path}.base64`, value.base64);
  optionalString(errors, `${path}.url`, value.url, 8192);
  optionalContentType(errors, `${path}.content_type`, value.content_type);
};

const checkMultipartPart: Check = (errors, path, value) => {
  unknownFields(errors, path, value, PART_FIELDS);
  requiredString(errors, `${path}.name`, value.name, 256, true);
  if (value.value !== undefined && value.value !== null)
    stringOrFiniteNumber(errors, `${path}.value`, value.value);
  optionalString(errors, `${path}.base64`, value.base64);
  optionalString(errors, `${path}.url`, value.url, 8192);
  optionalString(errors, `${path}.filename`, value.filename, 255);
  optionalContentType(errors, `${path}.content_type`, value.content_type);
};

const checkParameter: Check = (errors, path, value) => {
  unknownFields(errors, path, value, PARAMETER_FIELDS);
  requiredString(errors, `${path}.name`, value.name, 256, true);
  stringOrFiniteNumber(errors, `${path}.value`, value.value);
  const location = value.in;
  // `type` is required unless `in` is given (class-validator's ValidateIf on `type`).
  if ((location === undefined || value.type !== undefined) && !isLocation(value.type)) {
    errors.push(`${path}.type (or in) must be one of: header, query`);
  }
  if (location !== undefined && location !== null && !isLocation(location)) {
    errors.push(`${path}.in must be one of the following values: ${PARAMETER_LOCATIONS.join(', ')}`);
  }
};

function isLocation(value: unknown): boolean {
  return (PARAMETER_LOCATIONS as readonly unknown[]).includes(value);
}
