import type { AxiosAdapter, AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import type { UpstreamRequestConfig } from './undici-axios-adapter';

/**
 * Sends a request through an axios instance (HttpService's). An instance whose defaults hold only a
 * function adapter and that has no interceptor hands the config straight to that adapter, which is
 * all `request()` would do for it; any other instance goes through `request()`. axios' request
 * pipeline (the config merged into a dictionary-mode object, headers turned into AxiosHeaders twice,
 * transforms, a promise chain) cost about a quarter of the proxy's CPU per call
 * (docs/performance.md). An interceptor or a default added to the instance later is honoured from
 * the next call on.
 */
export function requestThrough<T>(
  instance: AxiosLike,
  config: UpstreamRequestConfig,
): Promise<AxiosResponse<T>> {
  const adapter = bareAdapter(instance);
  return (adapter ? adapter(config as InternalAxiosRequestConfig) : instance.request(config)) as Promise<
    AxiosResponse<T>
  >;
}

/** What `requestThrough` reads of an axios instance (HttpService's `axiosRef`). */
export interface AxiosLike {
  defaults: object & { adapter?: unknown };
  interceptors: { request: { handlers?: readonly unknown[] }; response: { handlers?: readonly unknown[] } };
  request(config: UpstreamRequestConfig): Promise<unknown>;
}

function bareAdapter(instance: AxiosLike): AxiosAdapter | undefined {
  const { defaults, interceptors } = instance;
  for (const key in defaults) if (key !== 'adapter') return undefined;
  if (hasHandlers(interceptors.request.handlers) || hasHandlers(interceptors.response.handlers))
    return undefined;
  return typeof defaults.adapter === 'function' ? (defaults.adapter as AxiosAdapter) : undefined;
}

function hasHandlers(handlers: readonly unknown[] | undefined): boolean {
  // An ejected interceptor leaves null in its place.
  return handlers?.some((handler) => handler !== null && handler !== undefined) ?? false;
}
