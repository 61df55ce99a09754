import { HttpService } from '@nestjs/axios';
import type { AxiosResponse } from 'axios';
import type { Readable } from 'node:stream';
import { Inject, Injectable } from '@nestjs/common';
import { proxyConfig, type ProxyConfig } from '@app/config';
import {
  applyCredentials,
  ConnectedAccountsService,
  OAuthRefreshService,
  type ResolvedAccount,
} from '@app/connected-accounts';
import { AppException } from '@app/errors';
import { type BinaryData, FilesService } from '@app/files';
import { DestinationPolicy } from './destination-policy';
import type { ExecuteProxyRequestDto } from './dto/execute-proxy.dto';
import { resolveEndpoint } from './endpoint-resolver';
import { assertCallerHeader, responseHeaders } from './header-policy';
import { encodeBody } from './request-body';
import { bodyKind, type ProxyAnswer, responseDataJson } from './response-mapper';
import { requestThrough } from './transport/request-through';
import {
  type UpstreamBody,
  UpstreamCall,
  type UpstreamRequestConfig,
} from './transport/undici-axios-adapter';
import { type Upload, UploadBodyBuilder } from './upload-body';
import { toUpstreamException } from './upstream-errors';
import { CallDeadline } from './transport/call-deadline';
import { UPSTREAM_USER_AGENT } from './transport/upstream-agent';

interface OutgoingRequest {
  url: URL;
  headers: Record<string, string>;
  body?: Buffer | Readable;
  /** Values injected from the account's credentials, for redaction. */
  secrets: string[];
  /** False when a caller header replaced an injected one: a 401 then says nothing about the account's token. */
  credentialsSent: boolean;
}

/** The base URL and credentials an account contributes to each outgoing request. */
interface AccountParts {
  /** Parsed once; read, never modified. */
  baseUrl: URL;
  headers: Readonly<Record<string, string>>;
  query: readonly [string, string][];
  /** The injected values, for redaction. */
  secrets: string[];
  /** The base URL's host when it is an IP literal the destination policy refuses, else null. */
  refusedLiteral: string | null;
}

@Injectable()
export class ProxyService {
  private readonly parts = new WeakMap<ResolvedAccount, AccountParts>();

  constructor(
    private readonly http: HttpService,
    private readonly accounts: ConnectedAccountsService,
    private readonly refresher: OAuthRefreshService,
    private readonly files: FilesService,
    private readonly uploads: UploadBodyBuilder,
    private readonly policy: DestinationPolicy,
    @Inject(proxyConfig.KEY) private readonly config: ProxyConfig,
  ) {}

  /**
   * `requestOrigin` (the caller's scheme and host) is the origin of `binary_data.url` unless
   * PUBLIC_BASE_URL is set. `onCallerGone`, when given, is handed a function that ends the call
   * as its deadline would: for a caller who hangs up, nothing more is fetched, sent or stored.
   */
  async execute(
    projectId: string,
    request: ExecuteProxyRequestDto,
    requestOrigin: string,
    onCallerGone?: (endCall: () => void) => void,
  ): Promise<ProxyAnswer> {
    assertRequestShape(request);
    const resolved = await this.accounts.resolveForProject(projectId, request.connected_account_id);
    const account = await this.refresher.ensureFresh(resolved);
    const target = this.buildRequest(request, account);
    // One deadline for the whole call (sources, connect, headers, body, storing a binary answer),
    // cleared as soon as it is over: AbortSignal.timeout() would keep every signal alive until it fires.
    const deadline = new CallDeadline(Math.min(request.timeout_ms ?? Infinity, this.config.timeoutMs));
    onCallerGone?.(() => deadline.abort());
    let upload: Upload | undefined;
    let outgoing = target;
    try {
      // Opened once the target has passed every check (nothing is fetched for a refused request),
      // and only once: a replay after a token refresh sends the same bytes without fetching again.
      const pendingUpload = this.uploads.build(request, deadline);
      upload = pendingUpload && (await pendingUpload);
      outgoing = withBody(target, request, upload);
      let response = await this.send(request, outgoing, deadline);
      // A 401 to an OAuth2 token we can renew: refresh once and replay once (when the body is in
      // memory, so the replay sends exactly the same bytes). The second answer goes back as it is.
      if (
        response.status === 401 &&
        outgoing.credentialsSent &&
        (upload === undefined || Buffer.isBuffer(upload.body)) &&
        this.refresher.isRefreshable(account)
      ) {
        const refreshed = await this.refresher.refreshAfterRejection(account);
        if (refreshed) {
          response.data.stream?.destroy();
          outgoing = withBody(this.buildRequest(request, refreshed), request, upload);
          response = await this.send(request, outgoing, deadline);
        }
      }
      return await this.answer(projectId, request, response, requestOrigin, deadline);
    } catch (error) {
      if (error instanceof AppException) throw error;
      // The upload's sources are to blame when one of them broke off, unless time simply ran out.
      const sourceFailure = deadline.aborted ? undefined : upload?.sourceFailure();
      throw sourceFailure ?? toUpstreamException(error, deadline.aborted, outgoing.secrets);
    } finally {
      deadline.clear();
      upload?.dispose();
    }
  }

  /** The proxy answer: data for JSON and text, a stored file behind `binary_data` for binary bodies. */
  private async answer(
    projectId: string,
    request: ExecuteProxyRequestDto,
    response: AxiosResponse<UpstreamBody>,
    requestOrigin: string,
    deadline: CallDeadline,
  ): Promise<ProxyAnswer> {
    const body = response.data;
    const headers = responseHeaders(body.headers, { decoded: body.decoded });
    if (request.method === 'HEAD') {
      body.stream?.destroy();
      return { status: response.status, dataJson: 'null', headers };
    }
    // A binary content type arrives as a stream (the adapter streams exactly those answers);
    // untyped bytes that are not UTF-8 are known to be binary only once read.
    const { stream, bytes } = body;
    if (stream === undefined) {
      const kind = bodyKind(headers['content-type'], bytes);
      if (kind !== 'binary')
        return { status: response.status, dataJson: responseDataJson(kind, bytes), headers };
    }
    const binaryData = await this.store(projectId, stream ?? bytes, headers, requestOrigin, deadline);
    return {
      status: response.status,
      dataJson: 'null',
      headers,
      ...(binaryData && { binary_data: binaryData }),
    };
  }

  private async store(
    projectId: string,
    body: Readable | Buffer,
    headers: Record<string, string>,
    requestOrigin: string,
    deadline: CallDeadline,
  ): Promise<BinaryData | null> {
    try {
      return await this.files.store(
        projectId,
        {
          body,
          contentType: headers['content-type'],
          contentDisposition: headers['content-disposition'],
          deadline,
        },
        requestOrigin,
      );
    } catch (error) {
      // A failure of the upstream's body (cap, reset, deadline) is the upstream's; anything else
      // (the database) is ours and goes to the filter as a 500.
      if (!Buffer.isBuffer(body) && body.errored) throw body.errored;
      throw error;
    }
  }

  private async send(
    request: ExecuteProxyRequestDto,
    outgoing: OutgoingRequest,
    signal: CallDeadline,
  ): Promise<AxiosResponse<UpstreamBody>> {
    // HttpService's axios instance, without the Observable wrapper (a CancelToken and an error
    // object with a stack trace per call) and, while the instance is bare, without axios' request
    // pipeline either (see requestThrough).
    const config: UpstreamRequestConfig = {
      upstream: new UpstreamCall(outgoing.url, outgoing.headers, this.config.maxResponseBytes),
      method: request.method,
      data: outgoing.body,
      signal,
    };
    return requestThrough<UpstreamBody>(this.http.axiosRef, config);
  }

  /** The target, headers and credentials of the outgoing request, without its body. */
  private buildRequest(request: ExecuteProxyRequestDto, account: ResolvedAccount): OutgoingRequest {
    const parts = this.accountParts(account);
    const url = resolveEndpoint(request.endpoint, {
      baseUrl: parts.baseUrl,
      allowedHosts: account.allowedHosts,
    });
    // The base URL's host was judged once, with the account's parts; any other host is judged here.
    const literal =
      url.hostname === parts.baseUrl.hostname
        ? parts.refusedLiteral
        : this.policy.refusedLiteral(url.hostname);
    if (literal !== null) {
      throw new AppException('ExternalProxy_DestinationNotAllowed', {
        errors: [`address ${literal} is not public`],
      });
    }

    const headers: Record<string, string> = { 'user-agent': UPSTREAM_USER_AGENT, ...parts.headers };
    for (const [name, value] of parts.query) url.searchParams.set(name, value);

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

    let credentialsSent = true;
    for (const name in parts.headers) credentialsSent &&= headers[name] === parts.headers[name];

    return { url, headers, secrets: parts.secrets, credentialsSent };
  }

  /**
   * What an account adds to every call, worked out on its first call: resolved accounts are values,
   * replaced (never changed) when the account or its token changes, so an entry cannot go stale.
   */
  private accountParts(account: ResolvedAccount): AccountParts {
    let parts = this.parts.get(account);
    if (parts === undefined) {
      const injected = { headers: {} as Record<string, string>, query: new URLSearchParams() };
      applyCredentials(account.authScheme, { ...account.credentials }, injected);
      const baseUrl = new URL(account.baseUrl);
      parts = {
        baseUrl,
        refusedLiteral: this.policy.refusedLiteral(baseUrl.hostname),
        headers: injected.headers,
        query: [...injected.query],
        secrets: [...Object.values(injected.headers), ...injected.query.values()],
      };
      this.parts.set(account, parts);
    }
    return parts;
  }
}

/** The request with its body: the upload, or `body` encoded after the content-type header. */
function withBody(
  target: OutgoingRequest,
  request: ExecuteProxyRequestDto,
  upload: Upload | undefined,
): OutgoingRequest {
  // Nothing to add (a GET, say): the request goes as built, its headers shared, never modified.
  if (!upload && (request.body === undefined || request.body === null)) return target;
  const headers = { ...target.headers };
  if (upload) {
    // A multipart body's content-type carries our boundary: the caller's cannot stand.
    if (request.multipart || headers['content-type'] === undefined)
      headers['content-type'] = upload.contentType;
    if (upload.length !== undefined) headers['content-length'] = String(upload.length);
    return { ...target, headers, body: upload.body };
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
  const bodies = [
    hasBody && 'body',
    request.binary_body && 'binary_body',
    request.multipart && 'multipart',
  ].filter((name): name is string => typeof name === 'string');
  if ((request.method === 'GET' || request.method === 'HEAD') && bodies.length > 0) {
    errors.push(`${bodies.join(', ')} is not allowed with ${request.method}`);
  }
  for (const [index, parameter] of (request.parameters ?? []).entries()) {
    if (parameter.type !== undefined && parameter.in !== undefined && parameter.type !== parameter.in) {
      errors.push(`parameters[${index}]: type and in disagree`);
    }
  }
  for (const [index, part] of (request.multipart ?? []).entries()) {
    const sources = [part.value !== undefined, part.base64 !== undefined, part.url !== undefined];
    if (sources.filter(Boolean).length !== 1) {
      errors.push(`multipart[${index}]: give exactly one of value, base64 and url`);
    } else if (part.value !== undefined && part.filename !== undefined) {
      errors.push(`multipart[${index}]: filename needs base64 or url`);
    }
  }
  if (errors.length > 0) throw new AppException('Request_ValidationFailed', { errors });
  if (bodies.length > 1) {
    throw new AppException('ExternalProxy_BinaryBodyInvalid', {
      errors: [`send only one of ${bodies.join(', ')}`],
    });
  }
}
