import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { Public } from '@app/auth';
import { ApiErrors, AppException } from '@app/errors';
import { DataSource } from 'typeorm';

export class HealthDto {
  /** @example "ok" */
  status: string;
}

@ApiTags('Health')
@Public()
@Controller('health')
export class HealthController {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Liveness: the process serves HTTP. */
  @Get()
  live(): HealthDto {
    return { status: 'ok' };
  }

  /** Readiness: the database answers. */
  @Get('ready')
  @ApiErrors('Service_Unavailable')
  async ready(): Promise<HealthDto> {
    try {
      await this.dataSource.query('SELECT 1');
    } catch (error) {
      throw new AppException('Service_Unavailable', { cause: error });
    }
    return { status: 'ok' };
  }
}
