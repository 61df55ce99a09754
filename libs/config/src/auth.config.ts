import { Transform } from 'class-transformer';
import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { defineNamespace, readEnv, toInteger } from './env';

class AuthEnv {
  /** Value of the first project's key on an empty database; generated and printed once when unset. */
  @IsOptional()
  @Matches(/^[\x21-\x7e]{24,256}$/, { message: 'must be 24 to 256 printable characters without spaces' })
  BOOTSTRAP_API_KEY?: string;

  /** Backstop lifetime of a cached API-key lookup; revocations invalidate it at once anyway. */
  @Transform(toInteger)
  @IsInt()
  @Min(0)
  @Max(60)
  API_KEY_CACHE_TTL_SECONDS = 60;
}

export const { config: authConfig, validate: validateAuthEnv } = defineNamespace(
  'auth',
  (env) => readEnv(AuthEnv, env),
  (env) => ({
    bootstrapApiKey: env.BOOTSTRAP_API_KEY,
    cacheTtlMs: env.API_KEY_CACHE_TTL_SECONDS * 1000,
  }),
);
export type AuthConfig = ReturnType<typeof authConfig>;
