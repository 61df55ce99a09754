const { spawn } = require('node:child_process');
const autocannon = require('autocannon');
const path = require('node:path');
function start(file, env) { const c = spawn(process.execPath, [file], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise(ok => c.stdout.once('data', d => ok({ c, port: JSON.parse(String(d)).port }))); }
const run = (url, opts, d) => new Promise((ok, no) => autocannon({ url, connections: 64, duration: d, ...opts }, (e, r) => e ? no(e) : ok(r)));
(async () => {
  const up = await start(path.join(__dirname, '../bench/upstream.js'), {});
  const U = `http://127.0.0.1:${up.port}`;
  const ref = await start(path.join(__dirname, '../bench/reference-proxy.js'), { UPSTREAM: U, API_KEY: 'k', TOKEN: 't' });
  const sk = await start(path.join(__dirname, process.argv[2] || 'skel.mjs'), { UPSTREAM: U });
  const body = JSON.stringify({ endpoint: '/small_json', method: 'GET' });
  const o = { method: 'POST', headers: { 'x-api-key': 'k', 'content-type': 'application/json' }, body };
  for (const [n, u] of [['ref', `http://127.0.0.1:${ref.port}/`], ['skel', `http://127.0.0.1:${sk.port}/p`]]) await run(u, o, 2);
  for (let i = 0; i < 2; i++) for (const [n, u] of [['ref', `http://127.0.0.1:${ref.port}/`], ['skel', `http://127.0.0.1:${sk.port}/p`]]) {
    const r = await run(u, o, 5); console.log(n, Math.round(r.requests.average), 'p99', r.latency.p99, 'non2xx', r.non2xx);
  }
  for (const p of [up, ref, sk]) p.c.kill();
})();
