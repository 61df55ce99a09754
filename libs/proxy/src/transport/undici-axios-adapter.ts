import type { AxiosAdapter, AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { cappedBodyStream, readCappedBody } from './capped-body';

/** What the adapter hands back as `response.data`: the bytes, or a stream of them. */
export type UpstreamBody =
  | { bytes: Buffer; stream?: undefined; decoded: boolean }
  | { bytes?: undefined; stream: Readable; decoded: boolean };

export interface UndiciAdapterOptions {
  /**
   * True for answers to hand over as a stream (capped and decoded, not yet read) rather than read
   * into memory: binary answers go to storage without being held whole.
   */
  streamWhen?: (contentType: string | undefined) => boolean;
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
  return async (config: InternalAxiosRequestConfig): Promise<AxiosResponse<UpstreamBody>> => {
    const url = new URL(config.url as string);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(config.headers.toJSON())) {
      if (value !== null && value !== undefined) headers[name.toLowerCase()] = String(value);
    }
    const response = await dispatcher.request({
      origin: url.origin,
      path: `${url.pathname}${url.search}`,
      method: (config.method ?? 'get').toUpperCase(),
      headers,
      body: config.data as Buffer | Readable | undefined,
      signal: config.signal,
    });
    const encoding = response.headers['content-encoding'];
    const contentEncoding = Array.isArray(encoding) ? encoding.join(',') : encoding;
    const limit = config.maxContentLength && config.maxContentLength > 0 ? config.maxContentLength : Infinity;
    const contentType = response.headers['content-type'];
    const data: UpstreamBody = options.streamWhen?.(Array.isArray(contentType) ? contentType[0] : contentType)
      ? cappedBodyStream(response.body, limit, contentEncoding)
      : await readCappedBody(response.body, limit, contentEncoding);
    return {
      data,
      status: response.statusCode,
      statusText: '',
      headers: response.headers as AxiosResponse['headers'],
      config,
      request: undefined,
    };
  };
}
