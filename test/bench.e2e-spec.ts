import { createTestDatabase, dropTestDatabase } from './utils/test-database';
import { buildServiceOnce } from './utils/service-process';

// The benchmark is plain JavaScript so `npm run bench` needs no compile step of its own.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { runBenchmark, PAYLOADS } = require('../bench/run.js') as {
  runBenchmark: (
    options: Record<string, unknown>,
  ) => Promise<{ machine: object; date: string; cases: Array<Record<string, number | string>> }>;
  PAYLOADS: string[];
};

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
});
