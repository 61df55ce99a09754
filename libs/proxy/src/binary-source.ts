import { Injectable } from '@nestjs/common';
import type { Readable } from 'node:stream';
import { AppException } from '@app/errors';
import { DestinationPolicy } from './destination-policy';
import { type ByteBudget, cappedBodyStream } from './transport/capped-body';
import { DESTINATION_BLOCKED } from './transport/guarded-lookup';
import type { CallDeadline } from './transport/call-deadline';
import { UPSTREAM_USER_AGENT, UpstreamAgent } from './transport/upstream-agent';

/** The upload, or the sum of a multipart upload's parts, is over PROXY_MAX_UPLOAD_BYTES. */
export class UploadTooLargeError extends Error {
  readonly code = 'EPROXY_UPLOAD_TOO_LARGE';
  constructor(readonly limit: number) {
    super(`upload exceeds ${limit} bytes`);
  }
}

/** A source whose answer has begun: status checked, body not read yet. */
export interface OpenedSource {
  /** The body, decompressed and drawing from the upload's budget; read it once. */
  body: Readable;
  contentType?: string;
  /** The body's length when the source declared it and nothing is decompressed. */
  length?: number;
  /** The error that ended the body early, if one did (after the upstream call has failed). */
  failure(): Error | undefined;
}

/**
 * Fetches a `url` of `binary_body` or of a multipart part through the proxy's own outbound agent:
 * the destination policy applies (connect-time lookup, IP literals checked here), redirects are
 * never followed, no credential of the account is sent, and the body is streamed, never held
 * whole, and cut off once the upload's budget is spent.
 */
@Injectable()
export class BinarySourceFetcher {
  constructor(
    private readonly upstream: UpstreamAgent,
    private readonly policy: DestinationPolicy,
  ) {}

  /** `field` names the source in errors, e.g. `binary_body.url`; `signal` is the call's deadline. */
  async open(source: string, field: string, budget: ByteBudget, signal: CallDeadline): Promise<OpenedSource> {
    const url = parseSourceUrl(source, field);
    const literal = this.policy.refusedLiteral(url.hostname);
    if (literal !== null) {
      throw new AppException('ExternalProxy_DestinationNotAllowed', {
        errors: [`${field}: address ${literal} is not public`],
      });
    }
    let response;
    try {
      response = await this.upstream.agent.request({
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: 'GET',
        headers: { 'user-agent': UPSTREAM_USER_AGENT },
        signal,
      });
    } catch (error) {
      throw toSourceException(error, field);
    }
    if (response.statusCode < 200 || response.statusCode > 299) {
      // Discards a little of the error body (then closes): a bare destroy() would emit an unhandled error.
      await response.body.dump().catch(() => undefined);
      throw new AppException('ExternalProxy_BinarySourceFailed', {
        errors: [`${field} answered ${response.statusCode}`],
      });
    }
    const encoding = header(response.headers['content-encoding']);
    const declared = Number(header(response.headers['content-length']) ?? NaN);
    const length = encoding === undefined && Number.isSafeInteger(declared) ? declared : undefined;
    if (length !== undefined && length > budget.remaining) {
      await response.body.dump().catch(() => undefined);
      throw new AppException('ExternalProxy_BinaryBodyTooLarge', {
        errors: [`${field} is over the upload limit of ${budget.limit} bytes`],
      });
    }
    let failure: Error | undefined;
    const { stream } = cappedBodyStream(response.body, budget, encoding, {
      tooLarge: (limit) => new UploadTooLargeError(limit),
      onSourceError: (error) => (failure ??= error),
    });
    return {
      body: stream,
      contentType: header(response.headers['content-type']),
      length,
      failure: () => failure,
    };
  }
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value;
}

function parseSourceUrl(source: string, field: string): URL {
  let url: URL;
  try {
    url = new URL(source);
  } catch {
    throw invalid(`${field} is not an absolute URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw invalid(`${field} must be http or https`);
  if (url.username || url.password) throw invalid(`${field} must not contain credentials`);
  return url;
}

function invalid(problem: string): AppException {
  return new AppException('ExternalProxy_BinaryBodyInvalid', { errors: [problem] });
}

/**
 * The envelope for a source that failed, before or while its body was read: over the limit (413),
 * on a blocked address (403), or anything else (502).
 */
export function toSourceException(error: unknown, field: string): AppException {
  if (error instanceof AppException) return error;
  if (error instanceof UploadTooLargeError) {
    return new AppException('ExternalProxy_BinaryBodyTooLarge', {
      errors: [`the upload is over the limit of ${error.limit} bytes`],
    });
  }
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current; depth++) {
    if ((current as { code?: unknown }).code === DESTINATION_BLOCKED) {
      return new AppException('ExternalProxy_DestinationNotAllowed', {
        errors: [`${field} resolves to an address that is not public`],
      });
    }
    current = (current as { cause?: unknown }).cause;
  }
  // A plain summary for the log: the source URL may carry a token in its query.
  const cause = Object.assign(new Error(`${field} could not be fetched`), {
    code: (error as { code?: unknown }).code,
  });
  return new AppException('ExternalProxy_BinarySourceFailed', {
    errors: [`${field} could not be fetched`],
    cause,
  });
}
