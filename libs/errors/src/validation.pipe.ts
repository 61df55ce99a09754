import { ValidationPipe, type ValidationError } from '@nestjs/common';
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
    const own = Object.values(error.constraints ?? {}).map((message) =>
      message.includes(error.property) ? message.replace(error.property, path) : `${path}: ${message}`,
    );
    return [...own, ...flattenValidationErrors(error.children ?? [], path)];
  });
}

/**
 * Validates synchronously: no validator here is asynchronous, and class-validator's async path
 * creates a promise per constraint, which cost the proxy route a third of its throughput.
 */
class SyncValidationPipe extends ValidationPipe {
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
