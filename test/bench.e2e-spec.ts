import { join } from 'node:path';
import { createTestDatabase, dropTestDatabase, queryDatabase } from './utils/test-database';
import { buildServiceOnce, REPO_ROOT } from './utils/service-process';

// The benchmark is plain JavaScript so `npm run bench` needs no compile step of its own.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { runBenchmark, PAYLOADS } = require('../bench/run.js') as {
  runBenchmark: (
    options: Record<string, unknown>,
  ) => Promise<{ machine: object; date: string; cases: Array<Record<string, number | string>> }>;
  PAYLOADS: string[];
};

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { runAb, summary } = require('../bench/ab.js') as {
  runAb: (options: Record<string, unknown>) => Promise<AbResult>;
  summary: (result: AbResult) => string;
};

interface AbResult {
  rounds: number;
  contenders: Array<{ name: string; cpu: number[]; rps: number[]; p99: number[]; rss: number }>;
}

describe('npm run bench (smoke)', () => {
  let databaseUrl: string;

  beforeAll(async () => {
    buildServiceOnce();
    databaseUrl = await createTestDatabase();
  }, 300_000);

  afterAll(async () => {
    await dropTestDatabase(databaseUrl);
  });

  it('runs every payload against direct, reference and service, and the service answers only 200s', async () => {
    const report = await runBenchmark({
      durationSeconds: 1,
      warmupSeconds: 0,
      connections: [2],
      databaseUrl,
    });
    expect(report.cases.map((c) => c.payload)).toEqual(PAYLOADS);
    for (const entry of report.cases) {
      expect(entry).toEqual(
        expect.objectContaining({
          connections: 2,
          direct_rps: expect.any(Number),
          reference_rps: expect.any(Number),
          service_rps: expect.any(Number),
          ratio: expect.any(Number),
          reference_p99_ms: expect.any(Number),
          service_p99_ms: expect.any(Number),
          db_queries_per_request: expect.any(Number),
          service_rss_mb: expect.any(Number),
          service_rss_start_mb: expect.any(Number),
          service_requests: expect.any(Number),
          reference_cpu_us_per_request: expect.any(Number),
          service_cpu_us_per_request: expect.any(Number),
        }),
      );
      expect({ payload: entry.payload, non2xx: entry.service_non_2xx }).toEqual({
        payload: entry.payload,
        non2xx: 0,
      });
      expect(entry.direct_rps).toBeGreaterThan(0);
    }
    expect(report.cases.find((c) => c.payload === 'small_json')?.service_rps).toBeGreaterThan(0);
    expect(report.machine).toEqual(
      expect.objectContaining({ cpus: expect.any(Number), node: process.version }),
    );
  }, 180_000);

  it('bench/ab.js loads two builds and the reference in rotating rounds, and leaves no database behind', async () => {
    const dist = join(REPO_ROOT, 'dist');
    const result = await runAb({
      dists: [dist, dist],
      rounds: 2,
      seconds: 1,
      warmupSeconds: 0,
      connections: 2,
      databaseUrl,
    });
    expect(result.contenders.map((c) => c.name)).toEqual(['reference', `A ${dist}`, `B ${dist}`]);
    for (const contender of result.contenders) {
      expect(contender.cpu).toHaveLength(2);
      expect(contender.rps.every((rps) => rps > 0)).toBe(true);
      expect(contender.cpu.every((cpu) => Number.isInteger(cpu) && cpu >= 0)).toBe(true);
      expect(contender.rss).toBeGreaterThan(0);
    }
    const lines = summary(result).trim().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[3]).toMatch(/CPU vs A: median [\d.]+×, won \d\/2$/);
    const left = await queryDatabase(
      databaseUrl,
      "SELECT datname FROM pg_database WHERE datname LIKE 'ab\\_%'",
    );
    expect(left).toEqual([]);
  }, 180_000);
});
