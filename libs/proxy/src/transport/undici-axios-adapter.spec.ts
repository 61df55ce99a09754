import type { InternalAxiosRequestConfig } from 'axios';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { Agent } from 'undici';
import { CallDeadline } from './call-deadline';
import { readAll, ResponseTooLargeError } from './capped-body';
import { createUndiciAdapter, UpstreamCall, type UpstreamBody } from './undici-axios-adapter';

type Route = (req: IncomingMessage, res: ServerResponse) => void;

describe(createUndiciAdapter.name, () => {
  let server: Server;
  let origin: string;
  let agent: Agent;
  let routes: Record<string, Route>;
  /** Connections the server saw close, by path of their last request. */
  let closed: string[];

  beforeAll(async () => {
    server = createServer((req, res) => {
      const path = req.url ?? '/';
      req.socket.once('close', () => closed.push(path));
      routes[path](req, res);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  beforeEach(() => {
    routes = {};
    closed = [];
    agent = new Agent({ connections: 1 });
  });
  afterEach(async () => {
    await agent.destroy();
  });
  afterAll(async () => {
    server.closeAllConnections();
    server.close();
    await once(server, 'close');
  });

  const send = (
    path: string,
    options: {
      limit?: number;
      signal?: InternalAxiosRequestConfig['signal'];
      streamed?: boolean;
      method?: string;
    } = {},
  ) => {
    const adapter = createUndiciAdapter(agent, { streamWhen: () => options.streamed ?? false });
    const config = {
      upstream: new UpstreamCall(new URL(path, origin), { accept: '*/*' }, options.limit ?? 1024),
      method: options.method ?? 'get',
      signal: options.signal,
    } as unknown as InternalAxiosRequestConfig;
    return adapter(config) as Promise<{ status: number; data: UpstreamBody }>;
  };
  /** Writes `chunks` pieces of `size` bytes, one per event-loop turn, then ends (unless `end` is false). */
  const trickle = (res: ServerResponse, chunks: number, size: number, end = true) => {
    let sent = 0;
    const next = (): void => {
      if (sent++ === chunks) {
        if (end) res.end();
        return;
      }
      res.write(Buffer.alloc(size, 'a'));
      setImmediate(next);
    };
    next();
  };

  it('gathers a plain answer in memory: status, bytes across chunks, undici-parsed headers', async () => {
    routes['/plain'] = (_req, res) => {
      res.writeHead(201, [
        ['Content-Type', 'text/plain'],
        ['Set-Cookie', 'a=1'],
        ['Set-Cookie', 'b=2'],
      ]);
      trickle(res, 3, 100);
    };
    const { status, data } = await send('/plain');
    expect(status).toBe(201);
    expect(data.stream).toBeUndefined();
    expect(data.bytes).toEqual(Buffer.alloc(300, 'a'));
    expect(data.decoded).toBe(false);
    expect(data.headers['content-type']).toBe('text/plain');
    expect(data.headers['set-cookie']).toEqual(['a=1', 'b=2']);
  });

  it.each([
    ['a plain answer', { 'content-type': 'application/json' }],
    ['an encoded answer it does not decode', { 'content-encoding': 'gzip, gzip, gzip' }],
  ])('stops %s past its limit and drops the connection instead of reading on', async (_kind, headers) => {
    routes['/big'] = (_req, res) => {
      res.writeHead(200, headers);
      trickle(res, 1000, 100, false);
    };
    await expect(send('/big', { limit: 250 })).rejects.toBeInstanceOf(ResponseTooLargeError);
    await waitFor(() => closed.includes('/big'));
  });

  it('decodes a gzip answer and counts the cap after decoding', async () => {
    const text = Buffer.alloc(2000, 'z');
    routes['/gzip'] = (_req, res) => {
      res.writeHead(200, { 'content-encoding': 'gzip' });
      res.end(gzipSync(text));
    };
    const { data } = await send('/gzip', { limit: 4096 });
    expect(data.decoded).toBe(true);
    expect(data.bytes).toEqual(text);
    await expect(send('/gzip', { limit: 1000 })).rejects.toBeInstanceOf(ResponseTooLargeError);
  });

  it('hands a streamed answer over before its end; a reader that stops early frees the call', async () => {
    routes['/stream'] = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      trickle(res, 1000, 100, false);
    };
    const { data } = await send('/stream', { streamed: true, limit: 1024 * 1024 });
    const stream = data.stream as Readable;
    const [first] = (await once(stream, 'data')) as [Buffer];
    expect(first.length).toBeGreaterThan(0);
    stream.destroy();
    await waitFor(() => closed.includes('/stream'));
  });

  it('reads a whole streamed answer, capped', async () => {
    routes['/stream-end'] = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      trickle(res, 5, 100);
    };
    const { data } = await send('/stream-end', { streamed: true });
    expect(await readAll(data.stream as Readable)).toEqual(Buffer.alloc(500, 'a'));
    const over = await send('/stream-end', { streamed: true, limit: 250 });
    await expect(readAll(over.data.stream as Readable)).rejects.toBeInstanceOf(ResponseTooLargeError);
  });

  it('fails when the deadline passes mid-body, and the connection is dropped', async () => {
    routes['/slow'] = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('x');
    };
    const deadline = new CallDeadline(50);
    await expect(send('/slow', { signal: deadline })).rejects.toThrow();
    expect(deadline.aborted).toBe(true);
    await waitFor(() => closed.includes('/slow'));
  });

  it('fails at once when aborted while waiting for a connection, and never sends that call', async () => {
    const seen: string[] = [];
    routes['/hold'] = (req, res) => {
      seen.push(req.url!);
      res.writeHead(200);
      res.write('x');
    };
    routes['/queued'] = (req, res) => {
      seen.push(req.url!);
      res.end();
    };
    const settled: string[] = [];
    const holding = send('/hold', { signal: new CallDeadline(300) }).finally(() => settled.push('hold'));
    const controller = new AbortController();
    const queued = send('/queued', { signal: controller.signal }).finally(() => settled.push('queued'));
    controller.abort();
    await expect(queued).rejects.toThrow();
    await expect(holding).rejects.toThrow();
    await new Promise((resolve) => setTimeout(resolve, 50));
    // The queued call failed while the only connection was still taken, and was never sent.
    expect(settled).toEqual(['queued', 'hold']);
    expect(seen).toEqual(['/hold']);
  });

  it('fails at once for a signal already aborted, without even connecting', async () => {
    const seen: string[] = [];
    routes['/never'] = (req, res) => {
      seen.push(req.url!);
      res.end();
    };
    const deadline = new CallDeadline(10_000);
    deadline.abort();
    deadline.clear();
    let connections = 0;
    const count = (): void => void connections++;
    server.on('connection', count);
    await expect(send('/never', { signal: deadline })).rejects.toThrow();
    await new Promise((resolve) => setTimeout(resolve, 50));
    server.off('connection', count);
    expect(seen).toEqual([]);
    expect(connections).toBe(0);
  });

  it.each([
    ['HEAD', 200],
    ['GET', 204],
    ['GET', 304],
  ])(
    'answers %s with %i and a content-encoding but no body as empty, not as a broken encoding',
    async (method, status) => {
      routes['/empty'] = (_req, res) => {
        res.writeHead(status, { 'content-encoding': 'gzip', 'content-type': 'application/json' });
        res.end();
      };
      const { status: answered, data } = await send('/empty', { method });
      expect(answered).toBe(status);
      expect(data.bytes).toEqual(Buffer.alloc(0));
    },
  );

  it('destroys a request body stream when the call fails before it is sent', async () => {
    const refusing = createServer();
    refusing.listen(0, '127.0.0.1');
    await once(refusing, 'listening');
    const { port } = refusing.address() as AddressInfo;
    refusing.close();
    await once(refusing, 'close');
    const body = Readable.from([Buffer.from('payload')]);
    const adapter = createUndiciAdapter(agent);
    const config = {
      upstream: new UpstreamCall(new URL(`http://127.0.0.1:${port}/`), {}, 1024),
      method: 'post',
      data: body,
    } as unknown as InternalAxiosRequestConfig;
    await expect(adapter(config)).rejects.toThrow();
    expect(body.destroyed).toBe(true);
  });

  it('rejects (does not throw) for a URL it cannot parse', async () => {
    const adapter = createUndiciAdapter(agent);
    const call = adapter({ url: 'not a url', method: 'get' } as unknown as InternalAxiosRequestConfig);
    await expect(call).rejects.toThrow('Invalid URL');
  });
});

async function waitFor(condition: () => boolean, ms = 2000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
