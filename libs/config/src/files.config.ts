import { Transform } from 'class-transformer';
import { IsDefined, IsInt, Max, Min, ValidateIf, ValidateBy } from 'class-validator';
import { defineNamespace, readEnv, toInteger } from './env';

class FilesEnv {
  /**
   * Key of the HMAC that signs `binary_data.url` links. With an external database every replica must
   * verify the others' links, so it is required then; an embedded install generates one in DATA_DIR.
   */
  @ValidateIf((env: FilesEnv) => env.FILES_SIGNING_SECRET !== undefined || env.DATABASE_URL !== undefined)
  @IsDefined({
    message:
      'is required when DATABASE_URL is set: set FILES_SIGNING_SECRET to 32+ random characters, ' +
      'e.g. $(openssl rand -base64 32)',
  })
  // One message per problem: unset is reported by IsDefined alone.
  @ValidateBy({
    name: 'signingSecret',
    validator: {
      validate: (value: unknown) => value === undefined || (typeof value === 'string' && value.length >= 32),
      defaultMessage: () => 'must be at least 32 characters (e.g. openssl rand -base64 32)',
    },
  })
  FILES_SIGNING_SECRET?: string;

  /** How long a `binary_data.url` link works. */
  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(7 * 24 * 3600)
  FILES_URL_TTL_SECONDS = 3600;

  /** How long stored upstream files are kept before the sweeper deletes them. */
  @Transform(toInteger)
  @IsInt()
  @Min(1)
  FILES_RETENTION_SECONDS = 86_400;

  /** How often each replica deletes files past their retention. */
  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(86_400)
  FILES_SWEEP_INTERVAL_SECONDS = 300;

  /** Read only to decide whether FILES_SIGNING_SECRET is required; validated by the database namespace. */
  DATABASE_URL?: string;
}

export const { config: filesConfig, validate: validateFilesEnv } = defineNamespace(
  'files',
  (env) => readEnv(FilesEnv, env),
  (env) => ({
    /** Undefined when unset: an embedded-database install then uses a secret generated in DATA_DIR. */
    signingSecret: env.FILES_SIGNING_SECRET,
    urlTtlSeconds: env.FILES_URL_TTL_SECONDS,
    retentionSeconds: env.FILES_RETENTION_SECONDS,
    sweepIntervalSeconds: env.FILES_SWEEP_INTERVAL_SECONDS,
  }),
);
export type FilesConfig = ReturnType<typeof filesConfig>;
