import { validateEnvironment } from './config.module';
import { EnvironmentError } from './env';

describe(validateEnvironment.name, () => {
  const problemsOf = (env: Record<string, string>): string[] => {
    try {
      validateEnvironment(env);
      return [];
    } catch (error) {
      if (error instanceof EnvironmentError) return error.problems;
      throw error;
    }
  };

  it('names every bad variable at once', () => {
    const problems = problemsOf({ PORT: 'abc', LOG_LEVEL: 'loud', PROXY_TIMEOUT_MS: '5' });
    expect(problems.map((p) => p.split(' ')[0])).toEqual(['PORT', 'LOG_LEVEL', 'PROXY_TIMEOUT_MS']);
    expect(problems[0]).toContain('"abc"');
  });

  it('never quotes the value of a secret-bearing variable', () => {
    const problems = problemsOf({
      DATABASE_URL: 'mysql://user:hunter2-password@db/x',
      BOOTSTRAP_API_KEY: 'short secret',
    });
    expect(problems.map((p) => p.split(' ')[0])).toEqual(
      expect.arrayContaining(['DATABASE_URL', 'BOOTSTRAP_API_KEY']),
    );
    expect(problems.join('\n')).not.toMatch(/hunter2|short secret/);
  });

  it('bounds HEAP_GROWING_PERCENT (0 leaves V8 to choose)', () => {
    expect(problemsOf({ HEAP_GROWING_PERCENT: '0' })).toEqual([]);
    expect(problemsOf({ HEAP_GROWING_PERCENT: '300' })).toEqual([]);
    for (const value of ['-1', '301', 'lots']) {
      expect(problemsOf({ HEAP_GROWING_PERCENT: value }).map((p) => p.split(' ')[0])).toEqual([
        'HEAP_GROWING_PERCENT',
      ]);
    }
  });

  it('accepts an empty environment (every default)', () => {
    expect(problemsOf({})).toEqual([]);
  });

  it('refuses a token timeout that is not shorter than the refresh lease', () => {
    expect(problemsOf({ OAUTH_REFRESH_LEASE_SECONDS: '5', OAUTH_TOKEN_TIMEOUT_MS: '5000' })).toEqual([
      'OAUTH_TOKEN_TIMEOUT_MS ("5000"): must be shorter than OAUTH_REFRESH_LEASE_SECONDS (in milliseconds)',
    ]);
    expect(problemsOf({ OAUTH_REFRESH_LEASE_SECONDS: '5', OAUTH_TOKEN_TIMEOUT_MS: '4999' })).toEqual([]);
    expect(problemsOf({ OAUTH_TOKEN_TIMEOUT_MS: '30000' })).toHaveLength(1);
  });

  it('requires FILES_SIGNING_SECRET with an external database, and never quotes it', () => {
    const databaseUrl = 'postgres://db/x';
    const keys = 'k1:He5T7lEu3qm0c2xYbVzQhpZCuSOUKyCYEtRww0qpPvU=';
    expect(problemsOf({ DATABASE_URL: databaseUrl, ENCRYPTION_KEYS: keys })).toEqual([
      'FILES_SIGNING_SECRET (unset): is required when DATABASE_URL is set: set FILES_SIGNING_SECRET to ' +
        '32+ random characters, e.g. $(openssl rand -base64 32)',
    ]);
    expect(
      problemsOf({
        DATABASE_URL: databaseUrl,
        ENCRYPTION_KEYS: keys,
        FILES_SIGNING_SECRET: 'too-short-secret',
      }),
    ).toEqual([
      'FILES_SIGNING_SECRET (redacted): must be at least 32 characters (e.g. openssl rand -base64 32)',
    ]);
    expect(
      problemsOf({ DATABASE_URL: databaseUrl, ENCRYPTION_KEYS: keys, FILES_SIGNING_SECRET: 'x'.repeat(32) }),
    ).toEqual([]);
  });

  it('refuses file durations below one second', () => {
    expect(
      problemsOf({
        FILES_URL_TTL_SECONDS: '0',
        FILES_RETENTION_SECONDS: '0',
        FILES_SWEEP_INTERVAL_SECONDS: '0',
      }).map((p) => p.split(' ')[0]),
    ).toEqual(['FILES_URL_TTL_SECONDS', 'FILES_RETENTION_SECONDS', 'FILES_SWEEP_INTERVAL_SECONDS']);
  });
});
