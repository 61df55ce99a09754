import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { IssuedApiKeyDto } from './api-key.dto';

export class CreateProjectDto {
  /** @example "acme-production" */
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  name: string;
}

export class CreatedProjectDto {
  id: string;

  name: string;

  created_at: string;

  /** The project's first key, with every scope but `projects:manage`. */
  @ApiProperty({ type: IssuedApiKeyDto })
  api_key: IssuedApiKeyDto;
}
