/** RFC 9110 §7.6.1 hop-by-hop fields, plus the legacy proxy ones: never forwarded either way. */
export const HOP_BY_HOP_HEADERS: ReadonlySet<string> = new Set([
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
const DERIVED_HEADERS: ReadonlySet<string> = new Set(['host', 'content-length', 'expect']);

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// Control characters (tab excepted) would split or truncate a header line; above U+00FF a value
// cannot be sent in HTTP/1.1 at all.
// eslint-disable-next-line no-control-regex
const FORBIDDEN_VALUE_CHARACTERS = /[\u0000-\u0008\u000a-\u001f\u007f\u0100-\uffff]/;

/**
 * Why a header may not be set on an upstream request, or undefined when it may. Shared by caller
 * parameters and by credentials that name their own header, so neither can set Host or framing.
 */
export function headerProblem(name: string, value?: string): string | undefined {
  const lower = name.toLowerCase();
  if (!TOKEN.test(name)) return `header name ${JSON.stringify(name)} is not a valid token`;
  if (HOP_BY_HOP_HEADERS.has(lower) || DERIVED_HEADERS.has(lower) || lower.startsWith('proxy-')) {
    return `header ${lower} is set by the proxy and cannot be sent`;
  }
  if (value !== undefined && FORBIDDEN_VALUE_CHARACTERS.test(value)) {
    return `header ${lower} has a character that cannot be sent (CR, LF, NUL, other controls, or above U+00FF)`;
  }
  return undefined;
}
