import { type DynamicModule, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { databaseConfig, type DatabaseConfig } from '@app/config';
import { buildDataSourceOptions } from './data-source';
import { DatabaseRuntime } from './database-runtime';
import { InvalidationBus } from './invalidation-bus';
import { MigrationRunner } from './migration-runner';

@Module({
  providers: [
    {
      provide: DatabaseRuntime,
      inject: [databaseConfig.KEY],
      useFactory: (config: DatabaseConfig) => DatabaseRuntime.start(config),
    },
  ],
  exports: [DatabaseRuntime],
})
class DatabaseRuntimeModule {}

/**
 * Nest does not order shutdown hooks across modules: the pool is closed here, then the embedded
 * server stopped (TypeORM's own hook then finds the data source closed).
 */
@Injectable()
class DatabaseShutdown implements OnApplicationShutdown {
  constructor(
    private readonly runtime: DatabaseRuntime,
    private readonly dataSource: DataSource,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
    await this.runtime.stop();
  }
}

/**
 * The connection pool, start-up migrations and the cross-replica invalidation channel. Global, so
 * feature modules only declare their entities with `TypeOrmModule.forFeature`.
 */
@Module({})
export class DatabaseModule {
  static forRoot(): DynamicModule {
    return {
      module: DatabaseModule,
      global: true,
      imports: [
        DatabaseRuntimeModule,
        TypeOrmModule.forRootAsync({
          imports: [DatabaseRuntimeModule],
          inject: [DatabaseRuntime, databaseConfig.KEY],
          useFactory: (runtime: DatabaseRuntime, config: DatabaseConfig) => ({
            ...buildDataSourceOptions(runtime.url, config.poolSize),
            autoLoadEntities: true,
            retryAttempts: 3,
            retryDelay: 1000,
          }),
        }),
      ],
      providers: [MigrationRunner, InvalidationBus, DatabaseShutdown],
      exports: [InvalidationBus, DatabaseRuntimeModule],
    };
  }
}
