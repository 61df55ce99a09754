import { call, type JsonResponse } from './http';

export interface AccountInput {
  base_url: string;
  auth_scheme?: string;
  credentials?: Record<string, unknown>;
  allowed_hosts?: string[];
  is_default?: boolean;
  toolkit_slug?: string;
}

/** Creates a connected account through the API and returns its id. */
export async function createAccount(baseUrl: string, apiKey: string, input: AccountInput): Promise<string> {
  const res = await call(baseUrl, 'POST', '/api/v3/connected_accounts', {
    apiKey,
    body: { toolkit_slug: 'test', auth_scheme: 'NO_AUTH', credentials: {}, ...input },
  });
  if (res.status !== 201) throw new Error(`account creation failed: ${res.status} ${res.text}`);
  return (res.body as { id: string }).id;
}

export function proxy(
  baseUrl: string,
  apiKey: string,
  body: Record<string, unknown>,
  version = 'v3',
): Promise<JsonResponse> {
  return call(baseUrl, 'POST', `/api/${version}/tools/execute/proxy`, { apiKey, body });
}
