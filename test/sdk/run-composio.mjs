// Runs one call through Composio's own SDKs (native ES modules, so in a real Node process rather
// than inside Jest) and prints the outcome as JSON. Usage: node run-composio.mjs '<json>'.
// Input: {sdk: 'core' | 'client', baseURL, apiKey, request}. Output: {ok, result} or {ok: false, error}.
import { Composio } from '@composio/core';
import ComposioClient from '@composio/client';

const { sdk, baseURL, apiKey, request } = JSON.parse(process.argv[2]);

async function run() {
  if (sdk === 'core') {
    const composio = new Composio({ apiKey, baseURL, allowTracking: false, disableVersionCheck: true });
    return composio.tools.proxyExecute(request);
  }
  const client = new ComposioClient({ apiKey, baseURL, maxRetries: 0 });
  return client.tools.proxy(request);
}

try {
  const result = await run();
  process.stdout.write(JSON.stringify({ ok: true, result }));
} catch (error) {
  process.stdout.write(
    JSON.stringify({
      ok: false,
      error: {
        name: error?.constructor?.name,
        status: error?.status,
        body: error?.error,
        message: String(error?.message ?? error),
      },
    }),
  );
}
