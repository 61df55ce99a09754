import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export interface TokenCall {
  grantType: string;
  /** How the client authenticated: `basic` (Authorization header) or `post` (form fields). */
  auth: 'basic' | 'post' | 'none';
  clientId: string | undefined;
  scope: string | undefined;
}

export interface TokenEndpointBehaviour {
  /** `ok` issues tokens; `error500` answers 500; `hang` never answers. */
  mode: 'ok' | 'error500' | 'hang';
  format: 'json' | 'form';
  /** Seconds; undefined leaves `expires_in` out of the answer. */
  expiresIn: number | undefined;
  /** False: a refresh answer carries no new refresh token (the old one stays valid). */
  rotate: boolean;
  /** Delay before answering, to widen race windows. */
  delayMs: number;
}

interface Grant {
  current: string;
  used: Set<string>;
  revoked: boolean;
}

export interface TokenEndpoint {
  /** e.g. http://127.0.0.1:40123 — token endpoint at /token, protected API under /api/ */
  url: string;
  tokenUrl: string;
  calls: TokenCall[];
  /** Requests the protected API received, with the status it answered. */
  apiCalls: Array<{ path: string; status: number; body: string }>;
  behaviour: TokenEndpointBehaviour;
  /** Every access and refresh token issued or seeded: none may appear in a log line. */
  issued: string[];
  clientId: string;
  clientSecret: string;
  /** A grant the server knows: its current refresh token, and an access token it no longer accepts. */
  seedGrant(): { refreshToken: string; staleAccessToken: string };
  /** A token that looks fine but the API refuses (an unknown refresh token or access token). */
  unknownToken(kind: 'at' | 'rt'): string;
  reset(): void;
  close(): Promise<void>;
}

const DEFAULTS: TokenEndpointBehaviour = {
  mode: 'ok',
  format: 'json',
  expiresIn: 3600,
  rotate: true,
  delayMs: 0,
};

/**
 * An OAuth 2 authorization server and a protected API on 127.0.0.1. Refresh tokens rotate; reusing
 * an old one revokes the whole grant (RFC 9700 §4.14.2 reuse detection), so a proxy that refreshes
 * twice with the same token loses the grant — and the test sees it.
 */
export async function startTokenEndpoint(): Promise<TokenEndpoint> {
  const sockets = new Set<Socket>();
  const grants = new Map<string, Grant>();
  const accessTokens = new Map<string, Grant | 'client'>();
  const tag = randomBytes(4).toString('hex');
  const token = (kind: string): string => {
    const value = `${kind}-SECRET-${tag}-${randomBytes(12).toString('hex')}`;
    endpoint.issued.push(value);
    return value;
  };
  const endpoint: TokenEndpoint = {
    url: '',
    tokenUrl: '',
    calls: [],
    apiCalls: [],
    behaviour: { ...DEFAULTS },
    issued: [],
    clientId: `client-${tag}`,
    clientSecret: '',
    seedGrant() {
      const refreshToken = token('rt');
      grants.set(refreshToken, { current: refreshToken, used: new Set(), revoked: false });
      return { refreshToken, staleAccessToken: token('at') };
    },
    unknownToken: (kind) => token(kind),
    reset() {
      endpoint.calls.length = 0;
      endpoint.apiCalls.length = 0;
      endpoint.behaviour = { ...DEFAULTS };
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  endpoint.clientSecret = token('cs');

  const answer = (res: ServerResponse, status: number, fields: Record<string, unknown>): void => {
    const form = endpoint.behaviour.format === 'form' && status === 200;
    const text = form
      ? new URLSearchParams(
          Object.entries(fields).map(([k, v]): [string, string] => [k, String(v)]),
        ).toString()
      : JSON.stringify(fields);
    res.writeHead(status, {
      'content-type': form ? 'application/x-www-form-urlencoded' : 'application/json',
      'cache-control': 'no-store',
    });
    res.end(text);
  };

  const issue = (res: ServerResponse, owner: Grant | 'client', refreshToken?: string): void => {
    const accessToken = token('at');
    accessTokens.set(accessToken, owner);
    const fields: Record<string, unknown> = { access_token: accessToken, token_type: 'bearer' };
    if (endpoint.behaviour.expiresIn !== undefined) fields.expires_in = endpoint.behaviour.expiresIn;
    if (refreshToken) fields.refresh_token = refreshToken;
    answer(res, 200, fields);
  };

  const handleToken = (req: IncomingMessage, res: ServerResponse, body: string): void => {
    const form = new URLSearchParams(body);
    let clientId = form.get('client_id') ?? undefined;
    let clientSecret = form.get('client_secret') ?? undefined;
    let auth: TokenCall['auth'] = clientId ? 'post' : 'none';
    const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '');
    if (basic) {
      const [id, secret] = Buffer.from(basic[1], 'base64').toString('utf8').split(':');
      clientId = decodeURIComponent(id.replace(/\+/g, ' '));
      clientSecret = decodeURIComponent((secret ?? '').replace(/\+/g, ' '));
      auth = 'basic';
    }
    const grantType = form.get('grant_type') ?? '';
    endpoint.calls.push({ grantType, auth, clientId, scope: form.get('scope') ?? undefined });
    const { mode } = endpoint.behaviour;
    if (mode === 'hang') return;
    if (mode === 'error500') return answer(res, 500, { error: 'server_error' });
    if (clientId !== endpoint.clientId || clientSecret !== endpoint.clientSecret) {
      return answer(res, 401, { error: 'invalid_client' });
    }
    if (grantType === 'client_credentials') return issue(res, 'client');
    if (grantType !== 'refresh_token') return answer(res, 400, { error: 'unsupported_grant_type' });
    const presented = form.get('refresh_token') ?? '';
    const grant = [...grants.values()].find((g) => g.current === presented || g.used.has(presented));
    if (!grant || grant.revoked) return answer(res, 400, { error: 'invalid_grant' });
    if (grant.current !== presented) {
      // Reuse of a rotated refresh token: someone refreshed twice. Revoke the whole grant.
      grant.revoked = true;
      return answer(res, 400, { error: 'invalid_grant', error_description: 'refresh token reused' });
    }
    if (!endpoint.behaviour.rotate) return issue(res, grant);
    grant.used.add(presented);
    grant.current = token('rt');
    issue(res, grant, grant.current);
  };

  const handleApi = (req: IncomingMessage, res: ServerResponse, body: string): void => {
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const owner = bearer === undefined ? undefined : accessTokens.get(bearer);
    const valid = owner !== undefined && (owner === 'client' || !owner.revoked);
    const status = valid && !(req.url ?? '').startsWith('/api/always-401') ? 200 : 401;
    endpoint.apiCalls.push({ path: req.url ?? '', status, body });
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(status === 200 ? { ok: true, body } : { error: 'invalid_token' }));
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const route = (): void =>
        req.url === '/token' && req.method === 'POST'
          ? handleToken(req, res, body)
          : handleApi(req, res, body);
      if (req.url === '/token' && endpoint.behaviour.delayMs > 0)
        setTimeout(route, endpoint.behaviour.delayMs);
      else route();
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  endpoint.url = `http://127.0.0.1:${port}`;
  endpoint.tokenUrl = `${endpoint.url}/token`;
  return endpoint;
}
