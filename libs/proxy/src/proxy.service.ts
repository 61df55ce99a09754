import { HttpService } from '@nestjs/axios';
import type { AxiosResponse } from 'axios';
import { Inject, Injectable } from '@nestjs/common';
import { proxyConfig, type ProxyConfig } from '@app/config';
import {
  applyCredentials,
  ConnectedAccountsService,
  OAuthRefreshService,
  type ResolvedAccount,
} from '@app/connected-accounts';
import { AppException } from '@app/errors';
import { FilesService } from '@app/files';
import { BinarySourceFetcher } from './binary-source';
import { DestinationPolicy, ipLiteralOf } from './destination-policy';
import type { ExecuteProxyRequestDto, ProxyResponseDto } from './dto/execute-proxy.dto';
import { resolveEndpoint } from './endpoint-resolver';
import { assertCallerHeader, responseHeaders } from './header-policy';
import { encodeBody } from './request-body';
import { bodyKind, mapResponseData } from './response-mapper';
import type { UpstreamBody } from './transport/undici-axios-adapter';
import { toUpstreamException } from './upstream-errors';

const USER_AGENT = 'proxy-execute/0.1';
// A plain character run plus a length check: a repeated group (`(?:[…]{4})*`) overflows V8's regexp
// stack on uploads of a few megabytes.
const BASE64_CHARACTERS = /^[A-Za-z0-9+/]*={0,2}$/;

function isStrictBase64(value: string): boolean {
  return value.length % 4 === 0 && BASE64_CHARACTERS.test(value);
}

interface BinaryUpload {
  bytes: Buffer;
  contentType: string;
}

interface OutgoingRequest {
  url: URL;
  headers: Record<string, string>;
  body?: Buffer;
  /** Values injected from the account's credentials, for redaction. */
  secrets: string[];
  /** False when a caller header replaced an injected one: a 401 then says nothing about the account's token. */
  credentialsSent: boolean;
}

@Injectable()
export class ProxyService {
  private readonly policy: DestinationPolicy;

  constructor(
    private readonly http: HttpService,
    private readonly accounts: ConnectedAccountsService,
    private readonly refresher: OAuthRefreshService,
    private readonly files: FilesService,
    private readonly sources: BinarySourceFetcher,
    @Inject(proxyConfig.KEY) private readonly config: ProxyConfig,
  ) {
    this.policy = new DestinationPolicy(config.allowedCidrs);
  }

  /** `requestOrigin` (the caller's scheme and host) is the origin of `binary_data.url` unless PUBLIC_BASE_URL is set. */
  async execute(
    projectId: string,
    request: ExecuteProxyRequestDto,
    requestOrigin: string,
  ): Promise<ProxyResponseDto> {
    assertRequestShape(request);
    const resolved = await this.accounts.resolveForProject(projectId, request.connected_account_id);
    const account = await this.refresher.ensureFresh(resolved);
    const target = this.buildRequest(request, account);
    // Loaded once the target has passed every check (nothing is fetched for a refused request), and
    // only once: a replay after a token refresh sends the same bytes without fetching them again.
    const upload = await this.loadBinaryBody(request);
    let outgoing = withBody(target, request, upload);
    let response = await this.send(request, outgoing);
    // A 401 to an OAuth2 token we can renew: refresh once and replay once (the body is in memory,
    // so the replay sends exactly the same bytes). The second answer goes back as it is: never a loop.
    if (
      response.status === 401 &&
      outgoing.credentialsSent &&
      (outgoing.body === undefined || Buffer.isBuffer(outgoing.body)) &&
      this.refresher.isRefreshable(account)
    ) {
      const refreshed = await this.refresher.refreshAfterRejection(account);
      if (refreshed) {
        outgoing = withBody(this.buildRequest(request, refreshed), request, upload);
        response = await this.send(request, outgoing);
      }
    }
    const { bytes, decoded } = response.data;
    const headers = responseHeaders(response.headers as Record<string, string | string[] | undefined>, {
      decoded,
    });
    if (request.method !== 'HEAD' && bodyKind(headers['content-type'], bytes) === 'binary') {
      const binaryData = await this.files.store(
        projectId,
        { bytes, contentType: headers['content-type'], contentDisposition: headers['content-disposition'] },
        requestOrigin,
      );
      return { status: response.status, data: null, headers, binary_data: binaryData };
    }
    return {
      status: response.status,
      data: mapResponseData(request.method, headers['content-type'], bytes),
      headers,
    };
  }

  private async send(
    request: ExecuteProxyRequestDto,
    outgoing: OutgoingRequest,
  ): Promise<AxiosResponse<UpstreamBody>> {
    // One timer for the whole call (connect, headers, body), cleared as soon as it is over:
    // AbortSignal.timeout() would keep every signal alive until it fires.
    const deadline = new AbortController();
    const timer = setTimeout(
      () => deadline.abort(),
      Math.min(request.timeout_ms ?? Infinity, this.config.timeoutMs),
    );
    try {
      // HttpService's axios instance, called directly: the Observable wrapper would add a
      // CancelToken and an error object with a stack trace to every call.
      return await this.http.axiosRef.request<UpstreamBody>({
        url: outgoing.url.toString(),
        method: request.method,
        headers: outgoing.headers,
        data: outgoing.body,
        signal: deadline.signal,
        maxContentLength: this.config.maxResponseBytes,
      });
    } catch (error) {
      throw toUpstreamException(error, deadline.signal.aborted, outgoing.secrets);
    } finally {
      clearTimeout(timer);
    }
  }

  private async loadBinaryBody(request: ExecuteProxyRequestDto): Promise<BinaryUpload | undefined> {
    const binary = request.binary_body;
    if (!binary) return undefined;
    if (binary.url !== undefined && binary.base64 !== undefined) {
      throw new AppException('ExternalProxy_BinaryBodyInvalid', {
        errors: ['binary_body takes either base64 or url, not both'],
      });
    }
    if (binary.url === undefined) return decodeBinaryBody(binary, this.config.maxUploadBytes);
    const source = await this.sources.fetch(
      binary.url,
      Math.min(request.timeout_ms ?? Infinity, this.config.timeoutMs),
    );
    return {
      bytes: source.bytes,
      contentType: binary.content_type ?? source.contentType ?? 'application/octet-stream',
    };
  }

  /** The target, headers and credentials of the outgoing request, without its body. */
  private buildRequest(request: ExecuteProxyRequestDto, account: ResolvedAccount): OutgoingRequest {
    const url = resolveEndpoint(request.endpoint, {
      baseUrl: account.baseUrl,
      allowedHosts: account.allowedHosts,
    });
    // IP literals never go through the connect-time lookup (checklist S9): judge them here.
    const literal = ipLiteralOf(url.hostname);
    if (literal !== null && !this.policy.isAllowed(literal)) {
      throw new AppException('ExternalProxy_DestinationNotAllowed', {
        errors: [`address ${literal} is not public`],
      });
    }

    const headers: Record<string, string> = { 'user-agent': USER_AGENT };
    const injected = { headers: {} as Record<string, string>, query: new URLSearchParams() };
    applyCredentials(account.authScheme, { ...account.credentials }, injected);
    Object.assign(headers, injected.headers);
    for (const [name, value] of injected.query) url.searchParams.set(name, value);
    const secrets = [...Object.values(injected.headers), ...[...injected.query.values()]];

    // Caller parameters come after the credentials: a caller may override the auth header deliberately.
    const seenQuery = new Set<string>();
    for (const parameter of request.parameters ?? []) {
      const value = String(parameter.value);
      if ((parameter.type ?? parameter.in) === 'header') {
        assertCallerHeader(parameter.name, value);
        headers[parameter.name.toLowerCase()] = value;
      } else if (seenQuery.has(parameter.name)) {
        url.searchParams.append(parameter.name, value);
      } else {
        seenQuery.add(parameter.name);
        url.searchParams.set(parameter.name, value);
      }
    }

    const credentialsSent = Object.entries(injected.headers).every(
      ([name, value]) => headers[name] === value,
    );

    return { url, headers, secrets, credentialsSent };
  }
}

/** The request with its body: the binary upload, or `body` encoded after the content-type header. */
function withBody(
  target: OutgoingRequest,
  request: ExecuteProxyRequestDto,
  upload: BinaryUpload | undefined,
): OutgoingRequest {
  const headers = { ...target.headers };
  if (upload) {
    headers['content-type'] ??= upload.contentType;
    return { ...target, headers, body: upload.bytes };
  }
  const encoded = encodeBody(request.body, headers['content-type']);
  if (encoded?.contentType) headers['content-type'] = encoded.contentType;
  return { ...target, headers, body: encoded?.bytes };
}

function assertRequestShape(request: ExecuteProxyRequestDto): void {
  if (request.custom_connection_data !== undefined) {
    throw new AppException('ExternalProxy_CustomConnectionDataUnsupported');
  }
  const errors: string[] = [];
  const hasBody = request.body !== undefined && request.body !== null;
  if ((request.method === 'GET' || request.method === 'HEAD') && (hasBody || request.binary_body)) {
    errors.push(`body is not allowed with ${request.method}`);
  }
  for (const [index, parameter] of (request.parameters ?? []).entries()) {
    if (parameter.type !== undefined && parameter.in !== undefined && parameter.type !== parameter.in) {
      errors.push(`parameters[${index}]: type and in disagree`);
    }
  }
  if (errors.length > 0) throw new AppException('Request_ValidationFailed', { errors });
  if (hasBody && request.binary_body) {
    throw new AppException('ExternalProxy_BinaryBodyInvalid', {
      errors: ['send either body or binary_body, not both'],
    });
  }
}

function decodeBinaryBody(
  binary: NonNullable<ExecuteProxyRequestDto['binary_body']>,
  maxBytes: number,
): BinaryUpload {
  if (binary.base64 === undefined) {
    throw new AppException('ExternalProxy_BinaryBodyInvalid', {
      errors: ['binary_body needs base64 or url'],
    });
  }
  if (!isStrictBase64(binary.base64)) {
    throw new AppException('ExternalProxy_BinaryBodyInvalid', {
      errors: ['binary_body.base64 is not valid base64'],
    });
  }
  if (Math.floor((binary.base64.length * 3) / 4) > maxBytes + 2) {
    throw new AppException('ExternalProxy_BinaryBodyTooLarge', {
      errors: [`decoded size over ${maxBytes} bytes`],
    });
  }
  const bytes = Buffer.from(binary.base64, 'base64');
  if (bytes.length > maxBytes) {
    throw new AppException('ExternalProxy_BinaryBodyTooLarge', {
      errors: [`decoded size over ${maxBytes} bytes`],
    });
  }
  return { bytes, contentType: binary.content_type ?? 'application/octet-stream' };
}
