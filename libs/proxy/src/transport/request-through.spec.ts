import { Axios, type AxiosAdapter, type AxiosResponse, type InternalAxiosRequestConfig } from 'axios';
import { requestThrough } from './request-through';
import type { UpstreamRequestConfig } from './undici-axios-adapter';

/** A real axios instance whose adapter records the config it was handed. */
function instanceWith(defaults: Record<string, unknown> = {}) {
  const seen: InternalAxiosRequestConfig[] = [];
  const adapter: AxiosAdapter = (config) => {
    seen.push(config);
    return Promise.resolve({
      data: 'answer',
      status: 200,
      statusText: '',
      headers: {},
      config,
    } as AxiosResponse);
  };
  const instance = new Axios({ adapter, ...defaults });
  return { instance, seen, request: jest.spyOn(instance, 'request') };
}

const call = (): UpstreamRequestConfig => ({ method: 'GET', url: 'http://127.0.0.1:1/x' });

describe(requestThrough.name, () => {
  it('hands the config of a bare instance straight to its adapter', async () => {
    const { instance, seen, request } = instanceWith();
    const config = call();
    const response = await requestThrough<string>(instance, config);
    expect(response.data).toBe('answer');
    expect(seen).toEqual([config]);
    expect(seen[0]).toBe(config);
    expect(request).not.toHaveBeenCalled();
  });

  it("goes through axios' request() once the instance has interceptors, and applies them", async () => {
    const { instance, seen, request } = instanceWith();
    instance.interceptors.request.use((config) => {
      config.headers.set('x-traced', 'yes');
      return config;
    });
    instance.interceptors.response.use((response) => ({ ...response, data: `${response.data as string}!` }));
    const response = await requestThrough<string>(instance, call());
    expect(request).toHaveBeenCalledTimes(1);
    expect(seen[0].headers.get('x-traced')).toBe('yes');
    expect(response.data).toBe('answer!');
  });

  it('is bare again once its only interceptor is ejected', async () => {
    const { instance, seen, request } = instanceWith();
    const id = instance.interceptors.request.use((config) => config);
    instance.interceptors.request.eject(id);
    const config = call();
    await requestThrough(instance, config);
    expect(seen[0]).toBe(config);
    expect(request).not.toHaveBeenCalled();
  });

  it('goes through request() when the instance has defaults beyond its adapter, so they apply', async () => {
    const { instance, seen, request } = instanceWith({ headers: { 'x-default': 'on' } });
    await requestThrough(instance, call());
    expect(request).toHaveBeenCalledTimes(1);
    expect(seen[0].headers.get('x-default')).toBe('on');
  });
});
