// Runs one call through Composio's own SDKs (native ES modules, so in a real Node process rather
// than inside Jest) and prints the outcome as JSON. Usage: node run-composio.mjs '<json>'.
// Input: {sdk: 'core' | 'client', baseURL, apiKey, request, clientOptions?} (`clientOptions` go to
// `new ComposioClient`, on top of maxRetries: 0, e.g. to let the low-level client retry).
// Output: {ok: true, result, network} or {ok: false, error, network}, where `network` lists every
// request and socket the SDK attempted: `fetches` [{method, url, body}], `sockets` [{host, port}]
// and `blocked` (anything not aimed at 127.0.0.1, refused before any DNS lookup or connection).
//
// The guards are installed before the SDKs are imported, so nothing an SDK does at load or
// construction time (telemetry, npm version check) can reach beyond loopback unnoticed.
import net from 'node:net';

const network = { fetches: [], sockets: [], blocked: [] };
const ALLOWED_HOSTS = new Set(['127.0.0.1']);

// 1. fetch: what both SDKs use (and what Composio's telemetry and version check would use).
const realFetch = globalThis.fetch;
globalThis.fetch = async function guardedFetch(input, init = {}) {
  const url = new URL(input instanceof Request ? input.url : String(input));
  const method = (init.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
  let body = null;
  if (typeof init.body === 'string') {
    try {
      body = JSON.parse(init.body);
    } catch {
      body = init.body;
    }
  }
  if (!ALLOWED_HOSTS.has(url.hostname)) {
    network.blocked.push({ kind: 'fetch', method, url: url.href });
    throw new TypeError(`run-composio: refused a request to ${url.origin} (loopback only)`);
  }
  network.fetches.push({ method, url: url.href, body });
  return realFetch(input, init);
};

// 2. Sockets: a backstop for anything that bypasses fetch (node:http, undici directly, …).
const realConnect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function guardedConnect(...args) {
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  let host;
  let port;
  if (first !== null && typeof first === 'object') {
    if (first.path !== undefined) return realConnect.apply(this, args); // a local (IPC) socket
    host = first.host ?? 'localhost';
    port = first.port;
  } else {
    port = first;
    host = typeof args[1] === 'string' ? args[1] : 'localhost';
  }
  if (!ALLOWED_HOSTS.has(host)) {
    network.blocked.push({ kind: 'socket', host, port });
    process.nextTick(() =>
      this.destroy(new Error(`run-composio: refused a connection to ${host}:${port} (loopback only)`)),
    );
    return this;
  }
  network.sockets.push({ host, port: Number(port) });
  return realConnect.apply(this, args);
};

const { Composio } = await import('@composio/core');
const { default: ComposioClient } = await import('@composio/client');

const { sdk, baseURL, apiKey, request, clientOptions = {} } = JSON.parse(process.argv[2]);

async function run() {
  if (sdk === 'core') {
    const composio = new Composio({ apiKey, baseURL, allowTracking: false, disableVersionCheck: true });
    return composio.tools.proxyExecute(request);
  }
  const client = new ComposioClient({ apiKey, baseURL, maxRetries: 0, ...clientOptions });
  return client.tools.proxy(request);
}

/** Whatever an error exposes, as plain JSON (no stack, no request objects). */
function describe(error, depth = 0) {
  const headers = error?.headers;
  return {
    name: error?.constructor?.name,
    status: error?.status,
    body: error?.error,
    message: String(error?.message ?? error),
    own_keys: error !== null && typeof error === 'object' ? Object.keys(error).sort() : [],
    request_id: typeof headers?.get === 'function' ? headers.get('x-request-id') : undefined,
    cause: error?.cause === undefined || depth >= 3 ? undefined : describe(error.cause, depth + 1),
  };
}

let outcome;
try {
  outcome = { ok: true, result: await run() };
} catch (error) {
  outcome = { ok: false, error: describe(error) };
}
// Give deferred work (telemetry batches, version checks) a moment to show itself in `network`.
await new Promise((resolve) => setTimeout(resolve, 200));
// Exit explicitly once written: an SDK timer left behind must not keep the process (and the test) waiting.
process.stdout.write(JSON.stringify({ ...outcome, network }), () => process.exit(0));
