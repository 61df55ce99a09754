import { Logger } from '@nestjs/common';
import { setFlagsFromString } from 'node:v8';
import { appConfig, type AppConfig, startupFailureMessage } from '@app/config';
import { DatabaseRuntime } from '@app/database';
import { createApp } from './create-app';
import { OPENAPI_JSON_PATH, setupSwagger, SWAGGER_UI_PATH } from './swagger';

async function main(): Promise<void> {
  const app = await createApp();
  const config = app.get<AppConfig>(appConfig.KEY);
  // Read by V8 at each full collection, so it applies from here on (not allowed in NODE_OPTIONS).
  if (config.heapGrowingPercent > 0)
    setFlagsFromString(`--heap-growing-percent=${config.heapGrowingPercent}`);
  setupSwagger(app);
  // Exit 0 after an orderly shutdown instead of re-raising the signal.
  app.enableShutdownHooks(undefined, { useProcessExit: true });
  await app.listen({ port: config.port, host: config.host });

  const shown = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const base = `http://${shown.includes(':') ? `[${shown}]` : shown}:${config.port}`;
  const database = app.get(DatabaseRuntime);
  new Logger('Main').log(
    `Proxy Execute listening: API ${base}/api/v3 · Swagger UI ${base}/${SWAGGER_UI_PATH} · ` +
      `OpenAPI ${base}/${OPENAPI_JSON_PATH} · database ${database.isEmbedded ? 'embedded ' : ''}${database.displayUrl}`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`Proxy Execute did not start.\n${startupFailureMessage(error)}\n`);
  process.exit(1);
});
