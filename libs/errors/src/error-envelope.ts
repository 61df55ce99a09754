import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class ErrorBodyDto {
  @ApiProperty({ example: 'The API key is invalid or has been revoked.' })
  message: string;

  @ApiProperty({ example: 801 })
  code: number;

  @ApiProperty({ example: 'APIKey_InvalidAPIKey' })
  slug: string;

  @ApiProperty({ example: 401 })
  status: number;

  @ApiProperty({ example: '6f1c2b9e-4d1a-4a57-9d7e-2f5e8b0c1a33' })
  request_id: string;

  @ApiPropertyOptional({ example: 'Send a valid, unrevoked key of your project in the `x-api-key` header.' })
  suggested_fix?: string;

  @ApiPropertyOptional({ type: [String], example: ['name must be a string'] })
  errors?: string[];
}

/** The wire shape of every non-2xx answer. */
export class ErrorEnvelopeDto {
  @ApiProperty({ type: ErrorBodyDto })
  error: ErrorBodyDto;
}
