import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { defineNamespace, readEnv, toInteger } from './env';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

class AppEnv {
  @Transform(toInteger)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  @IsString()
  HOST = '0.0.0.0';

  @IsIn(LOG_LEVELS)
  LOG_LEVEL: (typeof LOG_LEVELS)[number] = 'info';

  /** Largest accepted request body on ordinary routes. */
  @Transform(toInteger)
  @IsInt()
  @Min(1024)
  REQUEST_BODY_LIMIT_BYTES = 1_048_576;

  /** Time a client has to send its request headers, then its whole request. */
  @Transform(toInteger)
  @IsInt()
  @Min(1000)
  REQUEST_TIMEOUT_MS = 60_000;

  /** Time in-flight requests get to finish on SIGTERM before connections are closed. */
  @Transform(toInteger)
  @IsInt()
  @Min(0)
  SHUTDOWN_GRACE_MS = 10_000;

  @IsOptional()
  @IsString()
  PUBLIC_BASE_URL?: string;

  /**
   * How far the JavaScript heap may grow past what the last full garbage collection kept, in
   * percent (V8's --heap-growing-percent). V8's own choice goes up to 4× on a large machine: under
   * load that is memory held by garbage. 0 leaves V8 to choose.
   */
  @Transform(toInteger)
  @IsInt()
  @Min(0)
  @Max(300)
  HEAP_GROWING_PERCENT = 100;
}

export const { config: appConfig, validate: validateAppEnv } = defineNamespace(
  'app',
  (env) => readEnv(AppEnv, env),
  (env) => ({
    port: env.PORT,
    host: env.HOST,
    logLevel: env.LOG_LEVEL,
    bodyLimitBytes: env.REQUEST_BODY_LIMIT_BYTES,
    requestTimeoutMs: env.REQUEST_TIMEOUT_MS,
    shutdownGraceMs: env.SHUTDOWN_GRACE_MS,
    publicBaseUrl: env.PUBLIC_BASE_URL,
    heapGrowingPercent: env.HEAP_GROWING_PERCENT,
  }),
);
export type AppConfig = ReturnType<typeof appConfig>;
