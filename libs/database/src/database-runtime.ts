import { Logger } from '@nestjs/common';
import type { DatabaseConfig } from '@app/config';
import { EmbeddedPostgres } from './embedded-postgres';

/**
 * Where the database is: `DATABASE_URL` when set, else an embedded PostgreSQL this process starts.
 * `DatabaseShutdown` stops it after the pool is closed.
 */
export class DatabaseRuntime {
  private constructor(
    readonly url: string,
    private readonly embedded?: EmbeddedPostgres,
  ) {}

  static async start(config: DatabaseConfig): Promise<DatabaseRuntime> {
    if (config.url) {
      new Logger('Database').log(`Using the external PostgreSQL at ${redactUrl(config.url)}`);
      return new DatabaseRuntime(config.url);
    }
    const embedded = new EmbeddedPostgres(config.dataDir, config.embeddedPort);
    return new DatabaseRuntime(await embedded.start(), embedded);
  }

  get isEmbedded(): boolean {
    return this.embedded !== undefined;
  }

  /** The URL without its password, for log lines. */
  get displayUrl(): string {
    return redactUrl(this.url);
  }

  /** Stops the embedded server, if this process started one. */
  async stop(): Promise<void> {
    await this.embedded?.stop();
  }
}

export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '****';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}
