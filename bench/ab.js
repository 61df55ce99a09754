// `node bench/ab.js DIST_A DIST_B …`: an interleaved A/B of builds, side by side with the reference.
// Each DIST is a build's output folder (a copy of `dist` inside the project, so that it finds
// node_modules: `cp -r dist bench/builds/a`, git-ignored). All of them
// run at once on one upstream, each with its own database; then, round after round, each is loaded
// in turn (order rotating) and its CPU time per request read from /proc. The median over the rounds
// is far steadier than one run's requests/s on a machine whose cores the load generator shares
// (docs/performance.md). Env: AB_ROUNDS (6), AB_SECONDS (5), AB_CONNECTIONS (64),
// AB_PAYLOAD (small_json), DATABASE_URL (optional: one server for all, else embedded each).
'use strict';
const { join, resolve } = require('node:path');
const { API_KEY, TOKEN, cpuMicros, load, row, rssMb, startChild, startService } = require('./run');

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

async function main() {
  const dists = process.argv.slice(2).map((dist) => resolve(dist));
  if (dists.length === 0) throw new Error('usage: node bench/ab.js DIST_A [DIST_B …]');
  const rounds = Number(process.env.AB_ROUNDS ?? 6);
  const seconds = Number(process.env.AB_SECONDS ?? 5);
  const connections = Number(process.env.AB_CONNECTIONS ?? 64);
  const payload = process.env.AB_PAYLOAD ?? 'small_json';

  const upstream = await startChild('upstream.js', {});
  const upstreamUrl = `http://127.0.0.1:${upstream.port}`;
  const reference = await startChild('reference-proxy.js', { UPSTREAM: upstreamUrl, API_KEY, TOKEN });
  const databaseUrl = process.env.DATABASE_URL;
  const services = [];
  try {
    for (const [index, dist] of dists.entries()) {
      // One database each on a shared server: a fresh one per build.
      let ownDatabase;
      if (databaseUrl) {
        ownDatabase = new URL(databaseUrl);
        ownDatabase.pathname = `/ab_${process.pid}_${index}`;
        await adminQuery(databaseUrl, `CREATE DATABASE ${ownDatabase.pathname.slice(1)}`);
      }
      const service = await startService({
        upstream: upstreamUrl,
        databaseUrl: ownDatabase?.href,
        logFile: join(__dirname, 'results', `ab-${index}.log`),
        dist,
        name: `ab-${index}`,
      });
      services.push({ name: `${String.fromCharCode(65 + index)} ${dist}`, service, ownDatabase });
    }
    const body = JSON.stringify({ endpoint: `/${payload}`, method: 'GET' });
    const proxied = {
      method: 'POST',
      headers: { 'x-api-key': API_KEY, 'content-type': 'application/json' },
      body,
    };
    const contenders = [
      {
        name: 'reference',
        pid: reference.child.pid,
        target: { url: `http://127.0.0.1:${reference.port}/`, ...proxied },
      },
      ...services.map(({ name, service }) => ({
        name,
        pid: service.child.pid,
        target: { url: `${service.url}/api/v3/tools/execute/proxy`, ...proxied },
      })),
    ];
    for (const contender of contenders) {
      contender.cpu = [];
      contender.rps = [];
      contender.p99 = [];
      await load(contender.target, connections, 2); // warm-up
    }
    for (let round = 0; round < rounds; round++) {
      // Rotate the order so that no contender always runs first (or after the same one).
      const order = contenders.map((_, i) => contenders[(i + round) % contenders.length]);
      if (round % 2) order.reverse();
      const cells = [];
      for (const contender of order) {
        const before = cpuMicros(contender.pid);
        const measured = row(await load(contender.target, connections, seconds));
        if (measured.non2xx > 0) throw new Error(`${contender.name}: ${measured.non2xx} non-2xx answers`);
        const cpu = Math.round((cpuMicros(contender.pid) - before) / Math.max(1, measured.requests));
        contender.cpu.push(cpu);
        contender.rps.push(measured.rps);
        contender.p99.push(measured.p99);
        cells.push(`${contender.name.split(' ')[0]} ${cpu} µs ${measured.rps} rps`);
      }
      process.stderr.write(`round ${round + 1}: ${cells.join(' · ')}\n`);
    }
    const reference_ = contenders[0];
    const first = contenders[1];
    process.stdout.write(`\n${payload} at ${connections} connections, ${rounds} rounds of ${seconds} s\n`);
    for (const contender of contenders) {
      const ratios = contender.rps.map((rps, i) => rps / reference_.rps[i]);
      process.stdout.write(
        `${contender.name}: median ${median(contender.cpu)} µs/request (${Math.min(...contender.cpu)}–${Math.max(...contender.cpu)}), ` +
          `${Math.round(median(contender.rps))} rps, ratio ${median(ratios).toFixed(2)}, p99 ${median(contender.p99)} ms` +
          (contender.pid === reference_.pid ? '' : `, RSS ${rssMb(contender.pid)} MB`) +
          // Paired by round, so that a slow stretch of the machine weighs on both sides alike.
          (contender === first || contender === reference_
            ? ''
            : `, CPU vs A: median ${median(contender.cpu.map((cpu, i) => cpu / first.cpu[i])).toFixed(3)}×, ` +
              `won ${contender.cpu.filter((cpu, i) => cpu < first.cpu[i]).length}/${rounds}`) +
          '\n',
      );
    }
  } finally {
    for (const { service, ownDatabase } of services) {
      await service.stop();
      if (ownDatabase)
        await adminQuery(databaseUrl, `DROP DATABASE IF EXISTS ${ownDatabase.pathname.slice(1)}`);
    }
    upstream.child.kill('SIGTERM');
    reference.child.kill('SIGTERM');
  }
}

async function adminQuery(databaseUrl, sql) {
  const { Client } = require('pg');
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
