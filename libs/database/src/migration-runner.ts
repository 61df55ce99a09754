import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { databaseConfig, type DatabaseConfig } from '@app/config';
import { DataSource } from 'typeorm';

/** Arbitrary, fixed key of the advisory lock that serialises migrations across replicas. */
export const MIGRATION_LOCK_KEY = 7_420_001;

/** Runs pending migrations under a session-level advisory lock, so replicas starting together take turns. */
export async function runMigrationsLocked(dataSource: DataSource, logger?: Logger): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      const names = applied.map((m) => m.name);
      if (names.length > 0) logger?.log(`Applied migrations: ${names.join(', ')}`);
      return names;
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await runner.release();
  }
}

@Injectable()
export class MigrationRunner implements OnModuleInit {
  private readonly logger = new Logger('Migrations');

  constructor(
    private readonly dataSource: DataSource,
    @Inject(databaseConfig.KEY) private readonly config: DatabaseConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    if (!this.config.migrateOnStart) {
      this.logger.log('DB_MIGRATE_ON_START=false: migrations are left to a separate step');
      return;
    }
    await runMigrationsLocked(this.dataSource, this.logger);
  }
}
