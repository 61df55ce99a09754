import { Inject, Injectable } from '@nestjs/common';
import { proxyConfig, type ProxyConfig } from '@app/config';
import { AppException } from '@app/errors';
import { DestinationPolicy, ipLiteralOf } from './destination-policy';
import { ResponseTooLargeError, readCappedBody } from './transport/capped-body';
import { DESTINATION_BLOCKED } from './transport/guarded-lookup';
import { UpstreamAgent } from './transport/upstream-agent';

export interface FetchedSource {
  bytes: Buffer;
  contentType?: string;
}

/**
 * Fetches `binary_body.url` through the proxy's own outbound agent: the destination policy applies
 * (connect-time lookup, IP literals checked here), redirects are never followed, no credential of
 * the account is sent, and the body is cut off past the upload limit.
 */
@Injectable()
export class BinarySourceFetcher {
  private readonly policy: DestinationPolicy;

  constructor(
    private readonly upstream: UpstreamAgent,
    @Inject(proxyConfig.KEY) private readonly config: ProxyConfig,
  ) {
    this.policy = new DestinationPolicy(config.allowedCidrs);
  }

  async fetch(source: string, deadlineMs: number): Promise<FetchedSource> {
    const url = parseSourceUrl(source);
    const literal = ipLiteralOf(url.hostname);
    if (literal !== null && !this.policy.isAllowed(literal)) {
      throw new AppException('ExternalProxy_DestinationNotAllowed', {
        errors: [`binary_body.url: address ${literal} is not public`],
      });
    }
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), deadlineMs);
    try {
      const response = await this.upstream.agent.request({
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: 'GET',
        headers: { 'user-agent': 'proxy-execute/0.1' },
        signal: deadline.signal,
      });
      if (response.statusCode < 200 || response.statusCode > 299) {
        // Discards a little of the error body (then closes): a bare destroy() would emit an unhandled error.
        await response.body.dump();
        throw new AppException('ExternalProxy_BinarySourceFailed', {
          errors: [`binary_body.url answered ${response.statusCode}`],
        });
      }
      const encoding = response.headers['content-encoding'];
      const contentType = response.headers['content-type'];
      const { bytes } = await readCappedBody(
        response.body,
        this.config.maxUploadBytes,
        Array.isArray(encoding) ? encoding.join(',') : encoding,
      );
      return { bytes, contentType: Array.isArray(contentType) ? contentType[0] : contentType };
    } catch (error) {
      throw toSourceException(error);
    } finally {
      clearTimeout(timer);
    }
  }
}

function parseSourceUrl(source: string): URL {
  let url: URL;
  try {
    url = new URL(source);
  } catch {
    throw invalid('binary_body.url is not an absolute URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw invalid('binary_body.url must be http or https');
  if (url.username || url.password) throw invalid('binary_body.url must not contain credentials');
  return url;
}

function invalid(problem: string): AppException {
  return new AppException('ExternalProxy_BinaryBodyInvalid', { errors: [problem] });
}

function toSourceException(error: unknown): AppException {
  if (error instanceof AppException) return error;
  if (error instanceof ResponseTooLargeError) {
    return new AppException('ExternalProxy_BinaryBodyTooLarge', {
      errors: [`binary_body.url is over ${error.limit} bytes`],
    });
  }
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current; depth++) {
    if ((current as { code?: unknown }).code === DESTINATION_BLOCKED) {
      return new AppException('ExternalProxy_DestinationNotAllowed', {
        errors: ['binary_body.url resolves to an address that is not public'],
      });
    }
    current = (current as { cause?: unknown }).cause;
  }
  // A plain summary for the log: the source URL may carry a token in its query.
  const cause = Object.assign(new Error('binary_body.url could not be fetched'), {
    code: (error as { code?: unknown }).code,
  });
  return new AppException('ExternalProxy_BinarySourceFailed', { cause });
}
