import { Transform } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { resolve } from 'node:path';
import { defineNamespace, readEnv, toBoolean, toInteger } from './env';

class DatabaseEnv {
  /** An external PostgreSQL; unset, the service starts an embedded one in DATA_DIR/postgres. */
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'must be a postgres:// or postgresql:// URL' })
  DATABASE_URL?: string;

  @Transform(toBoolean)
  @IsBoolean()
  DB_MIGRATE_ON_START = true;

  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(200)
  DB_POOL_SIZE = 10;

  /** Where the embedded database and generated secrets live. */
  @IsString()
  DATA_DIR = '.data';

  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(65535)
  EMBEDDED_PG_PORT = 54329;
}

export const { config: databaseConfig, validate: validateDatabaseEnv } = defineNamespace(
  'database',
  (env) => readEnv(DatabaseEnv, env),
  (env) => ({
    url: env.DATABASE_URL,
    migrateOnStart: env.DB_MIGRATE_ON_START,
    poolSize: env.DB_POOL_SIZE,
    dataDir: resolve(env.DATA_DIR),
    embeddedPort: env.EMBEDDED_PG_PORT,
  }),
);
export type DatabaseConfig = ReturnType<typeof databaseConfig>;
