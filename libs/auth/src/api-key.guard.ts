import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AppException } from '@app/errors';
import type { FastifyRequest } from 'fastify';
import { ApiKeysService } from './api-keys.service';
import { IS_PUBLIC, REQUIRED_SCOPES } from './auth.decorators';
import type { Scope } from './scopes';

export const API_KEY_HEADER = 'x-api-key';

/** Global guard: every route needs a valid `x-api-key` with the route's scopes, unless `@Public()`. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly apiKeys: ApiKeysService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;

    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const key = request.headers[API_KEY_HEADER];
    if (key === undefined || key === '') throw new AppException('Auth_NoAuthProvided');
    if (typeof key !== 'string') throw new AppException('APIKey_InvalidAPIKey');

    const principal = await this.apiKeys.authenticate(key);
    request.principal = principal;

    const required = this.reflector.getAllAndOverride<Scope[] | undefined>(REQUIRED_SCOPES, targets) ?? [];
    const missing = required.filter((scope) => !principal.scopes.has(scope));
    if (missing.length > 0) {
      throw new AppException('APIKey_InsufficientPermissions', {
        errors: missing.map((scope) => `missing scope: ${scope}`),
      });
    }
    return true;
  }
}
