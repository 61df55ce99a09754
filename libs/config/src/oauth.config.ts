import { Transform } from 'class-transformer';
import {
  IsInt,
  Max,
  Min,
  Validate,
  type ValidationArguments,
  ValidatorConstraint,
  type ValidatorConstraintInterface,
} from 'class-validator';
import { defineNamespace, readEnv, toInteger } from './env';

/** A token call that outlives its lease would let a second replica refresh with the same refresh token. */
@ValidatorConstraint({ name: 'shorterThanLease' })
class ShorterThanLease implements ValidatorConstraintInterface {
  validate(value: unknown, args: ValidationArguments): boolean {
    const lease = (args.object as OAuthEnv).OAUTH_REFRESH_LEASE_SECONDS;
    return typeof value !== 'number' || typeof lease !== 'number' || value < lease * 1000;
  }

  defaultMessage(): string {
    return 'must be shorter than OAUTH_REFRESH_LEASE_SECONDS (in milliseconds)';
  }
}

class OAuthEnv {
  /** Refresh before use when the access token expires within this many seconds. */
  @Transform(toInteger)
  @IsInt()
  @Min(0)
  @Max(86_400)
  OAUTH_REFRESH_MARGIN_SECONDS = 300;

  /** How long one replica holds an account's refresh lease before another may take it over. */
  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(600)
  OAUTH_REFRESH_LEASE_SECONDS = 30;

  /** Deadline of one token-endpoint call; shorter than the lease. */
  @Transform(toInteger)
  @IsInt()
  @Min(100)
  @Max(600_000)
  @Validate(ShorterThanLease)
  OAUTH_TOKEN_TIMEOUT_MS = 10_000;

  /** After a failed token call (5xx, timeout), no further call for the account for this long. */
  @Transform(toInteger)
  @IsInt()
  @Min(0)
  @Max(3_600)
  OAUTH_REFRESH_COOLDOWN_SECONDS = 30;
}

export const { config: oauthConfig, validate: validateOAuthEnv } = defineNamespace(
  'oauth',
  (env) => readEnv(OAuthEnv, env),
  (env) => ({
    refreshMarginMs: env.OAUTH_REFRESH_MARGIN_SECONDS * 1000,
    leaseMs: env.OAUTH_REFRESH_LEASE_SECONDS * 1000,
    tokenTimeoutMs: env.OAUTH_TOKEN_TIMEOUT_MS,
    cooldownMs: env.OAUTH_REFRESH_COOLDOWN_SECONDS * 1000,
  }),
);
export type OAuthConfig = ReturnType<typeof oauthConfig>;
