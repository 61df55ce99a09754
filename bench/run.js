// `npm run bench`: the service side by side with the limit, on loopback only.
// Starts an upstream, a reference proxy and the built service (embedded PostgreSQL, production
// settings), loads each with autocannon after a warm-up, prints a table and writes
// bench/results/latest.json. Read docs/performance.md for what the numbers mean.
'use strict';
const { spawn } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
  openSync,
} = require('node:fs');
const { cpus, totalmem, tmpdir, platform, release } = require('node:os');
const { join, resolve } = require('node:path');
const { createServer } = require('node:net');
const autocannon = require('autocannon');
const { Client } = require('pg');

const ROOT = resolve(__dirname, '..');
const PAYLOADS = ['small_json', 'json_100k', 'binary_5m'];
const API_KEY = `bench-${randomBytes(16).toString('hex')}`;
const TOKEN = `tok-${randomBytes(12).toString('hex')}`;

function freePort() {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => ok(port));
    });
  });
}

/** `--cpu-prof` flags when BENCH_CPU_PROF names a directory: one profile per process, named after it. */
function profileFlags(name) {
  const dir = process.env.BENCH_CPU_PROF;
  return dir ? ['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-name', `${name}.cpuprofile`] : [];
}

/** Starts a helper script that prints {"port": N}. */
function startChild(script, env) {
  const child = spawn(
    process.execPath,
    [...profileFlags(script.replace(/\.js$/, '')), join(__dirname, script)],
    {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return new Promise((ok, fail) => {
    child.once('exit', (code) => fail(new Error(`${script} exited with ${code}`)));
    child.stdout.once('data', (line) => ok({ child, port: JSON.parse(String(line)).port }));
  });
}

/** The POST that asks a proxy (the reference or the service) for one of the upstream's payloads. */
function proxiedRequest(payload) {
  return {
    method: 'POST',
    headers: { 'x-api-key': API_KEY, 'content-type': 'application/json' },
    body: JSON.stringify({ endpoint: `/${payload}`, method: 'GET' }),
  };
}

async function waitReady(url, child, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`service exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/health/ready`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('service not ready in time');
}

/**
 * The built service, as `npm start` runs it, with its own embedded PostgreSQL (or DATABASE_URL).
 * `dist` is the build's output folder (`dist` by default), `name` its profile's name.
 */
async function startService({ upstream, databaseUrl, logFile, dist = join(ROOT, 'dist'), name = 'service' }) {
  const dataDir = mkdtempSync(join(tmpdir(), 'proxy-execute-bench-'));
  chmodSync(dataDir, 0o755);
  const port = await freePort();
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(port),
    LOG_LEVEL: 'info',
    DATA_DIR: dataDir,
    EMBEDDED_PG_PORT: String(await freePort()),
    BOOTSTRAP_API_KEY: API_KEY,
    PROXY_ALLOWED_CIDRS: '127.0.0.0/8',
    ...(databaseUrl && {
      DATABASE_URL: databaseUrl,
      ENCRYPTION_KEYS: `bench:${randomBytes(32).toString('base64')}`,
      FILES_SIGNING_SECRET: randomBytes(32).toString('base64'),
    }),
  };
  const log = openSync(logFile, 'w');
  const child = spawn(process.execPath, [...profileFlags(name), join(dist, 'apps/api/src/main.js')], {
    env,
    stdio: ['ignore', log, log],
  });
  const url = `http://127.0.0.1:${port}`;
  await waitReady(url, child);
  const created = await fetch(`${url}/api/v3/connected_accounts`, {
    method: 'POST',
    headers: { 'x-api-key': API_KEY, 'content-type': 'application/json' },
    body: JSON.stringify({
      toolkit_slug: 'bench',
      base_url: upstream,
      auth_scheme: 'BEARER_TOKEN',
      credentials: { token: TOKEN },
      is_default: true,
    }),
  });
  if (created.status !== 201)
    throw new Error(`account creation failed: ${created.status} ${await created.text()}`);
  const database =
    databaseUrl ??
    `postgres://postgres:${encodeURIComponent(readFileSync(join(dataDir, 'postgres.password'), 'utf8').trim())}@127.0.0.1:${env.EMBEDDED_PG_PORT}/proxy_execute`;
  return {
    child,
    url,
    database,
    stop: async () => {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function rssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024);
}

/** CPU time (user + system) a process has used so far, in microseconds (from /proc, 10 ms ticks). */
function cpuMicros(pid) {
  // Fields after the parenthesised command name: utime and stime are the 12th and 13th.
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / 100;
}

/** Transactions committed in the service's database so far (each query outside a transaction is one). */
async function transactions(databaseUrl) {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query(
      'SELECT xact_commit::bigint AS n FROM pg_stat_database WHERE datname = current_database()',
    );
    return Number(rows[0].n);
  } finally {
    await client.end();
  }
}

function load(target, connections, duration) {
  return new Promise((ok, fail) => {
    autocannon({ ...target, connections, duration, pipelining: 1, timeout: 30 }, (error, result) =>
      error ? fail(error) : ok(result),
    );
  });
}

/** Two halves of one measurement as one: totals summed, latency percentiles weighted by requests. */
function combine(rows, seconds) {
  const requests = rows.reduce((sum, r) => sum + r.requests, 0);
  const weighted = (key) =>
    Math.round(rows.reduce((sum, r) => sum + r[key] * r.requests, 0) / Math.max(1, requests));
  return {
    rps: Math.round(requests / seconds),
    p50: weighted('p50'),
    p99: weighted('p99'),
    requests,
    non2xx: rows.reduce((sum, r) => sum + r.non2xx, 0),
  };
}

function row(result) {
  return {
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    non2xx: result.non2xx + result.errors + result.timeouts,
  };
}

/**
 * Runs every case and returns the report. `options`: durationSeconds, warmupSeconds,
 * connections (list), payloads (list), databaseUrl (use instead of the embedded database).
 */
async function runBenchmark(options = {}) {
  const durationSeconds = options.durationSeconds ?? 8;
  const warmupSeconds = options.warmupSeconds ?? 2;
  const connectionsList = options.connections ?? [1, 16, 64];
  const payloads = options.payloads ?? PAYLOADS;
  const resultsDir = join(__dirname, 'results');
  mkdirSync(resultsDir, { recursive: true });

  const upstream = await startChild('upstream.js', {});
  const upstreamUrl = `http://127.0.0.1:${upstream.port}`;
  const reference = await startChild('reference-proxy.js', { UPSTREAM: upstreamUrl, API_KEY, TOKEN });
  const service = await startService({
    upstream: upstreamUrl,
    databaseUrl: options.databaseUrl,
    logFile: join(resultsDir, 'service.log'),
  });
  const cases = [];
  try {
    for (const payload of payloads) {
      const proxied = proxiedRequest(payload);
      const targets = {
        direct: { url: `${upstreamUrl}/${payload}` },
        reference: { url: `http://127.0.0.1:${reference.port}/`, ...proxied },
        service: { url: `${service.url}/api/v3/tools/execute/proxy`, ...proxied },
      };
      for (const connections of connectionsList) {
        const measured = {};
        // Direct to the upstream is context, measured once.
        if (warmupSeconds > 0) await load(targets.direct, connections, warmupSeconds);
        measured.direct = row(await load(targets.direct, connections, durationSeconds));
        // Reference and service in halves, ordered reference, service, service, reference: a
        // machine that slows down or speeds up during the case weighs on both alike.
        for (const name of ['reference', 'service'])
          if (warmupSeconds > 0) await load(targets[name], connections, warmupSeconds);
        const pids = { reference: reference.child.pid, service: service.child.pid };
        const halves = { reference: [], service: [] };
        const cpu = { reference: 0, service: 0 };
        let before = 0;
        let rssStart = 0;
        let dbQueries = 0;
        for (const name of ['reference', 'service', 'service', 'reference']) {
          if (name === 'service' && halves.service.length === 0) {
            before = await transactions(service.database);
            rssStart = rssMb(service.child.pid);
          }
          const cpuBefore = cpuMicros(pids[name]);
          halves[name].push(row(await load(targets[name], connections, durationSeconds / 2)));
          cpu[name] += cpuMicros(pids[name]) - cpuBefore;
          if (name === 'service' && halves.service.length === 2) {
            // The reading query itself is one transaction.
            const served = halves.service[0].requests + halves.service[1].requests;
            dbQueries =
              Math.max(0, (await transactions(service.database)) - before - 1) / Math.max(1, served);
          }
        }
        for (const name of ['reference', 'service']) {
          measured[name] = combine(halves[name], durationSeconds);
          // CPU per request: steadier than requests/s when the load generator shares the cores.
          measured[name].cpuPerRequest = Math.round(cpu[name] / Math.max(1, measured[name].requests));
        }
        const entry = {
          payload,
          connections,
          direct_rps: measured.direct.rps,
          reference_rps: measured.reference.rps,
          service_rps: measured.service.rps,
          ratio: Number((measured.service.rps / Math.max(1, measured.reference.rps)).toFixed(2)),
          reference_p50_ms: measured.reference.p50,
          service_p50_ms: measured.service.p50,
          reference_p99_ms: measured.reference.p99,
          service_p99_ms: measured.service.p99,
          reference_cpu_us_per_request: measured.reference.cpuPerRequest,
          service_cpu_us_per_request: measured.service.cpuPerRequest,
          service_non_2xx: measured.service.non2xx,
          db_queries_per_request: Number(dbQueries.toFixed(4)),
          service_requests: measured.service.requests,
          // RSS after the warm-up and after the run: flat memory means these two stay close.
          service_rss_start_mb: rssStart,
          service_rss_mb: rssMb(service.child.pid),
        };
        cases.push(entry);
        options.onCase?.(entry);
      }
    }
  } finally {
    await service.stop();
    upstream.child.kill('SIGTERM');
    reference.child.kill('SIGTERM');
  }
  return {
    machine: {
      cpus: cpus().length,
      cpu_model: cpus()[0]?.model,
      memory_gb: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      os: `${platform()} ${release()}`,
    },
    date: new Date().toISOString(),
    settings: { duration_seconds: durationSeconds, warmup_seconds: warmupSeconds },
    cases,
  };
}

function printTable(cases) {
  const header = [
    'payload',
    'conns',
    'direct rps',
    'reference rps',
    'service rps',
    'ratio',
    'ref p99',
    'svc p99',
    'ref cpu µs',
    'svc cpu µs',
    'svc non-2xx',
    'db q/req',
    'svc reqs',
    'RSS start→end MB',
  ];
  const rows = cases.map((c) =>
    [
      c.payload,
      c.connections,
      c.direct_rps,
      c.reference_rps,
      c.service_rps,
      c.ratio,
      c.reference_p99_ms,
      c.service_p99_ms,
      c.reference_cpu_us_per_request,
      c.service_cpu_us_per_request,
      c.service_non_2xx,
      c.db_queries_per_request,
      c.service_requests,
      `${c.service_rss_start_mb}→${c.service_rss_mb}`,
    ].map(String),
  );
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => cells.map((c, i) => c.padStart(widths[i])).join('  ');
  process.stdout.write(`${line(header)}\n${rows.map(line).join('\n')}\n`);
}

module.exports = {
  runBenchmark,
  printTable,
  PAYLOADS,
  API_KEY,
  TOKEN,
  startChild,
  startService,
  proxiedRequest,
  load,
  row,
  cpuMicros,
  rssMb,
};

if (require.main === module) {
  const number = (name, fallback) => (process.env[name] ? Number(process.env[name]) : fallback);
  const list = (name, fallback) =>
    process.env[name] ? process.env[name].split(',').map((s) => s.trim()) : fallback;
  runBenchmark({
    durationSeconds: number('BENCH_DURATION', 8),
    warmupSeconds: number('BENCH_WARMUP', 2),
    connections: list('BENCH_CONNECTIONS', ['1', '16', '64']).map(Number),
    payloads: list('BENCH_PAYLOADS', PAYLOADS),
    onCase: (c) =>
      process.stderr.write(
        `  ${c.payload} @ ${c.connections}: service ${c.service_rps} rps, reference ${c.reference_rps} rps\n`,
      ),
  })
    .then((report) => {
      printTable(report.cases);
      const file = join(__dirname, 'results', 'latest.json');
      writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
      process.stdout.write(`\nWrote ${file}\n`);
    })
    .catch((error) => {
      process.stderr.write(`${error.stack ?? error}\n`);
      process.exit(1);
    });
}
