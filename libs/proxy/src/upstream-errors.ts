import { AppException } from '@app/errors';
import { ResponseTooLargeError } from './transport/capped-body';
import { DESTINATION_BLOCKED } from './transport/guarded-lookup';

const TIMEOUT_CODES = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ETIMEDOUT',
  'ECONNABORTED',
]);

function codeOf(error: unknown): string | undefined {
  let current: unknown = error;
  // undici and axios wrap the socket's error; the first code found down the chain decides.
  for (let depth = 0; depth < 4 && current; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'ERR_CANCELED') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Replaces every known secret value in a text (an error message bound for the logs). */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let redacted = text;
  for (const secret of secrets) {
    if (secret.length >= 4) redacted = redacted.split(secret).join('[redacted]');
  }
  return redacted;
}

/**
 * Turns a failed upstream call into the catalogue's 403/502/504. The cause kept for the log is a
 * plain summary with secrets removed: client error objects carry request headers (checklist C5).
 */
export function toUpstreamException(
  error: unknown,
  deadlineExpired: boolean,
  secrets: readonly string[],
): AppException {
  const code = codeOf(error);
  const message = error instanceof Error ? error.message : String(error);
  // A fresh error holding only the name, code and redacted message: never the client's own error.
  const cause = Object.assign(new Error(redactSecrets(message, secrets)), {
    name: error instanceof Error ? error.name : 'Error',
    code,
  });
  if (code === DESTINATION_BLOCKED) return new AppException('ExternalProxy_DestinationNotAllowed', { cause });
  if (error instanceof ResponseTooLargeError || code === 'EPROXY_RESPONSE_TOO_LARGE') {
    return new AppException('ExternalProxy_ResponseTooLarge', { cause });
  }
  if (deadlineExpired || (code !== undefined && TIMEOUT_CODES.has(code))) {
    return new AppException('ExternalProxy_UpstreamTimeout', { cause });
  }
  return new AppException('ExternalProxy_UpstreamUnreachable', { cause });
}
