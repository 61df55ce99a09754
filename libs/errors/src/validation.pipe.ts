import { ValidationPipe, type ValidationError } from '@nestjs/common';
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

/** Whitelisting pipe: unknown fields are refused, every problem is reported at once. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    stopAtFirstError: false,
    exceptionFactory: (errors) =>
      new AppException('Request_ValidationFailed', { errors: flattenValidationErrors(errors) }),
  });
}
