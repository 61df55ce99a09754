import { EventEmitter } from 'node:events';

/**
 * The deadline of one proxied call, as the abort signal undici and axios read (`aborted`, an
 * `abort` event): an EventEmitter, which undici accepts as a signal, costs a fraction of an
 * AbortController and its EventTarget, made on every call. One timer, cleared when the call ends.
 */
export class CallDeadline extends EventEmitter {
  aborted = false;
  private readonly timer: NodeJS.Timeout;

  constructor(ms: number) {
    super();
    this.timer = setTimeout(() => this.abort(), ms);
  }

  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    this.emit('abort');
  }

  /** The call is over: the timer goes, and nothing will abort any more. */
  clear(): void {
    clearTimeout(this.timer);
  }
}
