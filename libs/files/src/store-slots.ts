import type { Readable } from 'node:stream';

/**
 * At most `limit` binary answers written to the database at once; the others wait their turn, in
 * order, with their bodies unread, so the upstream is held back by TCP instead of the bytes piling
 * up here. Without it, every answer in flight shares the pool: all of them finish late together,
 * each holding a chunk in memory.
 */
export class StoreSlots {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly limit: number) {}

  /**
   * Resolves with `release` once a slot is free. A streamed body that fails while it waits (the
   * call's deadline, the upstream gone) gives up its place and rejects with the body's error.
   */
  acquire(body?: Readable): Promise<() => void> {
    if (this.active < this.limit) return Promise.resolve(this.take());
    return new Promise((resolve, reject) => {
      // Nobody reads the body while it waits: its error is taken here rather than left unhandled.
      const ignore = (): void => undefined;
      const stopWatching = (): void => {
        body?.off('close', abandon);
        body?.off('error', ignore);
      };
      const grant = (): void => {
        stopWatching();
        resolve(this.take());
      };
      const abandon = (): void => {
        stopWatching();
        const index = this.waiting.indexOf(grant);
        if (index !== -1) this.waiting.splice(index, 1);
        reject(body?.errored ?? new Error('body closed while waiting to be stored'));
      };
      this.waiting.push(grant);
      body?.on('error', ignore);
      body?.once('close', abandon);
    });
  }

  get inUse(): number {
    return this.active;
  }

  private take(): () => void {
    this.active++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active--;
      this.waiting.shift()?.();
    };
  }
}
