import { type FastifyReply, type FastifyRequest, LogController } from 'fastify';
import { hostname } from 'node:os';
import { type DestinationStream, pino, type Logger } from 'pino';

/**
 * Lines written once per event-loop turn: those logged during one turn (every request that
 * completed in it) are kept as they come and go out together, joined, in one write(2) at the end of
 * the turn (or sooner, past 16 KiB), through pino's synchronous destination (which deals with
 * partial writes and a full pipe). Nothing waits on a timer, and lines still pending when the
 * process exits are written then. Kept in a list rather than in the destination's own buffer,
 * which re-measures its growing text in bytes at every line (1-2 % of the proxy's instructions).
 */
export function linesPerTurn(fd: number): DestinationStream {
  const destination = pino.destination({ dest: fd, sync: true });
  let pending: string[] = [];
  let pendingLength = 0;
  const flush = (): void => {
    if (pending.length === 0) return;
    const text = pending.length === 1 ? pending[0] : pending.join('');
    pending = [];
    pendingLength = 0;
    destination.write(text);
  };
  process.once('exit', flush);
  return {
    write(line: string): void {
      if (pending.length === 0) setImmediate(flush);
      pending.push(line);
      pendingLength += line.length;
      if (pendingLength >= 16 * 1024) flush();
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
const stdoutLines = linesPerTurn(1);

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
  stdoutLines,
);

/** A request target without its query string (which may carry secrets). */
function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/**
 * One JSON line per request when it completes: method, route, path (never the query string),
 * status, duration, request id and project. Fastify's own "incoming request" line is dropped.
 * Written from Fastify's request lifecycle rather than a Nest middleware, so it costs no
 * middleware layer and no async-context tracking per request.
 *
 * The line has pino's format (level, time, pid, hostname, then the fields and msg) and goes to the
 * logger's destination, at the logger's level, but is made by one JSON.stringify of a literal:
 * pino's generic path (its per-key serializer and redaction lookups, megamorphic once the process
 * has many logger shapes) cost 5-6 % of the proxy's instructions per request for this one line
 * (docs/performance.md). It holds no header and no query string, so there is nothing to redact.
 */
export class RequestLogController extends LogController {
  private readonly hostname = hostname();

  constructor(
    private readonly logger: Logger = rootLogger,
    private readonly lines: DestinationStream = stdoutLines,
  ) {
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
    const status = reply.statusCode;
    const level = error || status >= 500 ? 'error' : 'info';
    if (!this.logger.isLevelEnabled(level)) return;
    const route = request.routeOptions.url;
    const path = pathOf(request.url);
    const line = JSON.stringify({
      level: this.logger.levels.values[level],
      time: Date.now(),
      pid: process.pid,
      hostname: this.hostname,
      request_id: request.id,
      method: request.method,
      route,
      path,
      status,
      duration_ms: Math.round(reply.elapsedTime * 10) / 10,
      project_id: request.principal?.projectId,
      msg: `${request.method} ${route ?? path} ${status}`,
    });
    this.lines.write(`${line}\n`);
  }
}
