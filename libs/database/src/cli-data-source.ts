import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from './data-source';

/**
 * For `npm run migration:generate -- <name>` only (TypeORM CLI, on the compiled output): compares the
 * entities with a database that has every migration applied. Point DATABASE_URL at a scratch one.
 */
const url = process.env.DATABASE_URL;
if (!url) throw new Error('migration:generate needs DATABASE_URL pointing at a scratch database');

export default new DataSource({
  ...buildDataSourceOptions(url, 2),
  entities: [`${__dirname}/../../*/src/**/*.entity.js`],
});
