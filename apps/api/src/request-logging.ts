import { type FastifyReply, type FastifyRequest, LogController } from 'fastify';
import { pino, type Logger } from 'pino';

/**
 * The one pino logger of the process: Fastify's request logger and, through nestjs-pino, Nest's
 * logger. Created before the configuration is read; `createApp` sets its level from LOG_LEVEL.
 *
 * Lines are written to stdout synchronously, one write(2) each, as Node itself writes to files and
 * pipes on Linux: pino's default hands every line to the thread pool and wakes the event loop when
 * it is written, which cost about 8 % of the proxy's CPU per request (docs/performance.md). A line
 * is never lost in a crash; a stalled log reader slows the service rather than filling its memory.
 */
export const rootLogger: Logger = pino(
  {
    level: 'info',
    // Nothing logs headers, but should anything ever pass a request or error object, these stay out.
    redact: {
      paths: [
        'req.headers["x-api-key"]',
        'req.headers.authorization',
        'req.headers.cookie',
        'res.headers["set-cookie"]',
      ],
      censor: '[redacted]',
    },
  },
  pino.destination({ dest: 1, sync: true }),
);

/**
 * One JSON line per request when it completes: method, route, path (never the query string),
 * status, duration, request id and project. Fastify's own "incoming request" line is dropped.
 * Written from Fastify's request lifecycle rather than a Nest middleware, so it costs no
 * middleware layer and no async-context tracking per request.
 */
export class RequestLogController extends LogController {
  constructor() {
    super({ requestIdLogLabel: 'request_id' });
  }

  override incomingRequest(): void {
    // one line per request: the completion line says everything
  }

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    const route = request.routeOptions.url;
    const status = reply.statusCode;
    const line = {
      method: request.method,
      route,
      path: request.url.split('?', 1)[0],
      status,
      duration_ms: Math.round(reply.elapsedTime * 10) / 10,
      ...(request.principal && { project_id: request.principal.projectId }),
    };
    const message = `${request.method} ${route ?? line.path} ${status}`;
    if (error || status >= 500) reply.log.error(line, message);
    else reply.log.info(line, message);
  }
}
