/** A POST to an OAuth 2 token endpoint, form-encoded. */
export interface TokenRequest {
  url: URL;
  headers: Record<string, string>;
  body: string;
  signal: AbortSignal;
}

export interface TokenResponse {
  status: number;
  contentType: string | undefined;
  body: Buffer;
}

/**
 * How the refresher reaches token endpoints. `token_url` is an account-provided URL, so it must go
 * through the same outbound policy as proxied calls (guarded DNS lookup, IP-literal check, no
 * redirects, no forward proxy): the proxy module, which owns that transport, provides this
 * (connected-accounts cannot import the proxy, whose dependency points the other way).
 */
export interface TokenTransport {
  post(request: TokenRequest): Promise<TokenResponse>;
}

export const TOKEN_TRANSPORT = Symbol('TOKEN_TRANSPORT');
