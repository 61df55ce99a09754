// `node bench/ab.js DIST_A DIST_B …`: an interleaved A/B of builds, side by side with the reference.
// Each DIST is a build's output folder (a copy of `dist` inside the project, so that it finds
// node_modules: `cp -r dist bench/builds/a`, git-ignored). All of them run at once on one upstream,
// each with its own database; then, round after round, each is loaded in turn (order rotating) and
// its CPU time per request read from /proc. Medians over rounds, and each build's CPU paired round
// by round with A's, are far steadier than one run's requests/s on a machine whose cores the load
// generator shares. Two processes of one build can still differ by up to 10 %: give each build
// two or three times (`… a b a b a b`) before trusting a difference that small
// (docs/performance.md). Env: AB_ROUNDS (6), AB_SECONDS (5), AB_CONNECTIONS (64),
// AB_PAYLOAD (small_json), DATABASE_URL (optional: one server for all, else embedded each).
'use strict';
const { join, resolve } = require('node:path');
const { Client } = require('pg');
const {
  API_KEY,
  TOKEN,
  cpuMicros,
  load,
  proxiedRequest,
  row,
  rssMb,
  startChild,
  startService,
} = require('./run');

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

async function adminQuery(databaseUrl, sql) {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * Runs the A/B and returns `{payload, connections, rounds, seconds, contenders}`, the reference
 * first, then one entry per build with its per-round `cpu` (µs per request), `rps`, `p99` and `rss`.
 */
async function runAb({
  dists,
  rounds = 6,
  seconds = 5,
  warmupSeconds = 2,
  connections = 64,
  payload = 'small_json',
  databaseUrl,
  onRound,
}) {
  const upstream = await startChild('upstream.js', {});
  const upstreamUrl = `http://127.0.0.1:${upstream.port}`;
  const reference = await startChild('reference-proxy.js', { UPSTREAM: upstreamUrl, API_KEY, TOKEN });
  const services = [];
  try {
    for (const [index, dist] of dists.entries()) {
      const entry = { name: `${String.fromCharCode(65 + index)} ${dist}` };
      services.push(entry);
      if (databaseUrl) {
        // One database each on a shared server: a fresh one per build.
        entry.database = new URL(databaseUrl);
        entry.database.pathname = `/ab_${process.pid}_${index}`;
        await adminQuery(databaseUrl, `CREATE DATABASE ${entry.database.pathname.slice(1)}`);
      }
      entry.service = await startService({
        upstream: upstreamUrl,
        databaseUrl: entry.database?.href,
        logFile: join(__dirname, 'results', `ab-${index}.log`),
        dist,
        name: `ab-${index}`,
      });
    }
    const proxied = proxiedRequest(payload);
    const contenders = [
      { name: 'reference', pid: reference.child.pid, url: `http://127.0.0.1:${reference.port}/` },
      ...services.map(({ name, service }) => ({
        name,
        pid: service.child.pid,
        url: `${service.url}/api/v3/tools/execute/proxy`,
      })),
    ].map((contender) => ({ ...contender, cpu: [], rps: [], p99: [] }));
    for (const contender of contenders) {
      if (warmupSeconds > 0) await load({ url: contender.url, ...proxied }, connections, warmupSeconds);
    }
    for (let round = 0; round < rounds; round++) {
      // Rotate the order so that no contender always runs first (or after the same one).
      const order = contenders.map((_, i) => contenders[(i + round) % contenders.length]);
      if (round % 2) order.reverse();
      for (const contender of order) {
        const before = cpuMicros(contender.pid);
        const measured = row(await load({ url: contender.url, ...proxied }, connections, seconds));
        if (measured.non2xx > 0) throw new Error(`${contender.name}: ${measured.non2xx} non-2xx answers`);
        contender.cpu.push(Math.round((cpuMicros(contender.pid) - before) / Math.max(1, measured.requests)));
        contender.rps.push(measured.rps);
        contender.p99.push(measured.p99);
      }
      onRound?.(round, order);
    }
    for (const contender of contenders) contender.rss = rssMb(contender.pid);
    return { payload, connections, rounds, seconds, contenders };
  } finally {
    for (const { service, database } of services) {
      await service?.stop();
      if (database) await adminQuery(databaseUrl, `DROP DATABASE IF EXISTS ${database.pathname.slice(1)}`);
    }
    upstream.child.kill('SIGTERM');
    reference.child.kill('SIGTERM');
  }
}

/** One line per contender: medians, the ratio to the reference, and each build paired with A. */
function summary({ payload, connections, rounds, seconds, contenders }) {
  const [reference, first] = contenders;
  const lines = [`${payload} at ${connections} connections, ${rounds} rounds of ${seconds} s`];
  for (const contender of contenders) {
    const ratio = median(contender.rps.map((rps, i) => rps / Math.max(1, reference.rps[i])));
    let line =
      `${contender.name}: median ${median(contender.cpu)} µs/request ` +
      `(${Math.min(...contender.cpu)}–${Math.max(...contender.cpu)}), ${Math.round(median(contender.rps))} rps, ` +
      `ratio ${ratio.toFixed(2)}, p99 ${median(contender.p99)} ms, RSS ${contender.rss} MB`;
    if (contender !== reference && contender !== first) {
      // Paired by round, so that a slow stretch of the machine weighs on both sides alike.
      const paired = median(contender.cpu.map((cpu, i) => cpu / first.cpu[i]));
      const won = contender.cpu.filter((cpu, i) => cpu < first.cpu[i]).length;
      line += `, CPU vs A: median ${paired.toFixed(3)}×, won ${won}/${rounds}`;
    }
    lines.push(line);
  }
  return `${lines.join('\n')}\n`;
}

module.exports = { runAb, summary };

if (require.main === module) {
  const dists = process.argv.slice(2).map((dist) => resolve(dist));
  if (dists.length === 0) {
    process.stderr.write('usage: node bench/ab.js DIST_A [DIST_B …]\n');
    process.exit(2);
  }
  const number = (name, fallback) => (process.env[name] ? Number(process.env[name]) : fallback);
  runAb({
    dists,
    rounds: number('AB_ROUNDS', 6),
    seconds: number('AB_SECONDS', 5),
    connections: number('AB_CONNECTIONS', 64),
    payload: process.env.AB_PAYLOAD ?? 'small_json',
    databaseUrl: process.env.DATABASE_URL,
    onRound: (round, order) =>
      process.stderr.write(
        `round ${round + 1}: ${order.map((c) => `${c.name.split(' ')[0]} ${c.cpu.at(-1)} µs ${c.rps.at(-1)} rps`).join(' · ')}\n`,
      ),
  })
    .then((result) => process.stdout.write(`\n${summary(result)}`))
    .catch((error) => {
      process.stderr.write(`${error.stack ?? error}\n`);
      process.exit(1);
    });
}
