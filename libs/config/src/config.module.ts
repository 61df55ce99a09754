import { type DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { appConfig, validateAppEnv } from './app.config';
import { authConfig, validateAuthEnv } from './auth.config';
import { cryptoConfig, validateCryptoEnv } from './crypto.config';
import { databaseConfig, validateDatabaseEnv } from './database.config';
import { EnvironmentError } from './env';
import { filesConfig, validateFilesEnv } from './files.config';
import { oauthConfig, validateOAuthEnv } from './oauth.config';
import { proxyConfig, validateProxyEnv } from './proxy.config';

/** Every namespace's validator: the whole environment is checked at boot and all problems reported at once. */
const validators = [
  validateAppEnv,
  validateDatabaseEnv,
  validateAuthEnv,
  validateCryptoEnv,
  validateProxyEnv,
  validateOAuthEnv,
  validateFilesEnv,
];

export function validateEnvironment(env: Record<string, unknown>): Record<string, unknown> {
  const problems: string[] = [];
  for (const validate of validators) {
    try {
      validate(env as NodeJS.ProcessEnv);
    } catch (error) {
      if (!(error instanceof EnvironmentError)) throw error;
      problems.push(...error.problems);
    }
  }
  if (problems.length > 0) throw new EnvironmentError(problems);
  return env;
}

/**
 * Global configuration. A function rather than a static import so that the environment is read when
 * the application is created (tests set theirs first), not when this file is first loaded.
 */
@Module({})
export class AppConfigModule {
  static forRoot(): Promise<DynamicModule> {
    return ConfigModule.forRoot({
      isGlobal: true,
      cache: true,
      // Tests describe their whole environment; a developer's .env must not leak into them.
      ignoreEnvFile: process.env.NODE_ENV === 'test',
      load: [appConfig, databaseConfig, authConfig, cryptoConfig, proxyConfig, oauthConfig, filesConfig],
      validate: validateEnvironment,
    });
  }
}
