// Benchmark upstream: plain node:http answering the three payloads of the benchmark.
// Run as a child process: prints {"port": N} on stdout once listening.
'use strict';
const { createServer } = require('node:http');

const small = Buffer.from(JSON.stringify({ id: 1, name: 'octocat', public_repos: 8, site_admin: false }));
const items = Array.from({ length: 700 }, (_, i) => ({
  id: i,
  name: `repo-${i}`,
  full_name: `octo/repo-${i}`,
  stars: i * 3,
  private: false,
  description: 'A repository used to make a 100 KB answer',
}));
const json100k = Buffer.from(JSON.stringify({ total: items.length, items }));
const binary5m = Buffer.alloc(5 * 1024 * 1024, 7);

const PAYLOADS = {
  '/small_json': ['application/json', small],
  '/json_100k': ['application/json', json100k],
  '/binary_5m': ['application/octet-stream', binary5m],
};

const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    const [type, body] = PAYLOADS[req.url.split('?')[0]] ?? ['application/json', small];
    res.writeHead(200, { 'content-type': type, 'content-length': body.length });
    res.end(body);
  });
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () =>
  process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`),
);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
