import { Injectable } from '@nestjs/common';
import {
  MAX_TOKEN_RESPONSE_BYTES,
  type TokenRequest,
  type TokenResponse,
  type TokenTransport,
} from '@app/connected-accounts';
import { DestinationPolicy } from './destination-policy';
import { readCappedBody } from './transport/capped-body';
import { DESTINATION_BLOCKED } from './transport/guarded-lookup';
import { UPSTREAM_USER_AGENT, UpstreamAgent } from './transport/upstream-agent';

/**
 * Token-endpoint calls through the proxy's own outbound agent: `token_url` comes from an account,
 * so it gets the same destination policy as proxied calls (connect-time lookup check, IP literals
 * checked here, no forward proxy) and redirects are never followed.
 */
@Injectable()
export class UpstreamTokenTransport implements TokenTransport {
  constructor(
    private readonly upstream: UpstreamAgent,
    private readonly policy: DestinationPolicy,
  ) {}

  async post(request: TokenRequest): Promise<TokenResponse> {
    const { url } = request;
    if (this.policy.refusedLiteral(url.hostname) !== null) {
      throw Object.assign(new Error('token endpoint address is not allowed'), { code: DESTINATION_BLOCKED });
    }
    const response = await this.upstream.agent.request({
      origin: url.origin,
      path: `${url.pathname}${url.search}`,
      method: 'POST',
      headers: { ...request.headers, 'user-agent': UPSTREAM_USER_AGENT },
      body: request.body,
      signal: request.signal,
    });
    const encoding = response.headers['content-encoding'];
    const contentType = response.headers['content-type'];
    const { bytes } = await readCappedBody(
      response.body,
      MAX_TOKEN_RESPONSE_BYTES,
      Array.isArray(encoding) ? encoding.join(',') : encoding,
    );
    return {
      status: response.statusCode,
      contentType: Array.isArray(contentType) ? contentType[0] : contentType,
      body: bytes,
    };
  }
}
