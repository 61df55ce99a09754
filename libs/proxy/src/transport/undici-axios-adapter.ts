import type { AxiosAdapter, AxiosRequestConfig, AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { cappedBodyStream, readCappedBody } from './capped-body';

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
    const call = (config as UpstreamRequestConfig).upstream;
    const url = call?.url ?? new URL(config.url as string);
    const response = await dispatcher.request({
      origin: url.origin,
      path: `${url.pathname}${url.search}`,
      method: (config.method ?? 'get').toUpperCase(),
      headers: call?.headers ?? configHeaders(config),
      body: config.data as Buffer | Readable | undefined,
      signal: config.signal,
    });
    const { headers } = response;
    const encoding = headers['content-encoding'];
    const contentEncoding = Array.isArray(encoding) ? encoding.join(',') : encoding;
    const maxBytes = call?.maxResponseBytes ?? config.maxContentLength;
    const limit = maxBytes && maxBytes > 0 ? maxBytes : Infinity;
    const contentType = headers['content-type'];
    const body = options.streamWhen?.(Array.isArray(contentType) ? contentType[0] : contentType)
      ? cappedBodyStream(response.body, limit, contentEncoding)
      : await readCappedBody(response.body, limit, contentEncoding);
    return {
      data: { ...body, headers },
      status: response.statusCode,
      statusText: '',
      headers: {},
      config,
      request: undefined,
    };
  };
}
