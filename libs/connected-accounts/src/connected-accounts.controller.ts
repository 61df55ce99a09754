import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiSecurity, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, type Principal, RequireScopes } from '@app/auth';
import { ApiErrors, COMMON_ERRORS, versionedPaths } from '@app/errors';
import { ConnectedAccountsService, type MaskedConnectedAccount } from './connected-accounts.service';
import {
  ConnectedAccountDeletedDto,
  ConnectedAccountDto,
  ConnectedAccountListDto,
  CreateConnectedAccountDto,
  ListConnectedAccountsQueryDto,
  UpdateConnectedAccountDto,
  UpdateConnectedAccountStatusDto,
} from './dto/connected-account.dto';
import { OAuthRefreshService } from './oauth/oauth-refresh.service';

export function toConnectedAccountDto(account: MaskedConnectedAccount): ConnectedAccountDto {
  return {
    id: account.id,
    toolkit: { slug: account.toolkitSlug },
    user_id: account.userId,
    alias: account.alias,
    base_url: account.baseUrl,
    auth_scheme: account.authScheme,
    credentials: account.credentials,
    allowed_hosts: account.allowedHosts,
    status: account.status,
    status_reason: account.statusReason,
    is_default: account.isDefault,
    is_disabled: account.status === 'INACTIVE',
    version: account.version,
    created_at: account.createdAt.toISOString(),
    updated_at: account.updatedAt.toISOString(),
  };
}

@ApiTags('Connected accounts')
@ApiSecurity('x-api-key')
@ApiErrors(...COMMON_ERRORS)
@Controller({ path: versionedPaths('connected_accounts') })
export class ConnectedAccountsController {
  constructor(
    private readonly accounts: ConnectedAccountsService,
    private readonly refresher: OAuthRefreshService,
  ) {}

  /** Stores an account; its credentials are encrypted at rest and never returned in clear. */
  @Post()
  @RequireScopes('connected_accounts:write')
  @ApiErrors('Request_ValidationFailed', 'ConnectedAccount_InvalidCredentials')
  async createConnectedAccount(
    @CurrentPrincipal() principal: Principal,
    @Body() body: CreateConnectedAccountDto,
  ): Promise<ConnectedAccountDto> {
    const account = await this.accounts.create(principal.projectId, {
      toolkitSlug: body.toolkit_slug,
      userId: body.user_id ?? 'default',
      alias: body.alias ?? null,
      baseUrl: body.base_url,
      authScheme: body.auth_scheme,
      credentials: body.credentials ?? {},
      allowedHosts: body.allowed_hosts ?? [],
      isDefault: body.is_default ?? false,
    });
    return toConnectedAccountDto(account);
  }

  /** Lists the project's accounts, newest first, a page at a time. */
  @Get()
  @RequireScopes('connected_accounts:read')
  @ApiErrors('Request_ValidationFailed')
  async listConnectedAccounts(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ListConnectedAccountsQueryDto,
  ): Promise<ConnectedAccountListDto> {
    const page = await this.accounts.list(principal.projectId, {
      toolkitSlugs: query.toolkit_slugs,
      userIds: query.user_ids,
      statuses: query.statuses,
      limit: query.limit ?? 20,
      cursor: query.cursor,
    });
    return { items: page.items.map(toConnectedAccountDto), next_cursor: page.nextCursor };
  }

  @Get(':id')
  @RequireScopes('connected_accounts:read')
  @ApiErrors('ConnectedAccount_NotFound')
  async getConnectedAccount(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
  ): Promise<ConnectedAccountDto> {
    return toConnectedAccountDto(await this.accounts.get(principal.projectId, id));
  }

  /** Changes the given fields; send `version` to refuse overwriting a change made since you read. */
  @Patch(':id')
  @RequireScopes('connected_accounts:write')
  @ApiErrors(
    'Request_ValidationFailed',
    'ConnectedAccount_NotFound',
    'ConnectedAccount_InvalidCredentials',
    'ConnectedAccount_VersionConflict',
  )
  async updateConnectedAccount(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Body() body: UpdateConnectedAccountDto,
  ): Promise<ConnectedAccountDto> {
    const account = await this.accounts.update(principal.projectId, id, {
      alias: body.alias,
      baseUrl: body.base_url,
      credentials: body.credentials,
      allowedHosts: body.allowed_hosts,
      isDefault: body.is_default,
      version: body.version,
    });
    return toConnectedAccountDto(account);
  }

  /** Deletes the account; the proxy stops using it at once on every replica. */
  @Delete(':id')
  @HttpCode(200)
  @RequireScopes('connected_accounts:write')
  @ApiErrors('ConnectedAccount_NotFound')
  async deleteConnectedAccount(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
  ): Promise<ConnectedAccountDeletedDto> {
    await this.accounts.delete(principal.projectId, id);
    return { success: true };
  }

  /** Disables (`enabled: false`, status INACTIVE) or re-enables (ACTIVE) the account. */
  @Patch(':id/status')
  @HttpCode(200)
  @RequireScopes('connected_accounts:write')
  @ApiErrors('Request_ValidationFailed', 'ConnectedAccount_NotFound', 'ConnectedAccount_VersionConflict')
  async updateConnectedAccountStatus(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Body() body: UpdateConnectedAccountStatusDto,
  ): Promise<ConnectedAccountDto> {
    return toConnectedAccountDto(await this.accounts.setEnabled(principal.projectId, id, body.enabled));
  }

  /**
   * Gets a new OAuth2 access token now (OAUTH2 with `refresh_token` and `token_url`, or
   * OAUTH2_CLIENT_CREDENTIALS), coordinated with any refresh already under way on any replica.
   */
  @Post(':id/refresh')
  @HttpCode(200)
  @RequireScopes('connected_accounts:write')
  @ApiErrors(
    'ConnectedAccount_NotFound',
    'ConnectedAccount_NotActive',
    'ConnectedAccount_NotRefreshable',
    'ConnectedAccount_RefreshFailed',
  )
  async refreshConnectedAccount(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
  ): Promise<ConnectedAccountDto> {
    return toConnectedAccountDto(await this.refresher.forceRefresh(principal.projectId, id));
  }
}
