import { Module } from '@nestjs/common';
import { appConfig, type AppConfig } from '@app/config';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoggerModule } from 'nestjs-pino';

type LoggedRequest = IncomingMessage & { route?: string; projectId?: string };

/** One JSON line per request: method, route, status, duration, request id and project; never a secret. */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      imports: [],
      providers: [],
      inject: [appConfig.KEY],
      useFactory: (config: AppConfig) => ({
        pinoHttp: {
          level: config.logLevel,
          // Fastify's request id (from x-request-id or generated), which middie copies onto the raw request.
          genReqId: (req: IncomingMessage) => req.id,
          quietReqLogger: true,
          customAttributeKeys: { reqId: 'request_id', responseTime: 'duration_ms' },
          serializers: {
            // Only what a request line needs: no headers, no query string (either could carry a secret).
            req: (req: LoggedRequest) => ({ method: req.method, path: req.url?.split('?')[0] }),
            res: (res: ServerResponse) => ({ status: res.statusCode }),
          },
          customProps: (req: LoggedRequest) => ({
            ...(req.route !== undefined && { route: req.route }),
            ...(req.projectId !== undefined && { project_id: req.projectId }),
          }),
          customLogLevel: (_req: IncomingMessage, res: ServerResponse, error?: Error) =>
            error || res.statusCode >= 500 ? 'error' : 'info',
          customSuccessMessage: (req: IncomingMessage, res: ServerResponse) =>
            `${req.method} ${(req as LoggedRequest).route ?? req.url?.split('?')[0]} ${res.statusCode}`,
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
      }),
    }),
  ],
})
export class LoggingModule {}
