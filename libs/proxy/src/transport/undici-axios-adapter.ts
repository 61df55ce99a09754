import type {
  AxiosAdapter,
  AxiosRequestConfig,
  AxiosResponse,
  GenericAbortSignal,
  InternalAxiosRequestConfig,
} from 'axios';
import type { EventEmitter } from 'node:events';
import type { IncomingHttpHeaders } from 'node:http';
import { Readable } from 'node:stream';
import { type Dispatcher, errors } from 'undici';
import { cappedBodyStream, GatheredBytes, readCappedBody, ResponseTooLargeError } from './capped-body';

/**
 * The outgoing call as the proxy built it: the parsed URL, the headers (lower-case, already checked
 * by the header policy, handed to undici as they are) and the cap on the answer's bytes. One class
 * instance under one config key, because axios merges every request config key by key and clones
 * plain objects: axios' own `headers` (an AxiosHeaders that validates and normalises every name)
 * cost a tenth of the proxy's CPU per call.
 */
export class UpstreamCall {
  constructor(
    readonly url: URL,
    readonly headers: Record<string, string>,
    readonly maxResponseBytes: number,
  ) {}
}

/** The request config the adapter reads: `upstream` when the proxy calls, plain axios fields otherwise. */
export type UpstreamRequestConfig = AxiosRequestConfig & { upstream?: UpstreamCall };

/**
 * What the adapter hands back as `response.data`: the bytes or a stream of them, and the
 * upstream's headers as undici gave them (lower-case). axios' `response.headers` stays empty:
 * turning every upstream header into an AxiosHeaders entry is work nobody reads.
 */
export type UpstreamBody = { headers: IncomingHttpHeaders; decoded: boolean } & (
  { bytes: Buffer; stream?: undefined } | { bytes?: undefined; stream: Readable }
);

export interface UndiciAdapterOptions {
  /**
   * True for answers to hand over as a stream (capped and decoded, not yet read) rather than read
   * into memory: binary answers go to storage without being held whole.
   */
  streamWhen?: (contentType: string | undefined) => boolean;
}

function configHeaders(config: InternalAxiosRequestConfig): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(config.headers.toJSON())) {
    if (value !== null && value !== undefined) headers[name.toLowerCase()] = String(value);
  }
  return headers;
}

/** Calls `listener` once when the call's signal aborts; returns the function that stops listening. */
function onAbort(signal: GenericAbortSignal, listener: () => void): () => void {
  const emitter = signal as unknown as EventEmitter;
  if (typeof emitter.once === 'function') {
    emitter.once('abort', listener);
    return () => emitter.removeListener('abort', listener);
  }
  signal.addEventListener?.('abort', listener, { once: true });
  return () => {
    signal.removeEventListener?.('abort', listener);
  };
}

/**
 * An upstream body handed over as a stream. Reading it resumes the connection; destroying it
 * before its end stops the call (undici then closes the connection instead of reusing it).
 */
class BodyFeed extends Readable {
  constructor(private readonly controller: Dispatcher.DispatchController) {
    super();
  }

  override _read(): void {
    this.controller.resume();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (!this.readableEnded) this.controller.abort(error ?? new errors.RequestAbortedError());
    callback(error);
  }
}

type Settle = {
  resolve: (response: AxiosResponse<UpstreamBody>) => void;
  reject: (error: unknown) => void;
};

interface AnswerOptions {
  /** The cap on the answer's bytes (after decoding). */
  limit: number;
  /** A HEAD's answer has no body, whatever its headers say. */
  head: boolean;
  streamWhen: UndiciAdapterOptions['streamWhen'];
}

/**
 * One upstream answer, as undici's dispatcher delivers it. A plain body that is not to be
 * streamed is gathered chunk by chunk, capped, without a stream in between (a Readable and its
 * events per answer cost the proxy several per cent of its CPU per call); a binary or encoded body
 * goes through a stream, decoded and capped.
 */
class UpstreamAnswer implements Dispatcher.DispatchHandler {
  private controller?: Dispatcher.DispatchController;
  private settled = false;
  private status = 0;
  private headers: IncomingHttpHeaders = {};
  private readonly gathered: GatheredBytes;
  private feed?: BodyFeed;
  private stopListening?: () => void;
  /** Why the call was aborted before undici started it, if it was. */
  private abortedBefore?: Error;

  constructor(
    private readonly config: InternalAxiosRequestConfig,
    private readonly options: AnswerOptions,
    private readonly settle: Settle,
  ) {
    this.gathered = new GatheredBytes(options.limit);
    const { signal } = config;
    if (signal) {
      const abort = (): void => {
        const reason = (signal as { reason?: unknown }).reason;
        const error = reason instanceof Error ? reason : new errors.RequestAbortedError();
        if (this.controller) this.controller.abort(error);
        else {
          // Not started yet (queued for a connection): fail now, stop it as soon as it starts.
          this.abortedBefore = error;
          this.fail(error);
        }
      };
      if (signal.aborted) abort();
      else this.stopListening = onAbort(signal, abort);
    }
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.abortedBefore) controller.abort(this.abortedBefore);
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Record<string, string | string[] | undefined>,
  ): void {
    if (statusCode < 200 || this.settled) return; // 1xx: the real answer follows
    this.status = statusCode;
    this.headers = headers;
    const encoding = headers['content-encoding'];
    const contentEncoding = Array.isArray(encoding) ? encoding.join(',') : encoding;
    const contentType = headers['content-type'];
    const { limit, head, streamWhen } = this.options;
    const streamed = streamWhen?.(Array.isArray(contentType) ? contentType[0] : contentType) ?? false;
    // An answer without a body (HEAD, 204, 304) is never decoded: its encoding describes nothing.
    const bodyless = head || statusCode === 204 || statusCode === 304;
    if (bodyless || (!streamed && contentEncoding === undefined)) return; // gathered in onResponseData
    this.feed = new BodyFeed(controller);
    if (streamed) {
      const { stream, decoded } = cappedBodyStream(this.feed, limit, contentEncoding);
      this.resolve({ stream, decoded, headers });
    } else {
      readCappedBody(this.feed, limit, contentEncoding).then(
        ({ bytes, decoded }) => this.resolve({ bytes, decoded, headers }),
        (error: unknown) => this.fail(error),
      );
    }
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.feed) {
      if (!this.feed.push(chunk)) controller.pause();
      return;
    }
    if (!this.gathered.add(chunk)) controller.abort(new ResponseTooLargeError(this.options.limit));
  }

  onResponseEnd(): void {
    this.stopListening?.();
    if (this.feed) {
      this.feed.push(null);
      return;
    }
    this.resolve({ bytes: this.gathered.bytes(), decoded: false, headers: this.headers });
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.stopListening?.();
    // A body already handed to a stream fails on that stream, where its reader hears it.
    if (this.feed) this.feed.destroy(error);
    else this.fail(error);
  }

  /** `data` is built field by field: a spread into a literal took V8's slow path here. */
  private resolve(data: UpstreamBody): void {
    if (this.settled) return;
    this.settled = true;
    this.settle.resolve({
      data,
      status: this.status,
      statusText: '',
      headers: {},
      config: this.config,
      request: undefined,
    });
  }

  /** True once the call has succeeded or failed: a call that failed before it was sent is not sent. */
  get isSettled(): boolean {
    return this.settled;
  }

  private fail(error: unknown): void {
    if (this.settled) return;
    this.settled = true;
    this.stopListening?.();
    // undici leaves a request body stream as it is when the call fails before or while connecting.
    const data: unknown = this.config.data;
    if (data instanceof Readable && !data.destroyed) data.on('error', () => undefined).destroy();
    this.settle.reject(error);
  }
}

/**
 * An axios adapter that sends through an undici dispatcher (a keep-alive pool per origin) instead
 * of axios' own Node adapter: several times the throughput, and the connection options (guarded
 * lookup, timeouts) live in one place. Redirects are never followed; every status resolves. A
 * request body may be a Buffer or a Readable (streamed upstream as it is read).
 */
export function createUndiciAdapter(
  dispatcher: Dispatcher,
  options: UndiciAdapterOptions = {},
): AxiosAdapter {
  return (config: InternalAxiosRequestConfig): Promise<AxiosResponse<UpstreamBody>> => {
    const call = (config as UpstreamRequestConfig).upstream;
    const maxBytes = call?.maxResponseBytes ?? config.maxContentLength;
    const limit = maxBytes && maxBytes > 0 ? maxBytes : Infinity;
    const method = (config.method ?? 'get').toUpperCase();
    return new Promise((resolve, reject) => {
      const url = call?.url ?? new URL(config.url as string);
      const answer = new UpstreamAnswer(
        config,
        { limit, head: method === 'HEAD', streamWhen: options.streamWhen },
        { resolve, reject },
      );
      if (answer.isSettled) return; // its signal had already aborted: nothing is sent
      dispatcher.dispatch(
        {
          origin: url.origin,
          path: `${url.pathname}${url.search}`,
          method,
          headers: call?.headers ?? configHeaders(config),
          body: config.data as Buffer | Readable | undefined,
        },
        answer,
      );
    });
  };
}
