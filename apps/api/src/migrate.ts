import { Logger } from '@nestjs/common';
import { databaseConfig, startupFailureMessage } from '@app/config';
import { buildDataSourceOptions, DatabaseRuntime, runMigrationsLocked } from '@app/database';
import { DataSource } from 'typeorm';

/**
 * `npm run migration:run|revert` against the same database the service uses (the embedded one
 * when DATABASE_URL is unset), for deployments that run migrations as a separate step.
 */
async function main(): Promise<void> {
  const command = process.argv[2];
  if (command !== 'run' && command !== 'revert') throw new Error('usage: migrate.js run|revert');
  const logger = new Logger('Migrations');
  const runtime = await DatabaseRuntime.start(databaseConfig());
  const dataSource = await new DataSource(buildDataSourceOptions(runtime.url, 2)).initialize();
  try {
    if (command === 'run') {
      const applied = await runMigrationsLocked(dataSource, logger);
      if (applied.length === 0) logger.log('No pending migrations');
    } else {
      await dataSource.undoLastMigration({ transaction: 'each' });
      logger.log('Reverted the last migration');
    }
  } finally {
    await dataSource.destroy();
    await runtime.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`migrate failed.\n${startupFailureMessage(error)}\n`);
  process.exit(1);
});
