import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ApiKeysService, ProjectsService, type Scope } from '@app/auth';
import { createApp } from '../../apps/api/src/create-app';
import { setupSwagger } from '../../apps/api/src/swagger';

export interface TestApp {
  app: NestFastifyApplication;
  /** e.g. http://127.0.0.1:41234 */
  url: string;
  close(): Promise<void>;
}

/** Test defaults: quiet logs, no cache surprises; each file passes its own DATABASE_URL. */
const TEST_ENV: Record<string, string> = {
  LOG_LEVEL: 'silent',
  HOST: '127.0.0.1',
  PORT: '0',
  // A fixed bootstrap key keeps the generated one from being printed in every test run.
  BOOTSTRAP_API_KEY: 'test-bootstrap-key-0123456789abcdef',
  // A fixed test-only key (the service refuses to start without one when DATABASE_URL is set).
  ENCRYPTION_KEYS: 'test1:He5T7lEu3qm0c2xYbVzQhpZCuSOUKyCYEtRww0qpPvU=',
  // Likewise the file link signing secret.
  FILES_SIGNING_SECRET: 'test-files-signing-secret-0123456789abcdef',
};

/**
 * Starts the production application (same adapter, hooks, filter, pipe and guard) on a free
 * loopback port with the given environment on top of the test defaults.
 */
export async function startTestApp(
  env: Record<string, string | undefined>,
  options: { swagger?: boolean } = {},
): Promise<TestApp> {
  for (const [name, value] of Object.entries({ ...TEST_ENV, ...env })) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  const app = await createApp();
  if (options.swagger) setupSwagger(app);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address() as { port: number };
  return { app, url: `http://127.0.0.1:${address.port}`, close: () => app.close() };
}

export interface SeededProject {
  projectId: string;
  /** A key with every project scope (all but projects:manage). */
  key: string;
}

/** A fresh project and its first key, created through the service as the API would. */
export async function seedProject(testApp: TestApp, name = 'test-project'): Promise<SeededProject> {
  const { project, issued } = await testApp.app.get(ProjectsService).create(name);
  return { projectId: project.id, key: issued.key };
}

export async function issueKey(testApp: TestApp, projectId: string, scopes: Scope[]): Promise<string> {
  const { key } = await testApp.app.get(ApiKeysService).issue(projectId, 'scoped', scopes);
  return key;
}

/** Closes what a test file started, in order, skipping what never started (a failed beforeAll). */
export async function closeAll(...items: Array<{ close(): Promise<void> } | undefined>): Promise<void> {
  for (const item of items) await item?.close();
}
