export * from './data-source';
export * from './database-runtime';
export * from './database.module';
export * from './embedded-postgres';
export * from './invalidation-bus';
export * from './migration-runner';
export * from './random-id';
export * from './data-dir-secret';
