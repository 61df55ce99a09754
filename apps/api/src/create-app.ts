import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { appConfig, type AppConfig, proxyConfig, type ProxyConfig } from '@app/config';
import { REQUEST_ID_HEADER, requestIdFor } from '@app/errors';
import { PROXY_ROUTE_SUFFIX, proxyRequestBodyLimit } from '@app/proxy';
import { Logger } from 'nestjs-pino';
import type { Server } from 'node:http';
import { AppModule } from './app.module';
import { RequestLogController, rootLogger } from './request-logging';

/**
 * The application exactly as production runs it (adapter, hooks, limits, logger); `main.ts` and
 * the e2e tests both start from here.
 */
export async function createApp(): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    loggerInstance: rootLogger,
    logController: new RequestLogController(),
    genReqId: requestIdFor,
    requestIdHeader: false,
    // Never trust caller-supplied forwarding headers unless an operator puts us behind a proxy.
    trustProxy: false,
    return503OnClosing: true,
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(), adapter, {
    bufferLogs: true,
    abortOnError: false,
  });
  const config = app.get<AppConfig>(appConfig.KEY);
  rootLogger.level = config.logLevel;
  app.useLogger(app.get(Logger));
  app.flushLogs();
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header(REQUEST_ID_HEADER, request.id);
    done();
  });
  // The API speaks JSON: other bodies are refused with 415 rather than reaching validation as strings.
  fastify.removeContentTypeParser(['text/plain']);
  // Body limits per route: the proxy route carries base64 uploads, every other route stays small.
  const proxyBodyLimit = proxyRequestBodyLimit(app.get<ProxyConfig>(proxyConfig.KEY).maxUploadBytes);
  fastify.addHook('onRoute', (route) => {
    route.bodyLimit = route.url.endsWith(PROXY_ROUTE_SUFFIX) ? proxyBodyLimit : config.bodyLimitBytes;
  });

  const server: Server = app.getHttpServer();
  server.headersTimeout = Math.min(config.requestTimeoutMs, 30_000);
  server.requestTimeout = config.requestTimeoutMs;
  server.keepAliveTimeout = 72_000;
  // On shutdown Fastify stops accepting and waits for in-flight requests; past the grace period, cut them.
  fastify.addHook('preClose', (done) => {
    setTimeout(() => server.closeAllConnections(), config.shutdownGraceMs).unref();
    done();
  });
  return app;
}
