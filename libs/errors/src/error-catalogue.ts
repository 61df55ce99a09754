/**
 * Every error the API can answer, in one place. Codes are grouped like Composio's: 600–699 connected
 * accounts, 800–899 API keys, 900–999 auth, 1000–1099 projects, 2800–2899 external proxy,
 * 10000–10999 generic HTTP. Slugs are wire names and keep their own spelling.
 */
export interface ErrorDefinition {
  code: number;
  status: number;
  message: string;
  /** Required on every 4xx: what the caller should do next. */
  suggestedFix?: string;
}

export const ERROR_CATALOGUE = {
  Request_ValidationFailed: {
    code: 10400,
    status: 400,
    message: 'The request failed validation.',
    suggestedFix: 'Correct the fields listed in `errors` and send the request again.',
  },
  Request_MalformedJson: {
    code: 10401,
    status: 400,
    message: 'The request body is not valid JSON.',
    suggestedFix: 'Send a well-formed JSON body with `content-type: application/json`.',
  },
  HTTP_RouteNotFound: {
    code: 10404,
    status: 404,
    message: 'No route matches this method and path.',
    suggestedFix: 'Check the method and path against the API reference at /api/docs.',
  },
  Request_PayloadTooLarge: {
    code: 10413,
    status: 413,
    message: 'The request body is larger than this route accepts.',
    suggestedFix: 'Send a smaller body; large files go in `binary_body` on the proxy route.',
  },
  Request_UnsupportedMediaType: {
    code: 10415,
    status: 415,
    message: 'The request body has a content type this route does not accept.',
    suggestedFix: 'Send the body as JSON with `content-type: application/json`.',
  },
  Internal_ServerError: {
    code: 10500,
    status: 500,
    message: 'An unexpected error occurred. It has been logged with this request id.',
  },
  Service_Unavailable: {
    code: 10503,
    status: 503,
    message: 'The service cannot reach its database.',
  },
  Project_NotFound: {
    code: 1001,
    status: 404,
    message: 'Project not found.',
    suggestedFix: 'Check the project id.',
  },
  APIKey_InvalidAPIKey: {
    code: 801,
    status: 401,
    message: 'The API key is invalid or has been revoked.',
    suggestedFix: 'Send a valid, unrevoked key of your project in the `x-api-key` header.',
  },
  APIKey_NotFound: {
    code: 803,
    status: 404,
    message: 'API key not found.',
    suggestedFix: "List your project's keys with GET /api/v3/api_keys and use one of their ids.",
  },
  APIKey_InsufficientPermissions: {
    code: 812,
    status: 403,
    message: 'The API key lacks the scope this route requires.',
    suggestedFix: 'Use a key that has the scope named in `errors`, or create one with POST /api/v3/api_keys.',
  },
  Auth_NoAuthProvided: {
    code: 906,
    status: 401,
    message: 'No API key was provided.',
    suggestedFix: 'Send your API key in the `x-api-key` header.',
  },
  ConnectedAccount_NotFound: {
    code: 604,
    status: 404,
    message: 'Connected account not found.',
    suggestedFix:
      'List your connected accounts with GET /api/v3/connected_accounts and use one of their ids.',
  },
  ConnectedAccount_NotActive: {
    code: 605,
    status: 422,
    message: 'The connected account is not active.',
    suggestedFix:
      'Enable it with PATCH /api/v3/connected_accounts/{id}/status, or update its credentials if they expired.',
  },
  ConnectedAccount_InvalidCredentials: {
    code: 606,
    status: 400,
    message: 'The credentials do not fit the auth scheme.',
    suggestedFix: 'Send the credential fields the auth scheme requires; `errors` lists each problem.',
  },
  ConnectedAccount_VersionConflict: {
    code: 607,
    status: 409,
    message: 'The connected account was changed by another request.',
    suggestedFix: 'Read the account again and repeat your change against its current version.',
  },
  ConnectedAccount_RefreshFailed: {
    code: 608,
    status: 502,
    message:
      "The account's OAuth2 token endpoint could not refresh the access token; the account stays active.",
  },
  ConnectedAccount_NotRefreshable: {
    code: 609,
    status: 400,
    message: 'The connected account has no way to obtain a new access token.',
    suggestedFix:
      'Only OAUTH2 accounts with `refresh_token` and `token_url`, and OAUTH2_CLIENT_CREDENTIALS accounts, can be refreshed.',
  },
  ExternalProxy_MissingAuthContext: {
    code: 2801,
    status: 400,
    message: 'No connected account was given and the project has no default account.',
    suggestedFix: 'Pass `connected_account_id`, or mark one account as default with `is_default: true`.',
  },
  ExternalProxy_OriginMismatch: {
    code: 2802,
    status: 400,
    message: "The endpoint is outside the connected account's origin and allowed hosts.",
    suggestedFix:
      "Use a path relative to the account's base_url, or add the host to the account's `allowed_hosts`.",
  },
  ExternalProxy_InvalidEndpoint: {
    code: 2803,
    status: 400,
    message: 'The endpoint is malformed.',
    suggestedFix:
      'Use a path starting with exactly one `/` (no `\\`, control characters or `..` escaping the base path), or an absolute http(s) URL without credentials.',
  },
  ExternalProxy_DestinationNotAllowed: {
    code: 2804,
    status: 403,
    message: 'The destination resolves to an address the proxy may not call.',
    suggestedFix: 'Call a public host. Operators can allow private ranges with PROXY_ALLOWED_CIDRS.',
  },
  ExternalProxy_InvalidHeader: {
    code: 2805,
    status: 400,
    message: 'A header parameter is not allowed.',
    suggestedFix:
      'Remove framing and hop-by-hop headers (host, content-length, transfer-encoding, connection…) and CR/LF/NUL characters.',
  },
  ExternalProxy_UpstreamUnreachable: {
    code: 2806,
    status: 502,
    message: 'The upstream could not be reached.',
  },
  ExternalProxy_UpstreamTimeout: {
    code: 2807,
    status: 504,
    message: 'The upstream did not answer in time.',
  },
  ExternalProxy_ResponseTooLarge: {
    code: 2808,
    status: 502,
    message: "The upstream's answer is larger than the proxy accepts.",
  },
  ExternalProxy_BinaryBodyInvalid: {
    code: 2809,
    status: 400,
    message: 'The binary body is invalid.',
    suggestedFix: 'Send `binary_body` as `{base64}` or `{url}`, not together with `body`.',
  },
  ExternalProxy_BinaryBodyTooLarge: {
    code: 2810,
    status: 413,
    message: 'The decoded binary body is larger than the proxy accepts.',
    suggestedFix: 'Send a smaller file, or ask the operator to raise PROXY_MAX_UPLOAD_BYTES.',
  },
  ExternalProxy_BinarySourceFailed: {
    code: 2811,
    status: 502,
    message: 'The binary body could not be fetched from its URL.',
  },
  ExternalProxy_CustomConnectionDataUnsupported: {
    code: 2812,
    status: 400,
    message: '`custom_connection_data` is not supported.',
    suggestedFix:
      'Store the credentials as a connected account (POST /api/v3/connected_accounts) and pass its `connected_account_id`.',
  },
  File_NotFound: {
    code: 2851,
    status: 404,
    message: 'File not found.',
    suggestedFix: 'Run the proxy request again to get a fresh link.',
  },
  File_LinkExpired: {
    code: 2852,
    status: 410,
    message: 'The file link has expired.',
    suggestedFix: 'Run the proxy request again to get a fresh link.',
  },
  File_InvalidSignature: {
    code: 2853,
    status: 403,
    message: 'The file link signature is invalid.',
    suggestedFix: 'Use the link exactly as it was returned in `binary_data.url`.',
  },
} as const satisfies Record<string, ErrorDefinition>;

export type ErrorSlug = keyof typeof ERROR_CATALOGUE;

export function errorDefinition(slug: ErrorSlug): ErrorDefinition {
  return ERROR_CATALOGUE[slug];
}
