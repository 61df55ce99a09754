import { Body, Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, type Principal, RequireScopes } from '@app/auth';
import { ApiErrors, COMMON_ERRORS, versionedPaths } from '@app/errors';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ExecuteProxyRequestDto, ProxyResponseDto } from './dto/execute-proxy.dto';
import { ProxyService } from './proxy.service';
import { proxyAnswerJson } from './response-mapper';

const PROXY_REQUEST_EXAMPLES = {
  get: {
    summary: 'GET with query and header parameters (default account)',
    value: {
      endpoint: '/user/repos',
      method: 'GET',
      parameters: [
        { name: 'per_page', value: 5, type: 'query' },
        { name: 'Accept', value: 'application/vnd.github+json', type: 'header' },
      ],
    },
  },
  json: {
    summary: 'POST a JSON body with a chosen account',
    value: {
      endpoint: '/repos/octo/hello/issues',
      method: 'POST',
      connected_account_id: 'ca_3yV0rJ9qg1o2Kp7Wn4Xb8C',
      body: { title: 'Found a bug', labels: ['bug'] },
    },
  },
  form: {
    summary: 'POST a form (the content-type parameter decides the encoding)',
    value: {
      endpoint: '/api/chat.postMessage',
      method: 'POST',
      body: { channel: 'C123', text: 'hello' },
      parameters: [{ name: 'content-type', value: 'application/x-www-form-urlencoded', type: 'header' }],
    },
  },
  binaryUrl: {
    summary: 'PUT raw bytes fetched from a URL',
    value: {
      endpoint: '/upload/report.pdf',
      method: 'PUT',
      binary_body: { url: 'https://files.example.com/report.pdf' },
    },
  },
  multipart: {
    summary: 'Extension: POST multipart/form-data (a field, a file from a URL)',
    value: {
      endpoint: '/api/files.upload',
      method: 'POST',
      multipart: [
        { name: 'channels', value: 'C0123456789' },
        { name: 'file', filename: 'chart.png', url: 'https://files.example.com/chart.png' },
      ],
    },
  },
  binary: {
    summary: 'PUT raw bytes from base64',
    value: {
      endpoint: '/upload/report.pdf',
      method: 'PUT',
      binary_body: { base64: 'JVBERi0xLjQK', content_type: 'application/pdf' },
    },
  },
};

const PROXY_RESPONSE_EXAMPLES = {
  json: {
    summary: 'JSON answer',
    value: {
      status: 200,
      data: { id: 1, login: 'octocat' },
      headers: { 'content-type': 'application/json' },
    },
  },
  upstreamError: {
    summary: 'The upstream answered 404: still HTTP 200 here',
    value: { status: 404, data: { message: 'Not Found' }, headers: { 'content-type': 'application/json' } },
  },
  head: { summary: 'HEAD', value: { status: 200, data: null, headers: { etag: '"abc"' } } },
  binary: {
    summary: 'Binary answer: stored, with a signed download link',
    value: {
      status: 200,
      data: null,
      headers: { 'content-type': 'application/pdf', 'content-length': '12345' },
      binary_data: {
        url: 'https://proxy.example.com/api/v3/files/file_3yV0rJ9qg1o2Kp7Wn4Xb8C?expires=1767225600&signature=…',
        content_type: 'application/pdf',
        size: 12345,
        expires_at: '2026-01-01T00:00:00.000Z',
      },
    },
  },
};

@ApiTags('Tools')
@ApiSecurity('x-api-key')
@Controller({ path: versionedPaths('tools/execute/proxy') })
export class ProxyController {
  constructor(private readonly proxy: ProxyService) {}

  /**
   * Execute proxy request: calls a third-party API with the connected account's credentials
   * injected on the server. Answers 200 whenever the upstream answered, whatever its status.
   */
  @Post()
  @HttpCode(200)
  @RequireScopes('proxy:execute')
  @ApiBody({ type: ExecuteProxyRequestDto, examples: PROXY_REQUEST_EXAMPLES })
  @ApiOkResponse({
    type: ProxyResponseDto,
    description: 'The upstream answered (its status is in `status`).',
    examples: PROXY_RESPONSE_EXAMPLES,
  })
  @ApiErrors(
    ...COMMON_ERRORS,
    'Request_ValidationFailed',
    'Request_MalformedJson',
    'Request_PayloadTooLarge',
    'ConnectedAccount_NotFound',
    'ConnectedAccount_NotActive',
    'ExternalProxy_MissingAuthContext',
    'ExternalProxy_OriginMismatch',
    'ExternalProxy_InvalidEndpoint',
    'ExternalProxy_DestinationNotAllowed',
    'ExternalProxy_InvalidHeader',
    'ExternalProxy_BinaryBodyInvalid',
    'ExternalProxy_BinaryBodyTooLarge',
    'ExternalProxy_BinarySourceFailed',
    'ExternalProxy_CustomConnectionDataUnsupported',
    'ExternalProxy_UpstreamUnreachable',
    'ExternalProxy_UpstreamTimeout',
    'ExternalProxy_ResponseTooLarge',
  )
  async executeProxy(
    @CurrentPrincipal() principal: Principal,
    @Body() request: ExecuteProxyRequestDto,
    @Req() incoming: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    // Links point back where the caller reached us, unless PUBLIC_BASE_URL says otherwise.
    const origin = `${incoming.protocol}://${incoming.host}`;
    const answer = await this.proxy.execute(principal.projectId, request, origin, (endCall) => {
      // The connection closed before the answer was written (now, or already): the caller left.
      if (reply.raw.destroyed) return endCall();
      reply.raw.once('close', () => {
        if (!reply.raw.writableFinished) endCall();
      });
    });
    // The JSON text of a ProxyResponseDto, built here so the upstream's JSON goes out as it came.
    void reply.type('application/json; charset=utf-8');
    return proxyAnswerJson(answer);
  }
}

/** Path suffix of the proxy route, whose request body limit follows PROXY_MAX_UPLOAD_BYTES. */
export const PROXY_ROUTE_SUFFIX = '/tools/execute/proxy';

/** Room for a base64 `binary_body` of the largest allowed upload, plus the rest of the JSON. */
export function proxyRequestBodyLimit(maxUploadBytes: number): number {
  return Math.ceil(maxUploadBytes / 3) * 4 + 1024 * 1024;
}
