import { type DynamicModule, Module } from '@nestjs/common';
import { AuthModule } from '@app/auth';
import { AppConfigModule } from '@app/config';
import { ConnectedAccountsModule } from '@app/connected-accounts';
import { DatabaseModule } from '@app/database';
import { ErrorsModule } from '@app/errors';
import { ProxyModule } from '@app/proxy';
import { HealthController } from './health/health.controller';
import { LoggingModule } from './logging.module';

@Module({})
export class AppModule {
  /** Reads and validates the environment now: tests set theirs before calling this. */
  static forRoot(): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AppConfigModule.forRoot(),
        LoggingModule,
        DatabaseModule.forRoot(),
        ErrorsModule,
        AuthModule,
        ConnectedAccountsModule,
        ProxyModule,
      ],
      controllers: [HealthController],
    };
  }
}
