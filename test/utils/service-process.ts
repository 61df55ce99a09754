import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(__dirname, '..', '..');
export const SERVICE_ENTRY = join(REPO_ROOT, 'dist', 'apps', 'api', 'src', 'main.js');

/** What `npm run build` does; the boot tests run the compiled service exactly as production does. */
export function buildService(): void {
  execFileSync('npx', ['nest', 'build'], { cwd: REPO_ROOT, stdio: 'pipe', timeout: 300_000 });
}

function newestSourceMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSourceMtime(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts'))
      newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** Builds only when dist/ is missing or older than a source file, so several suites share one build. */
export function buildServiceOnce(): void {
  const built = existsSync(SERVICE_ENTRY) ? statSync(SERVICE_ENTRY).mtimeMs : 0;
  const sources = Math.max(
    newestSourceMtime(join(REPO_ROOT, 'apps')),
    newestSourceMtime(join(REPO_ROOT, 'libs')),
  );
  if (built < sources) buildService();
}

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

/** True when something accepts TCP connections on 127.0.0.1:`port`. */
export function acceptsConnections(port: number): Promise<boolean> {
  return new Promise((resolveOpen) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolveOpen(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolveOpen(false);
    });
    socket.once('error', () => resolveOpen(false));
  });
}

/** A temporary DATA_DIR. 0755 because the embedded PostgreSQL runs as user `postgres` when tests run as root. */
export async function createDataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'proxy-execute-boot-'));
  await chmod(dir, 0o755);
  return dir;
}

/**
 * Removes a DATA_DIR. Should a test have left the embedded PostgreSQL of that directory running (the
 * service failed to stop it), that server — started by this test — is stopped first, by its pid.
 */
export async function removeDataDir(dir: string): Promise<void> {
  const pidFile = join(dir, 'postgres', 'postmaster.pid');
  if (existsSync(pidFile)) {
    const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
    if (Number.isInteger(pid) && pid > 0 && isPostgresOf(pid, dir)) {
      try {
        process.kill(pid, 'SIGINT');
        await waitUntil(() => !isAlive(pid), 10_000);
      } catch {
        // already gone
      }
    }
  }
  await rm(dir, { recursive: true, force: true });
}

/** Guards against a stale pid file whose pid now belongs to an unrelated process. */
function isPostgresOf(pid: number, dir: string): boolean {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmdline.includes('postgres') && cmdline.includes(dir);
  } catch {
    return false;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitUntil(condition: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return condition();
}

export interface ExitResult {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ServiceProcess {
  /** e.g. http://127.0.0.1:41234 */
  url: string;
  env: Record<string, string>;
  child: ChildProcess;
  /** Everything written so far. */
  stdout(): string;
  stderr(): string;
  /** Settles when the process has exited. */
  exited: Promise<ExitResult>;
  /** Whether GET /health/ready answered 200 before the process exited or the start deadline passed. */
  ready: boolean;
  /** SIGTERM, then waits for the exit (SIGKILL after `timeoutMs`, and the test then fails). */
  stop(timeoutMs?: number): Promise<ExitResult>;
}

const SHARED_ENCRYPTION_KEYS = `k1:${randomBytes(32).toString('base64')}`;
const SHARED_FILES_SIGNING_SECRET = randomBytes(32).toString('base64');

/** Variables of the test runner's own environment that the service may see; nothing else leaks in. */
const INHERITED = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'LC_ALL', 'USER'];

/**
 * The service's environment: test defaults, a free PORT and EMBEDDED_PG_PORT, then `overrides`
 * (an `undefined` value removes a variable). DATA_DIR has no default: pass a `createDataDir()`.
 */
export async function serviceEnv(
  overrides: Record<string, string | undefined>,
): Promise<Record<string, string>> {
  const env: Record<string, string | undefined> = {
    ...Object.fromEntries(
      INHERITED.filter((n) => process.env[n] !== undefined).map((n) => [n, process.env[n]]),
    ),
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    PORT: String(await freePort()),
    EMBEDDED_PG_PORT: String(await freePort()),
    ...overrides,
  };
  // An external database needs the encryption key its replicas share (a generated one is only for the embedded case).
  if (env.DATABASE_URL !== undefined && !('ENCRYPTION_KEYS' in overrides)) {
    env.ENCRYPTION_KEYS = SHARED_ENCRYPTION_KEYS;
  }
  if (env.DATABASE_URL !== undefined && !('FILES_SIGNING_SECRET' in overrides)) {
    env.FILES_SIGNING_SECRET = SHARED_FILES_SIGNING_SECRET;
  }
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
}

/**
 * Spawns `node dist/apps/api/src/main.js` and resolves once GET /health/ready answers 200, or the
 * process exits, or `startTimeoutMs` passes (then `ready` is false and the process keeps running).
 */
export async function startService(
  overrides: Record<string, string | undefined>,
  options: { startTimeoutMs?: number } = {},
): Promise<ServiceProcess> {
  const env = await serviceEnv(overrides);
  const child = spawn(process.execPath, [SERVICE_ENTRY], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  let exit: ExitResult | undefined;
  const exited = new Promise<ExitResult>((resolveExit) => {
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      resolveExit(exit);
    });
  });
  const url = `http://${env.HOST}:${env.PORT}`;

  const ready = await waitUntil(async () => {
    if (exit) return true;
    try {
      const response = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(1000) });
      await response.arrayBuffer();
      return response.status === 200;
    } catch {
      return false;
    }
  }, options.startTimeoutMs ?? 60_000).then((done) => done && !exit);

  return {
    url,
    env,
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    ready,
    async stop(timeoutMs = 30_000): Promise<ExitResult> {
      if (exit) return exit;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const result = await exited;
      clearTimeout(timer);
      if (result.signal === 'SIGKILL') {
        throw new Error(`the service did not exit within ${timeoutMs} ms of SIGTERM`);
      }
      return result;
    },
  };
}

/** Every generated API key (`ak_` + 38 base62 characters) in a text. */
export function generatedKeysIn(text: string): string[] {
  return text.match(/\bak_[0-9A-Za-z]{38}\b/g) ?? [];
}
