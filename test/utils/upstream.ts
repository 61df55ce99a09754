import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { createHash, randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  rawHeaders: string[];
  /** Empty for the routes that read the body as it arrives (STREAM_ROUTES). */
  body: Buffer;
}

export interface Upstream {
  /** e.g. http://127.0.0.1:40123 */
  url: string;
  port: number;
  host: string;
  requests: RecordedRequest[];
  /** TCP connections accepted so far: a blocked destination must leave this at 0. */
  connections: number;
  /** Bytes the /huge route managed to write before the client stopped reading. */
  hugeBytesWritten: number;
  close(): Promise<void>;
}

type Handler = (req: IncomingMessage, res: ServerResponse, body: Buffer, upstream: Upstream) => void;

const json = (
  res: ServerResponse,
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): void => {
  const text = JSON.stringify(value);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
};

/** Echo: everything the proxy sent, so a test can see injected credentials and parameters. */
const echo: Handler = (req, res, body) => {
  const url = new URL(req.url ?? '/', 'http://upstream.invalid');
  json(res, 200, {
    method: req.method,
    path: url.pathname,
    query: Object.fromEntries([...url.searchParams.keys()].map((k) => [k, url.searchParams.getAll(k)])),
    headers: req.headers,
    body_text: body.toString('utf8'),
    body_base64: body.toString('base64'),
  });
};

let png10m: Buffer | undefined;

/** The body of /png10m: a PNG signature then random bytes, 10 MiB in all (made once, on first use). */
export function largePng(): Buffer {
  png10m ??= Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), randomBytes(10 * 1024 * 1024 - 8)]);
  return png10m;
}

/** The body of /pdf, served with a file name in content-disposition. */
export const SMALL_PDF = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');

const ROUTES: Array<[RegExp, Handler]> = [
  [
    /^\/sha256/,
    (_req, res, body) => {
      json(res, 200, { size: body.length, sha256: createHash('sha256').update(body).digest('hex') });
    },
  ],
  [
    /^\/png10m/,
    (_req, res) => {
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': largePng().length });
      res.end(largePng());
    },
  ],
  [
    /^\/raw/,
    (_req, res) => {
      // No content-type at all.
      res.end(Buffer.from([1, 2, 3, 4]));
    },
  ],
  [
    /^\/pdf/,
    (_req, res) => {
      res.writeHead(200, {
        'content-type': 'application/pdf',
        'content-disposition': `attachment; filename="quarterly report.pdf"; filename*=UTF-8''quarterly%20r%C3%A9port.pdf`,
      });
      res.end(SMALL_PDF);
    },
  ],
  [
    /^\/status\/(\d{3})/,
    (req, res) => {
      const status = Number(/^\/status\/(\d{3})/.exec(req.url ?? '')![1]);
      if (status === 204 || status === 304) {
        res.writeHead(status);
        res.end();
      } else json(res, status, { status });
    },
  ],
  [
    /^\/text/,
    (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('plain text ✓');
    },
  ],
  [
    /^\/xml/,
    (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/xml' });
      res.end('<a><b>1</b></a>');
    },
  ],
  [
    /^\/form/,
    (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/x-www-form-urlencoded' });
      res.end('a=1&b=two');
    },
  ],
  [
    /^\/empty/,
    (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '0' });
      res.end();
    },
  ],
  [
    // IDs past Number.MAX_SAFE_INTEGER, as Twitter and Discord send them.
    /^\/big-ids/,
    (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"id":1234567890123456789012,"ids":[9007199254740993]}');
    },
  ],
  [
    /^\/invalid-json/,
    (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"a":');
    },
  ],
  [
    /^\/binary/,
    (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(Buffer.from([0, 1, 2, 253, 254, 255]));
    },
  ],
  [
    /^\/redirect/,
    (req, res) => {
      const to = new URL(req.url ?? '/', 'http://upstream.invalid').searchParams.get('to') ?? '/';
      res.writeHead(302, { location: to, 'content-type': 'application/json' });
      res.end('{"redirect":true}');
    },
  ],
  [
    /^\/hop/,
    (_req, res) => {
      res.writeHead(200, {
        'content-type': 'application/json',
        // Mixed case on purpose: the answer's names come out lower-case, matched as such.
        Connection: 'keep-alive, X-Secret',
        'X-Secret': 'hop-value',
        'Keep-Alive': 'timeout=5',
        'X-Kept': 'yes',
        'set-cookie': ['a=1', 'b=2'],
      });
      res.end('{}');
    },
  ],
  [
    /^\/gzip-chain/,
    (_req, res) => {
      const once = gzipSync(Buffer.from('{"deep":true}'));
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip, gzip, gzip' });
      res.end(gzipSync(gzipSync(once)));
    },
  ],
  [
    /^\/gzip-bomb/,
    (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      res.end(gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20)));
    },
  ],
  [
    /^\/gzip/,
    (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      res.end(gzipSync(Buffer.from(JSON.stringify({ compressed: true }))));
    },
  ],
  [
    /^\/hang/,
    () => {
      // accept, read, never answer
    },
  ],
  [
    // A binary answer that sends its headers and 1 KiB, then nothing until the caller gives up.
    /^\/stall-binary/,
    (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.write(Buffer.alloc(1024, 1));
    },
  ],
  [
    /^\/trickle/,
    (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('[');
      const timer = setInterval(() => res.write('1,'), 200);
      res.on('close', () => clearInterval(timer));
    },
  ],
  [
    /^\/reset/,
    (req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('{"partial":');
      setTimeout(() => req.socket.destroy(), 50);
    },
  ],
  [
    /^\/huge/,
    (_req, res, _body, upstream) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      const chunk = Buffer.alloc(64 * 1024, 1);
      const pump = (): void => {
        while (upstream.hugeBytesWritten < 1024 * 1024 * 1024) {
          upstream.hugeBytesWritten += chunk.length;
          if (!res.write(chunk)) {
            res.once('drain', pump);
            return;
          }
        }
        res.end();
      };
      res.on('close', () => res.removeAllListeners('drain'));
      pump();
    },
  ],
];

/** The block /bytes/{n} repeats: random, fixed for the test process. */
const PATTERN = randomBytes(64 * 1024);

/** The pieces of the body /bytes/{n} sends (the pattern block repeated, the last one cut to size). */
export function* patternChunks(size: number): Generator<Buffer> {
  for (let sent = 0; sent < size; sent += PATTERN.length) {
    yield PATTERN.subarray(0, Math.min(PATTERN.length, size - sent));
  }
}

/** The SHA-256 of the body of /bytes/{size}, computed without holding it. */
export function patternSha256(size: number): string {
  const hash = createHash('sha256');
  for (const chunk of patternChunks(size)) hash.update(chunk);
  return hash.digest('hex');
}

/** Writes `chunks` with backpressure, then calls `done`. */
function pump(res: ServerResponse, chunks: Iterator<Buffer>, done: () => void): void {
  for (let next = chunks.next(); !next.done; next = chunks.next()) {
    if (!res.write(next.value)) {
      res.once('drain', () => pump(res, chunks, done));
      return;
    }
  }
  done();
}

type StreamHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => void;

/** Routes that handle the request body themselves (as it arrives) instead of after reading it whole. */
const STREAM_ROUTES: Array<[RegExp, StreamHandler]> = [
  [
    // The size and SHA-256 of the request body, hashed as it arrives, and how it was framed.
    /^\/stream-sha256/,
    (req, res) => {
      const hash = createHash('sha256');
      let size = 0;
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        hash.update(chunk);
      });
      req.on('end', () =>
        json(res, 200, {
          size,
          sha256: hash.digest('hex'),
          content_type: req.headers['content-type'] ?? null,
          content_length: req.headers['content-length'] ?? null,
          transfer_encoding: req.headers['transfer-encoding'] ?? null,
        }),
      );
    },
  ],
  [
    // {n} bytes of the pattern, with content-length unless ?chunked; content type from ?type.
    /^\/bytes\/(\d+)/,
    (req, res, url) => {
      req.resume();
      const size = Number(/^\/bytes\/(\d+)/.exec(url.pathname)![1]);
      res.writeHead(200, {
        'content-type': url.searchParams.get('type') ?? 'application/octet-stream',
        ...(!url.searchParams.has('chunked') && { 'content-length': size }),
      });
      pump(res, patternChunks(size), () => res.end());
    },
  ],
  [
    // Declares 64 KiB more than it sends: {n} bytes, then the connection drops.
    /^\/broken\/(\d+)/,
    (req, res, url) => {
      req.resume();
      const size = Number(/^\/broken\/(\d+)/.exec(url.pathname)![1]);
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': size + 65536 });
      pump(res, patternChunks(size), () => setTimeout(() => req.socket.destroy(), 20));
    },
  ],
  [
    // Reads about 1 MiB of the request body, then drops the connection without answering.
    /^\/drop-upload/,
    (req) => {
      let size = 0;
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size >= 1024 * 1024) req.socket.destroy();
      });
    },
  ],
  [
    // The multipart/form-data request body, parsed: fields with their values, files with their
    // name, type, size and SHA-256.
    /^\/multipart/,
    (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const contentType = req.headers['content-type'] ?? '';
        new Response(Buffer.concat(chunks), { headers: { 'content-type': contentType } })
          .formData()
          .then(async (form) => {
            const parts: unknown[] = [];
            for (const [name, value] of form.entries()) {
              if (typeof value === 'string') {
                parts.push({ name, value });
              } else {
                const bytes = Buffer.from(await value.arrayBuffer());
                parts.push({
                  name,
                  filename: value.name,
                  type: value.type,
                  size: bytes.length,
                  sha256: createHash('sha256').update(bytes).digest('hex'),
                });
              }
            }
            json(res, 200, { content_type: contentType, parts });
          })
          .catch((error: Error) => json(res, 400, { error: error.message }));
      });
    },
  ],
];

/** An HTTP server on a loopback address (127.0.0.1 unless told), recording what it receives. */
export async function startUpstream(host = '127.0.0.1'): Promise<Upstream> {
  const sockets = new Set<Socket>();
  const upstream: Upstream = {
    url: '',
    port: 0,
    host,
    requests: [],
    connections: 0,
    hugeBytesWritten: 0,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://upstream.invalid');
    const streamRoute = STREAM_ROUTES.find(([pattern]) => pattern.test(url.pathname));
    if (streamRoute) {
      upstream.requests.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        rawHeaders: req.rawHeaders,
        body: Buffer.alloc(0),
      });
      streamRoute[1](req, res, url);
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      upstream.requests.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        rawHeaders: req.rawHeaders,
        body,
      });
      const route = ROUTES.find(([pattern]) => pattern.test(req.url ?? ''));
      (route ? route[1] : echo)(req, res, body, upstream);
    });
  });
  server.on('connection', (socket: Socket) => {
    upstream.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  upstream.port = (server.address() as { port: number }).port;
  upstream.url = `http://${host}:${upstream.port}`;
  return upstream;
}
