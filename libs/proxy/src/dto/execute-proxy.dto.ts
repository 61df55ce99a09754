import { ApiExtraModels, ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { BODY_CHECK } from '@app/errors';
import {
  Allow,
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  Min,
  ValidateBy,
  ValidateIf,
  ValidateNested,
} from 'class-validator';

import {
  type ParameterLocation,
  PARAMETER_LOCATIONS,
  PROXY_METHODS,
  type ProxyMethod,
} from './execute-proxy.constants';
import { checkExecuteProxyRequest } from './execute-proxy.check';

export * from './execute-proxy.constants';

const IsStringOrFiniteNumber = () =>
  ValidateBy({
    name: 'isStringOrFiniteNumber',
    validator: {
      validate: (value: unknown) =>
        typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value)),
      defaultMessage: () => '$property must be a string or a number',
    },
  });

export class ProxyParameterDto {
  /** @example "X-Trace" */
  @IsString()
  @IsNotEmpty()
  @MaxLength(256)
  name: string;

  @ApiProperty({
    oneOf: [{ type: 'string' }, { type: 'number' }],
    example: 'abc',
    description: 'Numbers are sent as their decimal text.',
  })
  @IsStringOrFiniteNumber()
  value: string | number;

  @ApiPropertyOptional({
    enum: PARAMETER_LOCATIONS,
    description: 'Where the parameter goes. Required unless `in` is given.',
  })
  @ValidateIf((o: ProxyParameterDto) => o.in === undefined || o.type !== undefined)
  @IsIn(PARAMETER_LOCATIONS, { message: 'type (or in) must be one of: header, query' })
  type?: ParameterLocation;

  @ApiPropertyOptional({
    enum: PARAMETER_LOCATIONS,
    description: 'Synonym of `type` (Composio SDK spelling).',
  })
  @IsOptional()
  @IsIn(PARAMETER_LOCATIONS)
  in?: ParameterLocation;
}

export class BinaryBodyDto {
  /** Raw bytes, standard base64. @example "JVBERi0xLjQK" */
  @IsOptional()
  @IsString()
  base64?: string;

  /**
   * A URL the service fetches the bytes from (GET, no redirects, same destination rules as the
   * proxy, up to the upload limit). @example "https://example.com/report.pdf"
   */
  @IsOptional()
  @IsString()
  @MaxLength(8192)
  url?: string;

  /**
   * Defaults to the URL's content type, then application/octet-stream (in multipart, plain fields
   * have none unless given). @example "application/pdf"
   */
  @IsOptional()
  @IsString()
  @MaxLength(255)
  @Matches(/^[^\r\n]*$/, { message: '$property must not contain line breaks' })
  content_type?: string;
}

/**
 * A multipart part: a plain field (`value`) or a file whose bytes come, as `binary_body`'s do, from
 * `base64` or `url` (inherited with `content_type`). Exactly one of `value`, `base64` and `url`.
 */
export class MultipartPartDto extends BinaryBodyDto {
  /** The form field's name. @example "file" */
  @IsString()
  @IsNotEmpty()
  @MaxLength(256)
  name: string;

  @ApiPropertyOptional({
    oneOf: [{ type: 'string' }, { type: 'number' }],
    example: 'C0123456789',
    description: 'A plain field. Exactly one of `value`, `base64` and `url`.',
  })
  @IsOptional()
  @IsStringOrFiniteNumber()
  value?: string | number;

  /** A file part's file name; defaults to `name`. @example "chart.png" */
  @IsOptional()
  @IsString()
  @MaxLength(255)
  filename?: string;
}

export class ExecuteProxyRequestDto {
  /** The hand-written equivalent of the decorators below, used by the validation pipe (hot route). */
  static readonly [BODY_CHECK] = checkExecuteProxyRequest;

  /** Absolute URL, or a path relative to the connected account's base URL. @example "/user/repos?per_page=5" */
  @IsString()
  @IsNotEmpty()
  @MaxLength(8192)
  endpoint: string;

  @ApiProperty({ enum: PROXY_METHODS, example: 'GET' })
  @IsIn(PROXY_METHODS)
  method: ProxyMethod;

  /** The account whose credentials are used; omitted, the project's default account. @example "ca_3yV0rJ9qg1o2Kp7Wn4Xb8C" */
  @IsOptional()
  @IsString()
  @MaxLength(64)
  connected_account_id?: string;

  @ApiPropertyOptional({
    description:
      'Request body (any JSON). Sent as JSON unless a `content-type` header parameter says otherwise.',
    nullable: true,
    oneOf: [
      { type: 'object' },
      { type: 'array', items: {} },
      { type: 'string' },
      { type: 'number' },
      { type: 'boolean' },
    ],
    example: { title: 'Found a bug', labels: ['bug'] },
  })
  @Allow()
  body?: unknown;

  @ApiPropertyOptional({
    type: BinaryBodyDto,
    description: 'Raw request body, from base64 or a URL; not together with `body`.',
  })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => BinaryBodyDto)
  binary_body?: BinaryBodyDto;

  @ApiPropertyOptional({
    type: [MultipartPartDto],
    description:
      'Extension: a multipart/form-data body (Slack files.upload, X media upload) made of plain fields and ' +
      'files from base64 or a URL; not together with `body` or `binary_body`. A `content-type` header ' +
      'parameter of another multipart subtype (multipart/related) keeps that subtype.',
  })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => MultipartPartDto)
  multipart?: MultipartPartDto[];

  @ApiPropertyOptional({
    type: [ProxyParameterDto],
    description: 'Headers and query parameters, applied after the credentials.',
  })
  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => ProxyParameterDto)
  parameters?: ProxyParameterDto[];

  @ApiPropertyOptional({
    deprecated: true,
    description: 'Not supported: store credentials as a connected account.',
  })
  @Allow()
  custom_connection_data?: unknown;

  /** Extension: a deadline shorter than the server's PROXY_TIMEOUT_MS for this call, in ms. @example 5000 */
  @IsOptional()
  @IsInt()
  @Min(1)
  timeout_ms?: number;
}

export class BinaryDataDto {
  url: string;
  content_type: string;
  size: number;
  expires_at: string;
}

@ApiExtraModels(BinaryDataDto)
export class ProxyResponseDto {
  /** The upstream's status code. @example 200 */
  status: number;

  @ApiProperty({
    description:
      'Parsed JSON, or text for text/XML/form/invalid JSON; null when empty, for HEAD, or with binary_data.',
    nullable: true,
    example: { id: 1, login: 'octocat' },
  })
  data: unknown;

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    example: { 'content-type': 'application/json; charset=utf-8' },
    description: 'Upstream headers, lower-case, hop-by-hop removed, repeats joined with ", ".',
  })
  headers: Record<string, string>;

  @ApiPropertyOptional({ allOf: [{ $ref: getSchemaPath(BinaryDataDto) }] })
  binary_data?: BinaryDataDto;
}
