import { type FastifyReply, type FastifyRequest, LogController } from 'fastify';
import { type DestinationStream, pino, type Logger } from 'pino';

/**
 * Lines written once per event-loop turn: those logged during one turn (every request that
 * completed in it) go out together in one write(2) at the end of the turn, through pino's
 * synchronous destination (which deals with partial writes and a full pipe). Nothing waits on a
 * timer, and lines still pending when the process exits are written then.
 */
export function linesPerTurn(fd: number): DestinationStream {
  // Below pino's largest single write (16 KiB): a turn with more lines writes as it fills.
  const destination = pino.destination({ dest: fd, sync: true, minLength: 8 * 1024 });
  let pending = false;
  const flush = (): void => {
    if (!pending) return;
    pending = false;
    destination.flush();
  };
  process.once('exit', flush);
  return {
    write(line: string): void {
      destination.write(line);
      if (!pending) {
        pending = true;
        setImmediate(flush);
      }
    },
  };
}

/**
 * The one pino logger of the process: Fastify's request logger and, through nestjs-pino, Nest's
 * logger. Created before the configuration is read; `createApp` sets its level from LOG_LEVEL.
 *
 * Lines are written to stdout synchronously, on the event loop, as Node itself writes to files and
 * pipes on Linux: pino's default hands every line to the thread pool and wakes the event loop when
 * it is written, which cost about 8 % of the proxy's CPU per request, and one write(2) per line
 * another few per cent (docs/performance.md). A stalled log reader slows the service rather than
 * filling its memory.
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
  linesPerTurn(1),
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
