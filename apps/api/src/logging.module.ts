import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { rootLogger } from './request-logging';

/**
 * Nest's logger is nestjs-pino writing to the same pino instance as Fastify's request lines.
 * Request lines come from `RequestLogController`; nestjs-pino's per-request middleware (an extra
 * layer plus async-context tracking on every promise) is not mounted: `forRoutes: []`. Log calls
 * made while serving a request name its request id themselves.
 */
@Module({
  imports: [LoggerModule.forRoot({ pinoHttp: { logger: rootLogger }, useExisting: true, forRoutes: [] })],
})
export class LoggingModule {}
