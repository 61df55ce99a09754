import { chmod, mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedPostgres } from '../libs/database/src/embedded-postgres';

declare global {
  var embeddedPostgres: EmbeddedPostgres | undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * The e2e suites need one PostgreSQL server: `DATABASE_URL` when set (CI runs the suite a second
 * time against the machine's server), otherwise an embedded one started here in a temporary
 * directory. Each test file then creates its own database on it (test/utils/test-database.ts).
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.DATABASE_URL) {
    process.env.TEST_POSTGRES_ADMIN_URL = process.env.DATABASE_URL;
    return;
  }
  const dir = await mkdtemp(join(tmpdir(), 'proxy-execute-test-'));
  await chmod(dir, 0o755); // PostgreSQL may run as another user when the tests run as root
  const embedded = new EmbeddedPostgres(dir, await freePort());
  const url = await embedded.start();
  globalThis.embeddedPostgres = embedded;
  process.env.TEST_POSTGRES_ADMIN_URL = url;
  process.env.TEST_POSTGRES_DIR = dir;
}
