import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { filesConfig, type FilesConfig } from '@app/config';
import { FilesRepository } from './files.repository';

const BATCH_SIZE = 500;

/**
 * Deletes stored files past their retention, in batches, on every replica (the batches skip rows
 * another replica holds, so they neither wait nor collide).
 */
@Injectable()
export class FilesSweeper implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(FilesSweeper.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<number>;

  constructor(
    private readonly files: FilesRepository,
    @Inject(filesConfig.KEY) private readonly config: FilesConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweepInBackground(), this.config.sweepIntervalSeconds * 1000);
    // The sweep never keeps the process alive on its own.
    this.timer.unref();
  }

  /** Stops the timer and lets a running sweep finish before the pool closes. */
  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  /** Deletes every file whose retention ended at or before `now`; answers how many were removed. */
  async sweep(now = new Date()): Promise<number> {
    // One sweep at a time per process: a slow one is not overtaken by the next tick.
    this.running ??= this.deleteAll(now).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async sweepInBackground(): Promise<void> {
    try {
      await this.sweep();
    } catch (error) {
      this.logger.warn(`File sweep failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private async deleteAll(now: Date): Promise<number> {
    let total = 0;
    for (;;) {
      const deleted = await this.files.deleteExpiredBatch(now, BATCH_SIZE);
      total += deleted;
      if (deleted < BATCH_SIZE) break;
    }
    if (total > 0) this.logger.log(`Deleted ${total} expired file(s)`);
    return total;
  }
}
