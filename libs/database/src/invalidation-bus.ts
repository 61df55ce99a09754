import { type BeforeApplicationShutdown, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { DatabaseRuntime } from './database-runtime';

export const INVALIDATION_CHANNEL = 'proxy_execute_invalidation';
const RECONNECT_DELAY_MS = 1000;

export interface InvalidationHandler {
  /** One key of the topic changed somewhere: drop it. */
  invalidate(key: string): void;
  /** Messages may have been missed (the listener reconnected): drop everything. */
  reset(): void;
}

interface InvalidationMessage {
  topic: string;
  key: string;
  origin: string;
}

/**
 * Tells every replica sharing the database that a cached object changed, over Postgres
 * LISTEN/NOTIFY. Caches subscribe per topic; `publish` applies the change locally at once and
 * then to the other replicas. Caches keep a TTL as a backstop for the moments the listener is down.
 */
@Injectable()
export class InvalidationBus implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger('InvalidationBus');
  private readonly handlers = new Map<string, InvalidationHandler[]>();
  private readonly origin = randomUUID();
  private listener?: Client;
  private closing = false;
  private reconnectTimer?: NodeJS.Timeout;

  constructor(
    private readonly runtime: DatabaseRuntime,
    private readonly dataSource: DataSource,
  ) {}

  subscribe(topic: string, handler: InvalidationHandler): void {
    this.handlers.set(topic, [...(this.handlers.get(topic) ?? []), handler]);
  }

  /** Invalidates `key` of `topic` here now, and on the other replicas as soon as Postgres delivers. */
  async publish(topic: string, key: string): Promise<void> {
    this.deliver(topic, key);
    const message: InvalidationMessage = { topic, key, origin: this.origin };
    await this.dataSource.query('SELECT pg_notify($1, $2)', [INVALIDATION_CHANNEL, JSON.stringify(message)]);
  }

  async onModuleInit(): Promise<void> {
    await this.listen();
  }

  /** Before any pool or server closes, so losing the server is never mistaken for an outage. */
  async beforeApplicationShutdown(): Promise<void> {
    this.closing = true;
    clearTimeout(this.reconnectTimer);
    await this.listener?.end().catch(() => undefined);
  }

  private async listen(): Promise<void> {
    const client = new Client({
      connectionString: this.runtime.url,
      application_name: 'proxy-execute-listener',
    });
    client.on('notification', (msg) => this.onNotification(msg.payload));
    client.on('error', (error) => this.onListenerLost(client, error.message));
    client.on('end', () => this.onListenerLost(client, 'connection ended'));
    this.listener = client;
    try {
      await client.connect();
      await client.query(`LISTEN ${INVALIDATION_CHANNEL}`);
    } catch (error) {
      this.listener = undefined;
      client.removeAllListeners();
      await client.end().catch(() => undefined);
      throw error;
    }
  }

  private onListenerLost(client: Client, reason: string): void {
    if (this.closing || client !== this.listener) return;
    this.logger.warn(`Invalidation listener lost its connection (${reason}); reconnecting`);
    this.listener = undefined;
    client.removeAllListeners();
    client.on('error', () => undefined);
    void client.end().catch(() => undefined);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closing || this.reconnectTimer) return;
    this.reconnectTimer = setTimeout(() => {
      this.listen()
        .then(() => {
          this.reconnectTimer = undefined;
          // Anything published while we were away is lost: start every cache afresh.
          for (const handlers of this.handlers.values()) handlers.forEach((h) => h.reset());
          this.logger.log('Invalidation listener reconnected; caches cleared');
        })
        .catch(() => {
          this.reconnectTimer = undefined;
          this.scheduleReconnect();
        });
    }, RECONNECT_DELAY_MS);
    this.reconnectTimer.unref();
  }

  private onNotification(payload: string | undefined): void {
    if (!payload) return;
    let message: InvalidationMessage;
    try {
      message = JSON.parse(payload) as InvalidationMessage;
    } catch {
      return;
    }
    if (message.origin === this.origin) return;
    this.deliver(message.topic, message.key);
  }

  private deliver(topic: string, key: string): void {
    for (const handler of this.handlers.get(topic) ?? []) handler.invalidate(key);
  }
}
