import { HOP_BY_HOP_HEADERS, headerProblem } from '@app/connected-accounts';
import { AppException } from '@app/errors';

/** Refuses what a caller may not send upstream (checklist S13–S15); never rewrites silently. */
export function assertCallerHeader(name: string, value: string): void {
  const problem = headerProblem(name, value);
  if (problem) throw new AppException('ExternalProxy_InvalidHeader', { errors: [problem] });
}

/**
 * Upstream headers as the contract shows them: lower-case, hop-by-hop removed, repeats joined.
 * `raw` is undici's parsed headers, whose names are lower-case already.
 */
export function responseHeaders(
  raw: Record<string, string | string[] | undefined>,
  options: { decoded: boolean },
): Record<string, string> {
  const listedInConnection =
    raw.connection === undefined
      ? undefined
      : new Set(
          String(raw.connection)
            .split(',')
            .map((name) => name.trim().toLowerCase())
            .filter(Boolean),
        );
  const headers: Record<string, string> = {};
  for (const name in raw) {
    const value = raw[name];
    if (value === undefined || HOP_BY_HOP_HEADERS.has(name) || listedInConnection?.has(name)) continue;
    // Once decompressed, the upstream's encoding and length describe bytes the caller never sees.
    if (options.decoded && (name === 'content-encoding' || name === 'content-length')) continue;
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}
