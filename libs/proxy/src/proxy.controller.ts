import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, type Principal, RequireScopes } from '@app/auth';
import { ApiErrors, COMMON_ERRORS, versionedPaths } from '@app/errors';
import { ExecuteProxyRequestDto, ProxyResponseDto } from './dto/execute-proxy.dto';
import { ProxyService } from './proxy.service';

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
  @ApiOkResponse({
    type: ProxyResponseDto,
    description: 'The upstream answered (its status is in `status`).',
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
    'ExternalProxy_CustomConnectionDataUnsupported',
    'ExternalProxy_UpstreamUnreachable',
    'ExternalProxy_UpstreamTimeout',
    'ExternalProxy_ResponseTooLarge',
  )
  executeProxy(
    @CurrentPrincipal() principal: Principal,
    @Body() request: ExecuteProxyRequestDto,
  ): Promise<ProxyResponseDto> {
    return this.proxy.execute(principal.projectId, request);
  }
}
