import { ERROR_CATALOGUE, type ErrorSlug } from '@app/errors';

export interface JsonResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

/** One HTTP call over loopback; the body is parsed as JSON when it is JSON. */
export async function call<T = any>(
  baseUrl: string,
  method: string,
  path: string,
  options: { apiKey?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
): Promise<JsonResponse<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.apiKey !== undefined) headers['x-api-key'] = options.apiKey;
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(`${baseUrl}${path}`, { method, headers, body });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, headers: response.headers, body: parsed as T, text };
}

/**
 * Asserts the whole error envelope of `wire-contract.md` §2 for a slug: status, code, message,
 * request id matching the header, suggested_fix on 4xx, and `errors` when expected.
 */
export function expectEnvelope(
  response: JsonResponse,
  slug: ErrorSlug,
  expected: { errors?: unknown; message?: string } = {},
): void {
  const definition = ERROR_CATALOGUE[slug];
  expect({ status: response.status, slug: response.body?.error?.slug }).toEqual({
    status: definition.status,
    slug,
  });
  const error = response.body.error;
  expect(error).toEqual(
    expect.objectContaining({
      code: definition.code,
      status: definition.status,
      message: expected.message ?? expect.any(String),
      request_id: response.headers.get('x-request-id'),
    }),
  );
  expect(typeof error.request_id).toBe('string');
  if (definition.status < 500)
    expect(error.suggested_fix).toEqual((definition as { suggestedFix?: string }).suggestedFix);
  if (definition.status >= 500) expect(response.headers.get('x-should-retry')).toBe('false');
  if (expected.errors !== undefined) expect(error.errors).toEqual(expected.errors);
  expect(Object.keys(response.body)).toEqual(['error']);
}
