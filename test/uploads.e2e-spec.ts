import { createHash, randomBytes } from 'node:crypto';
import { CHUNK_BYTES } from '@app/files';
import { expectEnvelope, type JsonResponse } from './utils/http';
import { createAccount, proxy } from './utils/proxy-fixtures';
import { closeAll, seedProject, startTestApp, type SeededProject, type TestApp } from './utils/test-app';
import { createTestDatabase, dropTestDatabase, queryDatabase } from './utils/test-database';
import { patternSha256, startUpstream, type Upstream } from './utils/upstream';

const MiB = 1024 * 1024;
const MAX_UPLOAD = 4 * MiB;
const MAX_RESPONSE = 8 * MiB;
const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/**
 * Streamed uploads (binary_body.url), the multipart extension, and binary answers written to
 * storage as they arrive. Everything listens on 127.0.0.2, the one allowed address here, so that
 * 127.0.0.1 (what `localhost` resolves to) is a blocked destination.
 */
describe('uploads and streamed bodies', () => {
  let databaseUrl: string;
  let app: TestApp;
  let project: SeededProject;
  let upstream: Upstream;
  let source: Upstream;
  /** On 127.0.0.1, outside PROXY_ALLOWED_CIDRS: it must never see a connection. */
  let trap: Upstream;

  beforeAll(async () => {
    databaseUrl = await createTestDatabase();
    upstream = await startUpstream('127.0.0.2');
    source = await startUpstream('127.0.0.2');
    trap = await startUpstream('127.0.0.1');
    app = await startTestApp({
      DATABASE_URL: databaseUrl,
      PROXY_ALLOWED_CIDRS: '127.0.0.2/32',
      PROXY_TIMEOUT_MS: '20000',
      PROXY_MAX_UPLOAD_BYTES: String(MAX_UPLOAD),
      PROXY_MAX_RESPONSE_BYTES: String(MAX_RESPONSE),
      PUBLIC_BASE_URL: undefined,
    });
    project = await seedProject(app);
    await createAccount(app.url, project.key, { base_url: upstream.url, is_default: true });
  });

  afterAll(async () => {
    await closeAll(app, upstream, source, trap);
    await dropTestDatabase(databaseUrl);
  });

  beforeEach(() => {
    upstream.requests.length = 0;
  });

  const send = (body: Record<string, unknown>): Promise<JsonResponse> =>
    proxy(app.url, project.key, { method: 'POST', ...body });

  const fileCounts = async (): Promise<{ files: number; chunks: number }> => {
    const [row] = await queryDatabase<{ files: string; chunks: string }>(
      databaseUrl,
      'SELECT (SELECT count(*) FROM files) AS files, (SELECT count(*) FROM file_chunks) AS chunks',
    );
    return { files: Number(row.files), chunks: Number(row.chunks) };
  };

  describe('binary_body.url, streamed', () => {
    it('sends a source without a length chunked, byte for byte', async () => {
      const size = 3 * MiB + 17;
      const res = await send({
        endpoint: '/stream-sha256',
        binary_body: { url: `${source.url}/bytes/${size}?chunked=1&type=image/png` },
      });
      expect(res.status).toBe(200);
      expect(res.body.data).toEqual({
        size,
        sha256: patternSha256(size),
        content_type: 'image/png',
        content_length: null,
        transfer_encoding: 'chunked',
      });
    });

    it('passes a declared length on as content-length', async () => {
      const size = 2 * MiB;
      const res = await send({
        endpoint: '/stream-sha256',
        binary_body: { url: `${source.url}/bytes/${size}` },
      });
      expect(res.body.data).toEqual(
        expect.objectContaining({ size, content_length: String(size), transfer_encoding: null }),
      );
    });

    it('refuses a source that declares more than the limit before calling upstream', async () => {
      const res = await send({
        endpoint: '/stream-sha256',
        binary_body: { url: `${source.url}/bytes/${MAX_UPLOAD + 1}` },
      });
      expectEnvelope(res, 'ExternalProxy_BinaryBodyTooLarge');
      expect(upstream.requests).toEqual([]);
    });

    it('cuts off a chunked source once it passes the limit', async () => {
      const res = await send({
        endpoint: '/stream-sha256',
        binary_body: { url: `${source.url}/bytes/${MAX_UPLOAD + 1}?chunked=1` },
      });
      expectEnvelope(res, 'ExternalProxy_BinaryBodyTooLarge');
    });

    it('accepts a chunked source of exactly the limit', async () => {
      const res = await send({
        endpoint: '/stream-sha256',
        binary_body: { url: `${source.url}/bytes/${MAX_UPLOAD}?chunked=1` },
      });
      expect(res.body.data).toEqual(expect.objectContaining({ size: MAX_UPLOAD }));
    });

    it('answers 502 BinarySourceFailed when the source breaks off half-way', async () => {
      const res = await send({
        endpoint: '/stream-sha256',
        binary_body: { url: `${source.url}/broken/${MiB}` },
      });
      expectEnvelope(res, 'ExternalProxy_BinarySourceFailed');
    });

    it('answers 504 when the deadline passes while the source is still sending', async () => {
      const res = await send({
        endpoint: '/stream-sha256',
        binary_body: { url: `${source.url}/trickle` },
        timeout_ms: 600,
      });
      expectEnvelope(res, 'ExternalProxy_UpstreamTimeout');
    });

    it('blames the upstream, not the source, when the upstream drops the upload', async () => {
      const res = await send({
        endpoint: '/drop-upload',
        binary_body: { url: `${source.url}/bytes/${3 * MiB}` },
      });
      expectEnvelope(res, 'ExternalProxy_UpstreamUnreachable');
    });

    it('refuses a source name that resolves to a blocked address, and nothing connects to it', async () => {
      const before = trap.connections;
      const res = await send({
        endpoint: '/stream-sha256',
        binary_body: { url: `http://localhost:${trap.port}/pdf` },
      });
      expectEnvelope(res, 'ExternalProxy_DestinationNotAllowed', {
        errors: ['binary_body.url resolves to an address that is not public'],
      });
      expect(trap.connections).toBe(before);
      expect(upstream.requests).toEqual([]);
    });
  });

  describe('multipart', () => {
    it('sends two fields and two files (base64 and URL) as multipart/form-data', async () => {
      const image = randomBytes(300_000);
      const size = MiB + 3;
      const res = await send({
        endpoint: '/multipart',
        multipart: [
          { name: 'channels', value: 'C0123' },
          { name: 'count', value: 3 },
          {
            name: 'file',
            filename: 'chart.png',
            content_type: 'image/png',
            base64: image.toString('base64'),
          },
          {
            name: 'report',
            filename: 'report.bin',
            url: `${source.url}/bytes/${size}?type=application/x-report`,
          },
        ],
      });
      expect(res.status).toBe(200);
      expect(res.body.data.content_type).toMatch(
        /^multipart\/form-data; boundary=----ProxyExecute[0-9a-f]{32}$/,
      );
      expect(res.body.data.parts).toEqual([
        { name: 'channels', value: 'C0123' },
        { name: 'count', value: '3' },
        { name: 'file', filename: 'chart.png', type: 'image/png', size: image.length, sha256: sha256(image) },
        {
          name: 'report',
          filename: 'report.bin',
          type: 'application/x-report',
          size,
          sha256: patternSha256(size),
        },
      ]);
      // Every part's length is known (the URL declared its own): the body is not chunked.
      expect(upstream.requests[0].headers['content-length']).toMatch(/^\d+$/);
      expect(upstream.requests[0].headers['transfer-encoding']).toBeUndefined();
    });

    it('names a file part after its field when no filename is given', async () => {
      const res = await send({
        endpoint: '/multipart',
        multipart: [{ name: 'upload', base64: Buffer.from('x').toString('base64') }],
      });
      expect(res.body.data.parts).toEqual([
        expect.objectContaining({
          name: 'upload',
          filename: 'upload',
          type: 'application/octet-stream',
          size: 1,
        }),
      ]);
    });

    it('escapes quotes and line breaks in names and file names as browsers do', async () => {
      const res = await send({
        endpoint: '/echo',
        multipart: [{ name: 'we"ird\r\nX-Injected: 1', filename: 'a"b\r\nc.txt', base64: 'eQ==' }],
      });
      const sent = res.body.data.body_text as string;
      expect(sent).toContain(
        'Content-Disposition: form-data; name="we%22ird%0D%0AX-Injected: 1"; filename="a%22b%0D%0Ac.txt"\r\n',
      );
      expect(sent).not.toMatch(/^X-Injected/m);
    });

    it('keeps a multipart subtype the caller names, with its own boundary', async () => {
      const res = await send({
        endpoint: '/stream-sha256',
        parameters: [{ name: 'Content-Type', value: 'multipart/related; boundary=theirs', type: 'header' }],
        multipart: [
          { name: 'metadata', value: '{"name":"a.txt"}', content_type: 'application/json; charset=UTF-8' },
          { name: 'media', content_type: 'text/plain', base64: Buffer.from('hello').toString('base64') },
        ],
      });
      expect(res.body.data.content_type).toMatch(
        /^multipart\/related; boundary=----ProxyExecute[0-9a-f]{32}$/,
      );
    });

    it('replaces a caller content-type that is not multipart', async () => {
      const res = await send({
        endpoint: '/multipart',
        parameters: [{ name: 'content-type', value: 'application/json', type: 'header' }],
        multipart: [{ name: 'a', value: '1' }],
      });
      expect(res.body.data).toEqual({
        content_type: expect.stringMatching(/^multipart\/form-data; boundary=/),
        parts: [{ name: 'a', value: '1' }],
      });
    });

    it('streams a URL part of unknown length chunked', async () => {
      const size = 2 * MiB;
      const res = await send({
        endpoint: '/multipart',
        multipart: [{ name: 'f', url: `${source.url}/bytes/${size}?chunked=1` }],
      });
      expect(res.body.data.parts).toEqual([expect.objectContaining({ size, sha256: patternSha256(size) })]);
      expect(upstream.requests[0].headers['transfer-encoding']).toBe('chunked');
    });

    it.each([
      [
        'a part with two sources',
        [{ name: 'a', value: '1', base64: 'AA==' }],
        ['multipart[0]: give exactly one of value, base64 and url'],
      ],
      ['a part with none', [{ name: 'a' }], ['multipart[0]: give exactly one of value, base64 and url']],
      [
        'a file name on a plain field',
        [{ name: 'a', value: '1', filename: 'a.txt' }],
        ['multipart[0]: filename needs base64 or url'],
      ],
    ])('refuses %s with 400', async (_label, multipart, errors) => {
      expectEnvelope(await send({ endpoint: '/multipart', multipart }), 'Request_ValidationFailed', {
        errors,
      });
      expect(upstream.requests).toEqual([]);
    });

    it('refuses an empty list, a nameless part and a content type with a line break', async () => {
      for (const multipart of [
        [],
        [{ value: '1' }],
        [{ name: 'a', base64: 'AA==', content_type: 'a/b\r\nx: y' }],
      ]) {
        expectEnvelope(await send({ endpoint: '/multipart', multipart }), 'Request_ValidationFailed');
      }
    });

    it('refuses multipart together with body or binary_body, and with GET', async () => {
      const multipart = [{ name: 'a', value: '1' }];
      expectEnvelope(
        await send({ endpoint: '/multipart', multipart, body: { a: 1 } }),
        'ExternalProxy_BinaryBodyInvalid',
        {
          errors: ['send only one of body, multipart'],
        },
      );
      expectEnvelope(
        await send({ endpoint: '/multipart', multipart, binary_body: { base64: 'AA==' } }),
        'ExternalProxy_BinaryBodyInvalid',
        { errors: ['send only one of binary_body, multipart'] },
      );
      expectEnvelope(
        await send({ endpoint: '/multipart', method: 'GET', multipart }),
        'Request_ValidationFailed',
        {
          errors: ['multipart is not allowed with GET'],
        },
      );
    });

    it('refuses bad base64 in a part, naming the part', async () => {
      const res = await send({
        endpoint: '/multipart',
        multipart: [
          { name: 'a', value: '1' },
          { name: 'f', base64: 'A' },
        ],
      });
      expectEnvelope(res, 'ExternalProxy_BinaryBodyInvalid', {
        errors: ['multipart[1].base64 is not valid base64'],
      });
    });

    it('counts every part against one upload limit', async () => {
      const half = randomBytes(MAX_UPLOAD / 2 + 1).toString('base64');
      const res = await send({
        endpoint: '/multipart',
        multipart: [
          { name: 'a', base64: half },
          { name: 'b', base64: half },
        ],
      });
      expectEnvelope(res, 'ExternalProxy_BinaryBodyTooLarge');
      const viaUrl = await send({
        endpoint: '/multipart',
        multipart: [
          { name: 'a', base64: half },
          { name: 'b', url: `${source.url}/bytes/${MAX_UPLOAD / 2}?chunked=1` },
        ],
      });
      expectEnvelope(viaUrl, 'ExternalProxy_BinaryBodyTooLarge');
    });

    it('names the part whose URL failed, and calls nothing upstream', async () => {
      const res = await send({
        endpoint: '/multipart',
        multipart: [
          { name: 'a', value: '1' },
          { name: 'f', url: `${source.url}/status/404` },
        ],
      });
      expectEnvelope(res, 'ExternalProxy_BinarySourceFailed', { errors: ['multipart[1].url answered 404'] });
      expect(upstream.requests).toEqual([]);
    });

    it('refuses a part whose URL is on a blocked address without connecting to it', async () => {
      const before = trap.connections;
      for (const url of [`http://127.0.0.1:${trap.port}/pdf`, `http://localhost:${trap.port}/pdf`]) {
        const res = await send({ endpoint: '/multipart', multipart: [{ name: 'f', url }] });
        expectEnvelope(res, 'ExternalProxy_DestinationNotAllowed');
      }
      expect(trap.connections).toBe(before);
      expect(upstream.requests).toEqual([]);
    });
  });

  describe('binary answers, stored as they arrive', () => {
    const get = (endpoint: string): Promise<JsonResponse> =>
      proxy(app.url, project.key, { endpoint, method: 'GET' });

    it('writes an answer in chunks of CHUNK_BYTES and its link serves it back identical', async () => {
      const size = 6 * MiB + 5;
      const before = await fileCounts();
      const res = await get(`/bytes/${size}?type=image/png`);
      expect(res.status).toBe(200);
      expect(res.body.data).toBeNull();
      expect(res.body.binary_data).toEqual(expect.objectContaining({ content_type: 'image/png', size }));
      expect(await fileCounts()).toEqual({
        files: before.files + 1,
        chunks: before.chunks + Math.ceil(size / CHUNK_BYTES),
      });
      const id = new URL(res.body.binary_data.url as string).pathname.split('/').pop();
      const [row] = await queryDatabase<{ size: number; sha256: string; largest: number }>(
        databaseUrl,
        `SELECT f.size, f.sha256, (SELECT max(octet_length(data)) FROM file_chunks WHERE file_id = f.id) AS largest
           FROM files f WHERE f.id = $1`,
        [id],
      );
      expect(row).toEqual({ size, sha256: patternSha256(size), largest: CHUNK_BYTES });

      const link = new URL(res.body.binary_data.url as string);
      const download = await fetch(`${app.url}${link.pathname}${link.search}`);
      expect(download.status).toBe(200);
      expect(download.headers.get('content-length')).toBe(String(size));
      expect(sha256(Buffer.from(await download.arrayBuffer()))).toBe(patternSha256(size));
    });

    it('answers 502 past PROXY_MAX_RESPONSE_BYTES and leaves nothing stored', async () => {
      const before = await fileCounts();
      expectEnvelope(await get(`/bytes/${MAX_RESPONSE + 1}?chunked=1`), 'ExternalProxy_ResponseTooLarge');
      expect(await fileCounts()).toEqual(before);
    });

    it('answers 502 when the answer breaks off half-way and leaves nothing stored', async () => {
      const before = await fileCounts();
      expectEnvelope(await get(`/broken/${3 * MiB}`), 'ExternalProxy_UpstreamUnreachable');
      expect(await fileCounts()).toEqual(before);
    });

    it('stores nothing for an empty binary answer', async () => {
      const before = await fileCounts();
      const res = await get('/bytes/0');
      expect(res.status).toBe(200);
      expect(res.body).toEqual(expect.objectContaining({ status: 200, data: null }));
      expect(res.body.binary_data).toBeUndefined();
      expect(await fileCounts()).toEqual(before);
    });
  });
});
