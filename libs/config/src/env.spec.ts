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
});
