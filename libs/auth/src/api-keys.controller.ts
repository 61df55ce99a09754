import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ApiErrors, AppException, COMMON_ERRORS, versionedPaths } from '@app/errors';
import { ApiKeysService } from './api-keys.service';
import { CurrentPrincipal, RequireScopes } from './auth.decorators';
import { ApiKeyDto, ApiKeyListDto, CreateApiKeyDto, IssuedApiKeyDto, SuccessDto } from './dto/api-key.dto';
import type { ApiKeyEntity } from './entities/api-key.entity';
import type { Principal } from './principal';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function toApiKeyDto(entity: ApiKeyEntity): ApiKeyDto {
  return {
    id: entity.id,
    name: entity.name,
    scopes: entity.scopes,
    key_hint: entity.keyHint,
    created_at: entity.createdAt.toISOString(),
    last_used_at: entity.lastUsedAt?.toISOString() ?? null,
  };
}

@ApiTags('API keys')
@ApiSecurity('x-api-key')
@ApiErrors(...COMMON_ERRORS)
@RequireScopes('api_keys:manage')
@Controller({ path: versionedPaths('api_keys') })
export class ApiKeysController {
  constructor(private readonly apiKeys: ApiKeysService) {}

  /** Creates a key for the caller's project. The key is in the answer once and never again. */
  @Post()
  @ApiErrors('Request_ValidationFailed')
  async createApiKey(
    @CurrentPrincipal() principal: Principal,
    @Body() body: CreateApiKeyDto,
  ): Promise<IssuedApiKeyDto> {
    const beyondCaller = body.scopes.filter((scope) => !principal.scopes.has(scope));
    if (beyondCaller.length > 0) {
      // A key cannot mint a key more powerful than itself.
      throw new AppException('APIKey_InsufficientPermissions', {
        message: 'A key can only grant scopes it holds itself.',
        errors: beyondCaller.map((scope) => `cannot grant scope: ${scope}`),
      });
    }
    const { entity, key } = await this.apiKeys.issue(principal.projectId, body.name, body.scopes);
    return { id: entity.id, name: entity.name, key, scopes: entity.scopes };
  }

  /** Lists the project's active keys (never the keys themselves). */
  @Get()
  async listApiKeys(@CurrentPrincipal() principal: Principal): Promise<ApiKeyListDto> {
    const keys = await this.apiKeys.listForProject(principal.projectId);
    return { items: keys.map(toApiKeyDto) };
  }

  /** Revokes a key: it stops working at once on every replica. */
  @Delete(':id')
  @HttpCode(200)
  @ApiErrors('APIKey_NotFound')
  async revokeApiKey(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<SuccessDto> {
    if (!UUID.test(id)) throw new AppException('APIKey_NotFound');
    await this.apiKeys.revoke(principal.projectId, id);
    return { success: true };
  }
}
