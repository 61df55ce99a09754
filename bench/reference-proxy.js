// Reference proxy: the same job as the service with nothing else (no framework, no logging, no
// validation library): API key hash → project, account from a Map, header injection, forward with
// undici, wrap as {status, data, headers}. It marks the practical limit for Node on this machine.
// Env: UPSTREAM (origin), API_KEY, TOKEN. Prints {"port": N} once listening.
'use strict';
const { createServer } = require('node:http');
const { createHash } = require('node:crypto');
const { Agent, request } = require('undici');

const sha256 = (text) => createHash('sha256').update(text).digest('hex');
const keys = new Map([[sha256(process.env.API_KEY), { projectId: 'p1' }]]);
const accounts = new Map([['p1', { baseUrl: process.env.UPSTREAM, token: process.env.TOKEN }]]);
const agent = new Agent({ connections: 128 });
const HOP = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'proxy-authenticate',
  'proxy-authorization',
]);

function reply(res, status, value) {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', async () => {
    const principal = keys.get(sha256(String(req.headers['x-api-key'] ?? '')));
    if (!principal) return reply(res, 401, { error: { slug: 'APIKey_InvalidAPIKey' } });
    let input;
    try {
      input = JSON.parse(Buffer.concat(chunks).toString());
    } catch {
      return reply(res, 400, { error: { slug: 'Request_MalformedJson' } });
    }
    const account = accounts.get(principal.projectId);
    try {
      const upstream = await request(new URL(input.endpoint, account.baseUrl), {
        method: input.method,
        headers: { authorization: `Bearer ${account.token}` },
        dispatcher: agent,
      });
      const bytes = Buffer.from(await upstream.body.arrayBuffer());
      const type = String(upstream.headers['content-type'] ?? '');
      const data = type.includes('json') ? JSON.parse(bytes.toString()) : bytes.toString('base64');
      const headers = {};
      for (const [name, value] of Object.entries(upstream.headers))
        if (!HOP.has(name)) headers[name] = String(value);
      reply(res, 200, { status: upstream.statusCode, data, headers });
    } catch {
      reply(res, 502, { error: { slug: 'ExternalProxy_UpstreamUnreachable' } });
    }
  });
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () =>
  process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`),
);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
