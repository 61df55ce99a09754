import type { Readable } from 'node:stream';

/** The call's deadline as the wait reads it (the proxy's CallDeadline is one). */
export interface WaitDeadline {
  readonly aborted: boolean;
  once(event: 'abort', listener: () => void): unknown;
  off(event: 'abort', listener: () => void): unknown;
}

const EXPIRED = 'deadline passed while waiting to store the answer';

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
   * Resolves with `release` once a slot is free. The wait ends early, and the place is given up,
   * when a streamed body fails (the upstream gone: rejects with its error) or when `deadline`
   * passes (the body, unread, is destroyed so its connection is not left hanging).
   */
  acquire(body?: Readable, deadline?: WaitDeadline): Promise<() => void> {
    if (deadline?.aborted) return Promise.reject(new Error(EXPIRED));
    if (this.active < this.limit) return Promise.resolve(this.take());
    return new Promise((resolve, reject) => {
      // Nobody reads the body while it waits: its error is taken here rather than left unhandled.
      const ignore = (): void => undefined;
      const stopWatching = (): void => {
        body?.off('close', closed);
        body?.off('error', ignore);
        deadline?.off('abort', expired);
        const index = this.waiting.indexOf(grant);
        if (index !== -1) this.waiting.splice(index, 1);
      };
      const grant = (): void => {
        stopWatching();
        resolve(this.take());
      };
      const closed = (): void => {
        stopWatching();
        reject(body?.errored ?? new Error('body closed while waiting to be stored'));
      };
      const expired = (): void => {
        stopWatching();
        body?.destroy();
        reject(new Error(EXPIRED));
      };
      this.waiting.push(grant);
      body?.on('error', ignore);
      body?.once('close', closed);
      deadline?.once('abort', expired);
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
