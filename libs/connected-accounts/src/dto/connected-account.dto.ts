import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { AUTH_SCHEME_NAMES, type AuthSchemeName } from '../auth-schemes/registry';
import {
  CONNECTED_ACCOUNT_STATUSES,
  type ConnectedAccountStatus,
} from '../entities/connected-account.entity';
import { commaSeparated, IsAllowedHost, IsBaseUrl, OptionalNotNull, TOOLKIT_SLUG } from './field-validators';

const SLUG_MESSAGE = 'must be a lower-case slug (a-z, 0-9, single - or _ between them)';
const CREDENTIALS_EXAMPLE = { token: 'ghp_0123456789abcdefwxyz' };

export class CreateConnectedAccountDto {
  /** The upstream service, as a lower-case slug. @example "github" */
  @Matches(TOOLKIT_SLUG, { message: `toolkit_slug ${SLUG_MESSAGE}` })
  @MaxLength(64)
  toolkit_slug: string;

  /** Your identifier of the end user the account belongs to; `default` when omitted. @example "user_123" */
  @OptionalNotNull()
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  user_id?: string;

  /** A name to tell accounts of one toolkit apart. @example "work" */
  @IsOptional()
  @IsString()
  @MaxLength(100)
  alias?: string | null;

  /** Where relative proxy endpoints go: an absolute http(s) URL, optionally with a path prefix. @example "https://api.github.com" */
  @IsBaseUrl()
  base_url: string;

  @ApiProperty({ enum: AUTH_SCHEME_NAMES, example: 'BEARER_TOKEN' })
  @IsIn(AUTH_SCHEME_NAMES)
  auth_scheme: AuthSchemeName;

  /**
   * The secrets, shaped by `auth_scheme`: API_KEY `{api_key, in?, name?, prefix?}`, BEARER_TOKEN
   * `{token}`, BASIC `{username, password?}`, OAUTH2 `{access_token, token_type?, expires_at? |
   * expires_in?, refresh_token?, token_url?, client_id?, client_secret?, scope?, token_endpoint_auth?}`,
   * OAUTH2_CLIENT_CREDENTIALS `{token_url, client_id, client_secret, scope?, token_endpoint_auth?}`,
   * NO_AUTH `{}` (the default). `expires_in` (seconds) is stored as `expires_at`;
   * `token_endpoint_auth` is `client_secret_post` (default) or `client_secret_basic`.
   * Stored encrypted; never returned in clear.
   */
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, example: CREDENTIALS_EXAMPLE })
  @OptionalNotNull()
  @IsObject()
  credentials?: Record<string, unknown>;

  /** Further hosts the proxy may send this account's credentials to: exact names or `*.example.com`. @example ["uploads.github.com"] */
  @OptionalNotNull()
  @IsArray()
  @ArrayMaxSize(50)
  @IsAllowedHost({ each: true })
  allowed_hosts?: string[];

  /** Makes this the project's default account (the previous default stops being one). */
  @OptionalNotNull()
  @IsBoolean()
  is_default?: boolean;
}

export class UpdateConnectedAccountDto {
  /** `null` removes the alias. @example "personal" */
  @IsOptional()
  @IsString()
  @MaxLength(100)
  alias?: string | null;

  /** @example "https://api.github.com" */
  @OptionalNotNull()
  @IsBaseUrl()
  base_url?: string;

  /** Replaces the stored credentials entirely; they must fit the account's auth scheme. */
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, example: CREDENTIALS_EXAMPLE })
  @OptionalNotNull()
  @IsObject()
  credentials?: Record<string, unknown>;

  /** Replaces the list. @example ["uploads.github.com"] */
  @OptionalNotNull()
  @IsArray()
  @ArrayMaxSize(50)
  @IsAllowedHost({ each: true })
  allowed_hosts?: string[];

  /** `true` makes this the project's default account, un-defaulting the previous one. */
  @OptionalNotNull()
  @IsBoolean()
  is_default?: boolean;

  /**
   * The `version` you read. When given, the change applies only if nobody changed the account since
   * (otherwise 409 `ConnectedAccount_VersionConflict`); when omitted, the last write wins.
   * @example 3
   */
  @OptionalNotNull()
  @IsInt()
  @Min(1)
  version?: number;
}

export class UpdateConnectedAccountStatusDto {
  /** `false` disables the account (status INACTIVE), `true` makes it ACTIVE again. */
  @IsBoolean()
  enabled: boolean;
}

export class ListConnectedAccountsQueryDto {
  /** Comma-separated toolkit slugs. */
  @ApiPropertyOptional({ type: String, example: 'github,slack' })
  @Transform(commaSeparated)
  @IsOptional()
  @ArrayMaxSize(50)
  @Matches(TOOLKIT_SLUG, { each: true, message: `each value in toolkit_slugs ${SLUG_MESSAGE}` })
  toolkit_slugs?: string[];

  /** Comma-separated user ids. */
  @ApiPropertyOptional({ type: String, example: 'user_123,user_456' })
  @Transform(commaSeparated)
  @IsOptional()
  @ArrayMaxSize(50)
  @MaxLength(255, { each: true })
  user_ids?: string[];

  /** Comma-separated statuses. */
  @ApiPropertyOptional({ type: String, example: 'ACTIVE,EXPIRED' })
  @Transform(commaSeparated)
  @IsOptional()
  @ArrayMaxSize(4)
  @IsIn(CONNECTED_ACCOUNT_STATUSES, { each: true })
  statuses?: ConnectedAccountStatus[];

  /** Page size. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number = 20;

  /** `next_cursor` of the previous page. */
  @IsOptional()
  @IsString()
  @MaxLength(512)
  cursor?: string;
}

export class ToolkitRefDto {
  /** @example "github" */
  slug: string;
}

export class ConnectedAccountDto {
  /** @example "ca_4Xq0bWc8hVh1f2XkJ9mZpA" */
  id: string;

  toolkit: ToolkitRefDto;

  /** @example "user_123" */
  user_id: string;

  @ApiProperty({ type: String, nullable: true, example: 'work' })
  alias: string | null;

  /** @example "https://api.github.com" */
  base_url: string;

  @ApiProperty({ enum: AUTH_SCHEME_NAMES, example: 'BEARER_TOKEN' })
  auth_scheme: string;

  /**
   * Masked: each secret as `****` plus its last four characters (`****` alone under 12 characters);
   * non-secret fields (`in`, `name`, `prefix`, `username`, `token_type`, `expires_at`, `token_url`,
   * `client_id`, `scope`, `token_endpoint_auth`) as stored.
   */
  @ApiProperty({ type: 'object', additionalProperties: true, example: { token: '****wxyz' } })
  credentials: Record<string, unknown>;

  /** @example ["uploads.github.com"] */
  allowed_hosts: string[];

  @ApiProperty({ enum: CONNECTED_ACCOUNT_STATUSES, example: 'ACTIVE' })
  status: ConnectedAccountStatus;

  @ApiProperty({ type: String, nullable: true })
  status_reason: string | null;

  is_default: boolean;

  /** True when the account was disabled (status INACTIVE). */
  is_disabled: boolean;

  /** Changes with every update; send it back in PATCH to refuse overwriting someone else's change. @example 1 */
  version: number;

  /** @example "2026-01-01T00:00:00.000Z" */
  created_at: string;

  /** @example "2026-01-01T00:00:00.000Z" */
  updated_at: string;
}

export class ConnectedAccountListDto {
  @ApiProperty({ type: [ConnectedAccountDto] })
  items: ConnectedAccountDto[];

  /** Pass as `cursor` for the next page; null on the last page. */
  @ApiProperty({ type: String, nullable: true })
  next_cursor: string | null;
}

export class ConnectedAccountDeletedDto {
  /** @example true */
  success: boolean;
}
