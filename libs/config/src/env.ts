import { registerAs } from '@nestjs/config';
import { plainToInstance, type ClassConstructor } from 'class-transformer';
import { validateSync } from 'class-validator';

/** Variables whose values never appear in an error message (they hold keys or passwords). */
const SECRET_VARIABLES = new Set([
  'BOOTSTRAP_API_KEY',
  'DATABASE_URL',
  'ENCRYPTION_KEYS',
  'FILES_SIGNING_SECRET',
]);

/** Raised when the environment does not validate; every problem is listed, each naming its variable. */
export class EnvironmentError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid environment:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'EnvironmentError';
  }
}

/**
 * Validates one namespace of the environment against a class-validator class whose property names
 * are the variable names. Empty strings count as unset, so `FOO=` in an .env file takes the default.
 */
export function readEnv<T extends object>(schema: ClassConstructor<T>, env: NodeJS.ProcessEnv): T {
  const present: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && value !== '') present[name] = value;
  }
  const instance = plainToInstance(schema, present, { exposeDefaultValues: true });
  const errors = validateSync(instance, { skipMissingProperties: false, forbidUnknownValues: false });
  if (errors.length > 0) {
    throw new EnvironmentError(
      errors.map((e) => {
        const shown =
          present[e.property] === undefined
            ? 'unset'
            : SECRET_VARIABLES.has(e.property)
              ? 'redacted'
              : JSON.stringify(present[e.property]);
        return `${e.property} (${shown}): ${Object.values(e.constraints ?? {}).join('; ')}`;
      }),
    );
  }
  return instance;
}

export const toBoolean = ({ value }: { value: unknown }): unknown => {
  if (typeof value !== 'string') return value;
  const v = value.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off'].includes(v)) return false;
  return value;
};

export const toInteger = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value.trim()) : value;

/** What a command-line entry point prints when it cannot start: the environment's problems, or the error. */
export function startupFailureMessage(error: unknown): string {
  if (error instanceof EnvironmentError) return error.message;
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

/**
 * One configuration namespace: `config`, registered under `name` and built from the environment as
 * `read` validates it, and `validate`, the same check on any environment (ConfigModule runs every
 * namespace's at boot, so that all bad variables are named at once).
 */
export function defineNamespace<E extends object, C extends Record<string, unknown>>(
  name: string,
  read: (env: NodeJS.ProcessEnv) => E,
  build: (env: E) => C,
) {
  const factory = (): C => build(read(process.env));
  return {
    config: registerAs(name, factory),
    validate: (env: NodeJS.ProcessEnv): unknown => read(env),
  };
}
