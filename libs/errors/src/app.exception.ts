import { type ErrorDefinition, type ErrorSlug, errorDefinition } from './error-catalogue';

export interface AppExceptionOptions {
  /** Replaces the catalogue's message; never put a secret here, it goes on the wire. */
  message?: string;
  /** Field-level problems, sent as `errors`. */
  errors?: string[];
  /** Extra response headers (e.g. `x-should-retry`). */
  headers?: Record<string, string>;
  /** The underlying error, logged (server-side only) for 5xx. */
  cause?: unknown;
}

/** The only exception services throw; the global filter turns it into the wire envelope. */
export class AppException extends Error {
  readonly definition: ErrorDefinition;

  constructor(
    readonly slug: ErrorSlug,
    readonly options: AppExceptionOptions = {},
  ) {
    const definition = errorDefinition(slug);
    super(options.message ?? definition.message, { cause: options.cause });
    this.name = 'AppException';
    this.definition = definition;
  }

  get status(): number {
    return this.definition.status;
  }
}
