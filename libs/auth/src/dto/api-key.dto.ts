import { ApiProperty } from '@nestjs/swagger';
import { ArrayMinSize, ArrayUnique, IsArray, IsIn, IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { type Scope, SCOPES } from '../scopes';

export class CreateApiKeyDto {
  /** A name to recognise the key by. */
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  name: string;

  @ApiProperty({ enum: SCOPES, isArray: true, example: ['proxy:execute'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(SCOPES, { each: true })
  scopes: Scope[];
}

export class ApiKeyDto {
  /** @example "0b9c1f52-6e0a-4c4a-9d55-3f1c7c0f8a11" */
  id: string;

  /** @example "ci" */
  name: string;

  @ApiProperty({ enum: SCOPES, isArray: true })
  scopes: Scope[];

  /** First three and last four characters of the key. @example "ak_…9fZk" */
  key_hint: string;

  created_at: string;

  @ApiProperty({ type: String, nullable: true })
  last_used_at: string | null;
}

export class IssuedApiKeyDto {
  id: string;

  name: string;

  /** The key in clear. Shown only in this answer: store it now. */
  key: string;

  @ApiProperty({ enum: SCOPES, isArray: true })
  scopes: Scope[];
}

export class ApiKeyListDto {
  @ApiProperty({ type: [ApiKeyDto] })
  items: ApiKeyDto[];
}

export class SuccessDto {
  /** @example true */
  success: boolean;
}
