import { createHash, randomBytes } from 'node:crypto';
import { FilesService, FilesSweeper } from '@app/files';
import { call, expectEnvelope, type JsonResponse } from './utils/http';
import { createAccount, proxy } from './utils/proxy-fixtures';
import { closeAll, seedProject, startTestApp, type SeededProject, type TestApp } from './utils/test-app';
import { createTestDatabase, dropTestDatabase, queryDatabase } from './utils/test-database';
import { largePng, patternSha256, SMALL_PDF, startUpstream, type Upstream } from './utils/upstream';

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

interface BinaryData {
  url: string;
  content_type: string;
  size: number;
  expires_at: string;
}

describe('GET /api/v3/files/:id', () => {
  let databaseUrl: string;
  let app: TestApp;
  let project: SeededProject;
  let upstream: Upstream;
  /** A file server for binary_body.url, on an allowed address. */
  let source: Upstream;
  /** A file server on an address outside PROXY_ALLOWED_CIDRS. */
  let blocked: Upstream;

  beforeAll(async () => {
    databaseUrl = await createTestDatabase();
    upstream = await startUpstream();
    source = await startUpstream();
    blocked = await startUpstream('127.0.0.2');
    app = await startTestApp({
      DATABASE_URL: databaseUrl,
      PROXY_ALLOWED_CIDRS: '127.0.0.1/32',
      PROXY_TIMEOUT_MS: '10000',
      PUBLIC_BASE_URL: undefined,
      FILES_URL_TTL_SECONDS: undefined,
      FILES_RETENTION_SECONDS: undefined,
    });
    project = await seedProject(app);
    await createAccount(app.url, project.key, { base_url: upstream.url, is_default: true });
  });

  afterAll(async () => {
    await closeAll(app, upstream, source, blocked);
    await dropTestDatabase(databaseUrl);
  });

  const fetchBinary = async (endpoint: string): Promise<BinaryData> => {
    const res = await proxy(app.url, project.key, { endpoint, method: 'GET' });
    expect(res.status).toBe(200);
    expect(res.body.data).toBeNull();
    return res.body.binary_data as BinaryData;
  };

  /** The link with one part replaced. */
  const withPart = (link: string, part: 'id' | 'expires' | 'signature', value: string): string => {
    const url = new URL(link);
    if (part === 'id') url.pathname = url.pathname.replace(/[^/]+$/, value);
    else url.searchParams.set(part, value);
    return url.toString();
  };

  const download = async (link: string): Promise<JsonResponse> => {
    const url = new URL(link);
    return call(app.url, 'GET', `${url.pathname}${url.search}`);
  };

  describe('binary answers', () => {
    it('gives a waiting answer its 504 at its own deadline, and frees the slots of answers that fail', async () => {
      // Five stalled answers hold the five writing slots until their 3 s deadline.
      const finished: string[] = [];
      const stalled = Array.from({ length: 5 }, () =>
        proxy(app.url, project.key, { endpoint: '/stall-binary', method: 'GET', timeout_ms: 3000 }).then(
          (res) => {
            finished.push('stalled');
            return res;
          },
        ),
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      const waiting = await proxy(app.url, project.key, {
        endpoint: '/bytes/1000?type=application/octet-stream',
        method: 'GET',
        timeout_ms: 500,
      });
      finished.push('waiting');
      expectEnvelope(waiting, 'ExternalProxy_UpstreamTimeout');
      for (const res of await Promise.all(stalled)) expectEnvelope(res, 'ExternalProxy_UpstreamTimeout');
      expect(finished[0]).toBe('waiting');
      // Failed answers gave their slots back: the next one is stored.
      expect((await fetchBinary('/bytes/1000?type=application/octet-stream')).size).toBe(1000);
    });

    it('stops the call of a caller who hangs up: its slot is free at once, not at its deadline', async () => {
      // Five callers whose stalled answers would hold every writing slot for 20 s hang up.
      const callers = Array.from({ length: 5 }, () => new AbortController());
      const hungUp = callers.map((caller) =>
        fetch(`${app.url}/api/v3/tools/execute/proxy`, {
          method: 'POST',
          headers: { 'x-api-key': project.key, 'content-type': 'application/json' },
          body: JSON.stringify({ endpoint: '/stall-binary', method: 'GET', timeout_ms: 20_000 }),
          signal: caller.signal,
        }).catch((error: Error) => error.name),
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      for (const caller of callers) caller.abort();
      expect(await Promise.all(hungUp)).toEqual(Array(5).fill('AbortError'));

      const next = await proxy(app.url, project.key, {
        endpoint: '/bytes/1000?type=application/octet-stream',
        method: 'GET',
        timeout_ms: 3000,
      });
      expect(next.status).toBe(200);
      expect(next.body.binary_data.size).toBe(1000);
    });

    it('stores more answers at once than it writes at a time: each waits its turn and arrives intact', async () => {
      // The default pool (DB_POOL_SIZE 10) gives five writing slots: twelve answers queue for them.
      const size = 600 * 1024;
      const answers = await Promise.all(
        Array.from({ length: 12 }, () => fetchBinary(`/bytes/${size}?type=application/octet-stream`)),
      );
      expect(new Set(answers.map((binary) => binary.url)).size).toBe(12);
      for (const binary of answers) {
        expect(binary.size).toBe(size);
        const response = await fetch(binary.url);
        expect(response.status).toBe(200);
        expect(sha256(Buffer.from(await response.arrayBuffer()))).toBe(patternSha256(size));
      }
    });

    it('stores a 10 MB PNG and its link downloads the identical bytes without an API key', async () => {
      const before = Date.now();
      const binary = await fetchBinary('/png10m');
      expect(binary).toEqual({
        url: expect.stringMatching(
          new RegExp(
            `^${app.url}/api/v3/files/file_[0-9A-Za-z]{22}\\?expires=\\d+&signature=[A-Za-z0-9_-]{43}$`,
          ),
        ),
        content_type: 'image/png',
        size: largePng().length,
        expires_at: expect.any(String),
      });
      // The link lasts FILES_URL_TTL_SECONDS (default one hour).
      const linkExpiry = Date.parse(binary.expires_at);
      expect(linkExpiry).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 3600_000);
      expect(linkExpiry).toBeLessThanOrEqual(Date.now() + 3600_000);

      const response = await fetch(binary.url);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('image/png');
      expect(response.headers.get('content-length')).toBe(String(largePng().length));
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('content-disposition')).toBe('attachment');
      expect(response.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox");
      expect(response.headers.get('cache-control')).toBe('private, no-store');
      const bytes = Buffer.from(await response.arrayBuffer());
      expect(sha256(bytes)).toBe(sha256(largePng()));

      // The row is kept for FILES_RETENTION_SECONDS (default a day), with the checksum of the bytes.
      const id = new URL(binary.url).pathname.split('/').pop();
      const [row] = await queryDatabase<{
        project_id: string;
        sha256: string;
        size: number;
        expires_at: Date;
      }>(databaseUrl, 'SELECT project_id, sha256, size, expires_at FROM files WHERE id = $1', [id]);
      expect(row).toEqual(
        expect.objectContaining({
          project_id: project.projectId,
          sha256: sha256(largePng()),
          size: largePng().length,
        }),
      );
      expect(row.expires_at.getTime()).toBeGreaterThanOrEqual(before + 86_400_000 - 1000);
      expect(row.expires_at.getTime()).toBeLessThanOrEqual(Date.now() + 86_400_000);
    });

    it('keeps the file name the upstream gave, on v3.1 too', async () => {
      const binary = await fetchBinary('/pdf');
      expect(binary).toEqual(
        expect.objectContaining({ content_type: 'application/pdf', size: SMALL_PDF.length }),
      );
      const response = await fetch(binary.url.replace('/api/v3/', '/api/v3.1/'));
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/pdf');
      expect(response.headers.get('content-disposition')).toBe(
        `attachment; filename="quarterly r_port.pdf"; filename*=UTF-8''quarterly%20r%C3%A9port.pdf`,
      );
      expect(Buffer.from(await response.arrayBuffer())).toEqual(SMALL_PDF);
    });

    it.each(['/echo', '/text', '/xml', '/form', '/invalid-json', '/empty'])(
      'never turns a JSON, text or empty answer (%s) into a file',
      async (endpoint) => {
        const [{ count: before }] = await queryDatabase<{ count: string }>(
          databaseUrl,
          'SELECT count(*) FROM files',
        );
        const res = await proxy(app.url, project.key, { endpoint, method: 'GET' });
        expect(res.status).toBe(200);
        expect(res.body).not.toHaveProperty('binary_data');
        if (endpoint !== '/empty') expect(res.body.data).not.toBeNull();
        const [{ count: after }] = await queryDatabase<{ count: string }>(
          databaseUrl,
          'SELECT count(*) FROM files',
        );
        expect(after).toBe(before);
      },
    );

    it('stores nothing for HEAD', async () => {
      const res = await proxy(app.url, project.key, { endpoint: '/binary', method: 'HEAD' });
      expect(res.body).toEqual({ status: 200, data: null, headers: expect.any(Object) });
    });

    it('uses PUBLIC_BASE_URL as the link origin, and another replica serves the link', async () => {
      const replica = await startTestApp({
        DATABASE_URL: databaseUrl,
        PUBLIC_BASE_URL: 'https://files.example.test/',
      });
      try {
        const res = await proxy(replica.url, project.key, { endpoint: '/binary', method: 'GET' });
        const link = (res.body.binary_data as BinaryData).url;
        expect(link).toMatch(/^https:\/\/files\.example\.test\/api\/v3\/files\/file_/);
        const downloaded = await download(link);
        expect(downloaded.status).toBe(200);
      } finally {
        await replica.close();
      }
    });
  });

  describe('links', () => {
    let link: string;
    let id: string;

    beforeAll(async () => {
      link = (await fetchBinary('/binary')).url;
      id = new URL(link).pathname.split('/').pop()!;
    });

    it('answers the file for the untouched link', async () => {
      expect((await download(link)).status).toBe(200);
    });

    it('refuses a link whose id was changed', async () => {
      const other = `${id.slice(0, -1)}${id.endsWith('A') ? 'B' : 'A'}`;
      expectEnvelope(await download(withPart(link, 'id', other)), 'File_InvalidSignature');
    });

    it('refuses a link whose expiry was changed as a signature error, even a later one', async () => {
      const expires = Number(new URL(link).searchParams.get('expires'));
      expectEnvelope(
        await download(withPart(link, 'expires', String(expires + 3600))),
        'File_InvalidSignature',
      );
      expectEnvelope(
        await download(withPart(link, 'expires', String(expires - 7200))),
        'File_InvalidSignature',
      );
    });

    it('refuses a changed, truncated or missing signature', async () => {
      const signature = new URL(link).searchParams.get('signature')!;
      const flipped = `${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`;
      expectEnvelope(await download(withPart(link, 'signature', flipped)), 'File_InvalidSignature');
      expectEnvelope(
        await download(withPart(link, 'signature', signature.slice(0, 10))),
        'File_InvalidSignature',
      );
      const url = new URL(link);
      expectEnvelope(await call(app.url, 'GET', url.pathname), 'File_InvalidSignature');
    });

    it('answers 410 for a correctly signed link past its expiry', async () => {
      const past = Math.floor(Date.now() / 1000) - 1;
      const expired = app.app.get(FilesService).signedUrl(id, past, app.url);
      expectEnvelope(await download(expired), 'File_LinkExpired');
    });

    it('answers 404 once the file is deleted', async () => {
      const fresh = (await fetchBinary('/binary')).url;
      const freshId = new URL(fresh).pathname.split('/').pop();
      await queryDatabase(databaseUrl, 'DELETE FROM files WHERE id = $1', [freshId]);
      expectEnvelope(await download(fresh), 'File_NotFound');
    });

    it('answers 404 for a file past its retention that the sweeper has not reached yet', async () => {
      const fresh = (await fetchBinary('/binary')).url;
      const freshId = new URL(fresh).pathname.split('/').pop();
      await queryDatabase(
        databaseUrl,
        "UPDATE files SET expires_at = now() - interval '1 second' WHERE id = $1",
        [freshId],
      );
      expectEnvelope(await download(fresh), 'File_NotFound');
    });

    it('answers 404 for a signed link to an id that never existed', async () => {
      const expires = Math.floor(Date.now() / 1000) + 60;
      const unknown = app.app.get(FilesService).signedUrl('file_0000000000000000000000', expires, app.url);
      expectEnvelope(await download(unknown), 'File_NotFound');
    });

    it('needs no API key while every other route still does', async () => {
      expect((await call(app.url, 'GET', `${new URL(link).pathname}${new URL(link).search}`)).status).toBe(
        200,
      );
      expectEnvelope(await call(app.url, 'GET', '/api/v3/connected_accounts'), 'Auth_NoAuthProvided');
      expectEnvelope(
        await call(app.url, 'POST', '/api/v3/tools/execute/proxy', {
          body: { endpoint: '/binary', method: 'GET' },
        }),
        'Auth_NoAuthProvided',
      );
      expectEnvelope(await call(app.url, 'GET', '/api/v3/api_keys'), 'Auth_NoAuthProvided');
    });
  });

  describe(FilesSweeper.name, () => {
    it('deletes the files past their retention and only those', async () => {
      const kept = (await fetchBinary('/binary')).url;
      const doomed = await Promise.all([fetchBinary('/binary'), fetchBinary('/pdf')]);
      const doomedIds = doomed.map((binary) => new URL(binary.url).pathname.split('/').pop());
      await queryDatabase(
        databaseUrl,
        "UPDATE files SET expires_at = now() - interval '1 minute' WHERE id = ANY($1)",
        [doomedIds],
      );
      const expiredBefore = await queryDatabase<{ id: string }>(
        databaseUrl,
        'SELECT id FROM files WHERE expires_at <= now()',
      );
      const liveBefore = await queryDatabase<{ id: string }>(
        databaseUrl,
        'SELECT id FROM files WHERE expires_at > now()',
      );

      const removed = await app.app.get(FilesSweeper).sweep();

      expect(removed).toBe(expiredBefore.length);
      expect(removed).toBeGreaterThanOrEqual(2);
      const remaining = await queryDatabase<{ id: string }>(databaseUrl, 'SELECT id FROM files ORDER BY id');
      expect(remaining.map((row) => row.id).sort()).toEqual(liveBefore.map((row) => row.id).sort());
      expect((await download(kept)).status).toBe(200);
      await expect(app.app.get(FilesSweeper).sweep()).resolves.toBe(0);
    });
  });

  describe('base64 uploads', () => {
    it.each([
      ['0 bytes', 0],
      ['1 byte', 1],
      ['5 MB', 5 * 1024 * 1024],
      ['20 MB', 20 * 1024 * 1024],
    ])('sends %s byte for byte', async (_label, size) => {
      const bytes = randomBytes(size);
      const res = await proxy(app.url, project.key, {
        endpoint: '/sha256',
        method: 'POST',
        binary_body: { base64: bytes.toString('base64'), content_type: 'application/octet-stream' },
      });
      expect(res.status).toBe(200);
      expect(res.body.data).toEqual({ size, sha256: sha256(bytes) });
    });
  });

  describe('binary_body.url', () => {
    beforeEach(() => {
      upstream.requests.length = 0;
    });

    const upload = (binaryBody: Record<string, unknown>, endpoint = '/echo'): Promise<JsonResponse> =>
      proxy(app.url, project.key, { endpoint, method: 'PUT', binary_body: binaryBody });

    it('sends the bytes of the URL with the source content type', async () => {
      const res = await upload({ url: `${source.url}/pdf` });
      expect(res.status).toBe(200);
      expect(res.body.data.headers['content-type']).toBe('application/pdf');
      expect(Buffer.from(res.body.data.body_base64, 'base64')).toEqual(SMALL_PDF);
      expect(source.requests.at(-1)).toEqual(expect.objectContaining({ method: 'GET', url: '/pdf' }));
    });

    it('sends a 10 MB file byte for byte', async () => {
      const res = await upload({ url: `${source.url}/png10m` }, '/sha256');
      expect(res.body.data).toEqual({ size: largePng().length, sha256: sha256(largePng()) });
      expect(upstream.requests.at(-1)?.headers['content-type']).toBe('image/png');
    });

    it('prefers the caller content_type, then falls back to application/octet-stream', async () => {
      const chosen = await upload({ url: `${source.url}/pdf`, content_type: 'application/x-chosen' });
      expect(chosen.body.data.headers['content-type']).toBe('application/x-chosen');
      const untyped = await upload({ url: `${source.url}/raw` });
      expect(untyped.body.data.headers['content-type']).toBe('application/octet-stream');
      expect(Buffer.from(untyped.body.data.body_base64, 'base64')).toEqual(Buffer.from([1, 2, 3, 4]));
    });

    it('answers 502 when the source fails or cannot be reached, and calls nothing upstream', async () => {
      expectEnvelope(await upload({ url: `${source.url}/status/404` }), 'ExternalProxy_BinarySourceFailed');
      const closed = await startUpstream();
      const closedUrl = closed.url;
      await closed.close();
      expectEnvelope(await upload({ url: `${closedUrl}/pdf` }), 'ExternalProxy_BinarySourceFailed');
      expect(upstream.requests).toEqual([]);
    });

    it('refuses a blocked address without connecting to it', async () => {
      expectEnvelope(await upload({ url: `${blocked.url}/pdf` }), 'ExternalProxy_DestinationNotAllowed');
      expect(blocked.connections).toBe(0);
      expect(upstream.requests).toEqual([]);
    });

    it('fetches nothing when the proxy request itself is refused', async () => {
      const before = source.requests.length;
      const res = await proxy(app.url, project.key, {
        endpoint: 'http://elsewhere.invalid/upload',
        method: 'PUT',
        binary_body: { url: `${source.url}/pdf` },
      });
      expectEnvelope(res, 'ExternalProxy_OriginMismatch');
      expect(source.requests.length).toBe(before);
    });

    it('answers 413 when the source is over the upload limit', async () => {
      expectEnvelope(await upload({ url: `${source.url}/huge` }), 'ExternalProxy_BinaryBodyTooLarge');
      expect(upstream.requests).toEqual([]);
    });

    it.each([
      [{ url: 'ftp://example.com/a' }, 'binary_body.url must be http or https'],
      [{ url: 'not a url' }, 'binary_body.url is not an absolute URL'],
      [{ url: 'http://user:pw@127.0.0.1/a' }, 'binary_body.url must not contain credentials'],
      [{ url: 'http://127.0.0.1/a', base64: 'AA==' }, 'binary_body takes either base64 or url, not both'],
    ])('refuses %j', async (binaryBody, problem) => {
      expectEnvelope(await upload(binaryBody), 'ExternalProxy_BinaryBodyInvalid', { errors: [problem] });
    });
  });
});
