import { AppException } from '@app/errors';

/** RFC 9110 §7.6.1 hop-by-hop fields, plus the legacy proxy ones; never forwarded either way. */
export const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** Framing and routing fields the proxy derives itself (checklist S13, S15). */
const DERIVED = new Set(['host', 'content-length', 'expect']);

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// eslint-disable-next-line no-control-regex
const FORBIDDEN_VALUE_CHARACTERS = /[\u0000-\u0008\u000a-\u001f\u007f]/;

/** Refuses what a caller may not send upstream (checklist S13–S15); never rewrites silently. */
export function assertCallerHeader(name: string, value: string): void {
  const lower = name.toLowerCase();
  let problem: string | undefined;
  if (!TOKEN.test(name)) problem = `header name ${JSON.stringify(name)} is not a valid token`;
  else if (
    HOP_BY_HOP.has(lower) ||
    DERIVED.has(lower) ||
    lower.startsWith('proxy-') ||
    lower.startsWith(':')
  ) {
    problem = `header ${lower} is set by the proxy and cannot be sent`;
  } else if (FORBIDDEN_VALUE_CHARACTERS.test(value)) {
    problem = `header ${lower} has a control character (CR, LF, NUL…) in its value`;
  }
  if (problem) throw new AppException('ExternalProxy_InvalidHeader', { errors: [problem] });
}

/** Upstream headers as the contract shows them: lower-case, hop-by-hop removed, repeats joined. */
export function responseHeaders(
  raw: Record<string, string | string[] | undefined>,
  options: { decoded: boolean },
): Record<string, string> {
  const listedInConnection = new Set(
    String(raw.connection ?? '')
      .split(',')
      .map((name) => name.trim().toLowerCase())
      .filter(Boolean),
  );
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    const lower = name.toLowerCase();
    if (value === undefined || HOP_BY_HOP.has(lower) || listedInConnection.has(lower)) continue;
    // Once decompressed, the upstream's encoding and length describe bytes the caller never sees.
    if (options.decoded && (lower === 'content-encoding' || lower === 'content-length')) continue;
    headers[lower] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}
