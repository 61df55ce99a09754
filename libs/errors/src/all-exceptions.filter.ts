import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppException } from './app.exception';
import type { ErrorSlug } from './error-catalogue';
import { uniqueViolationSlug } from './unique-violations';

interface FastifyLikeError {
  code?: string;
  statusCode?: number;
}

const FASTIFY_ERROR_SLUGS: Record<string, ErrorSlug> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'Request_PayloadTooLarge',
  FST_ERR_CTP_INVALID_JSON_BODY: 'Request_MalformedJson',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'Request_MalformedJson',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'Request_UnsupportedMediaType',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'Request_MalformedJson',
};

const HTTP_STATUS_SLUGS: Partial<Record<number, ErrorSlug>> = {
  [HttpStatus.BAD_REQUEST]: 'Request_ValidationFailed',
  [HttpStatus.NOT_FOUND]: 'HTTP_RouteNotFound',
  [HttpStatus.PAYLOAD_TOO_LARGE]: 'Request_PayloadTooLarge',
  [HttpStatus.UNSUPPORTED_MEDIA_TYPE]: 'Request_UnsupportedMediaType',
};

/** Maps anything thrown while serving a request to a catalogue entry. */
export function toAppException(error: unknown): AppException {
  if (error instanceof AppException) return error;
  // Nest wraps Fastify's body-parsing errors in an HttpException whose cause is the original.
  const fastifyCode =
    (error as FastifyLikeError | null)?.code ??
    ((error as Error | null)?.cause as FastifyLikeError | undefined)?.code;
  if (typeof fastifyCode === 'string' && fastifyCode in FASTIFY_ERROR_SLUGS) {
    return new AppException(FASTIFY_ERROR_SLUGS[fastifyCode]);
  }
  if (error instanceof SyntaxError && (error as FastifyLikeError).statusCode === 400) {
    return new AppException('Request_MalformedJson');
  }
  if (error instanceof HttpException) {
    const slug = HTTP_STATUS_SLUGS[error.getStatus()];
    if (slug) return new AppException(slug);
  }
  const uniqueSlug = uniqueViolationSlug(error);
  if (uniqueSlug) return new AppException(uniqueSlug);
  return new AppException('Internal_ServerError', { cause: error });
}

/** Only what is safe to log of an error: never the object itself (client errors carry request headers). */
export function describeCause(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { value: typeof error };
  const code = (error as { code?: unknown }).code;
  return {
    name: error.name,
    message: error.message,
    ...(code !== undefined && { code }),
    stack: error.stack,
  };
}

/** Writes the error envelope of `wire-contract.md` §2; the only place that turns errors into HTTP. */
export function sendErrorEnvelope(reply: FastifyReply, requestId: string, exception: AppException): void {
  const { definition } = exception;
  const headers: Record<string, string> = { ...exception.options.headers };
  // Composio's low-level client re-POSTs 5xx answers unless told not to; a proxied call may not be idempotent.
  if (definition.status >= 500) headers['x-should-retry'] = 'false';
  void reply
    .status(definition.status)
    .headers(headers)
    .send({
      error: {
        message: exception.message,
        code: definition.code,
        slug: exception.slug,
        status: definition.status,
        request_id: requestId,
        ...(definition.suggestedFix !== undefined && { suggested_fix: definition.suggestedFix }),
        ...(exception.options.errors !== undefined && { errors: exception.options.errors }),
      },
    });
}

@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const exception = toAppException(error);
    if (reply.raw.destroyed) {
      // The caller hung up, which ended the call: nobody is left to answer, and nothing failed.
      this.logger.log({
        msg: `caller left before the answer to ${request.method} ${request.routeOptions?.url ?? request.url}`,
        request_id: request.id,
        slug: exception.slug,
      });
      return;
    }
    if (exception.status >= 500) {
      const cause =
        exception.options.cause ?? (exception.slug === 'Internal_ServerError' ? error : undefined);
      this.logger.error({
        msg: `${exception.slug} on ${request.method} ${request.routeOptions?.url ?? request.url}`,
        request_id: request.id,
        slug: exception.slug,
        ...(cause !== undefined && { cause: describeCause(cause) }),
      });
    }
    sendErrorEnvelope(reply, request.id, exception);
  }
}
