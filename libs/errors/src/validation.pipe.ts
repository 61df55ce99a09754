import { type ArgumentMetadata, ValidationPipe, type ValidationError } from '@nestjs/common';
import { validateSync, type ValidatorOptions } from 'class-validator';
import { AppException } from './app.exception';

/** Flattens nested class-validator errors into `path: problem` lines. */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((error) => {
    const path = parent
      ? /^\d+$/.test(error.property)
        ? `${parent}[${error.property}]`
        : `${parent}.${error.property}`
      : error.property;
    // class-validator names the bare property in its messages; name the full path instead.
    const own = Object.entries(error.constraints ?? {}).map(([constraint, message]) => {
      if (constraint === 'whitelistValidation') return `property ${path} should not exist`;
      if (message.startsWith(error.property)) return `${path}${message.slice(error.property.length)}`;
      const each = `each value in ${error.property} `;
      if (message.startsWith(each)) return `each value in ${path} ${message.slice(each.length)}`;
      return `${path}: ${message}`;
    });
    return [...own, ...flattenValidationErrors(error.children ?? [], path)];
  });
}

/**
 * A body DTO may carry its own check under this key: a function of the plain body returning the
 * problems (class-validator's messages, full paths), used instead of class-transformer and
 * class-validator. For hot routes only, and only with a test holding it to the decorators.
 */
export const BODY_CHECK = Symbol('bodyCheck');

export interface SelfCheckingBody {
  [BODY_CHECK]?: (value: unknown) => string[];
}

/**
 * Validates synchronously: no validator here is asynchronous, and class-validator's async path
 * creates a promise per constraint, which cost the proxy route a third of its throughput.
 */
class SyncValidationPipe extends ValidationPipe {
  override transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    // Values of custom parameter decorators (the principal) are the application's own: nothing
    // to validate, as in ValidationPipe, without its detour.
    if (metadata.type === 'custom') return Promise.resolve(value);
    const check =
      metadata.type === 'body'
        ? (metadata.metatype as SelfCheckingBody | undefined)?.[BODY_CHECK]
        : undefined;
    if (check === undefined) return super.transform(value, metadata);
    const errors = check(value);
    if (errors.length > 0) return Promise.reject(new AppException('Request_ValidationFailed', { errors }));
    // The plain body itself: the check has seen every field, and no class instance is needed.
    return Promise.resolve(value);
  }

  protected override validate(object: object, options?: ValidatorOptions): ValidationError[] {
    return validateSync(object, options);
  }
}

/** Whitelisting pipe: unknown fields are refused, every problem is reported at once. */
export function createValidationPipe(): ValidationPipe {
  return new SyncValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    stopAtFirstError: false,
    exceptionFactory: (errors) =>
      new AppException('Request_ValidationFailed', { errors: flattenValidationErrors(errors) }),
  });
}
