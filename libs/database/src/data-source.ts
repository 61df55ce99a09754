import type { DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from './migrations';

/**
 * The one source of database options, used by the service, the migration CLI and the tests.
 * Schema changes go through migrations only: `synchronize` stays off everywhere.
 */
export function buildDataSourceOptions(url: string, poolSize = 10): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    synchronize: false,
    migrationsRun: false,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    extra: { max: poolSize, application_name: 'proxy-execute' },
  };
}
