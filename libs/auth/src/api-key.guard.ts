import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AppException } from '@app/errors';
import type { FastifyRequest } from 'fastify';
import { ApiKeysService } from './api-keys.service';
import { IS_PUBLIC, REQUIRED_SCOPES } from './auth.decorators';
import type { Scope } from './scopes';

export const API_KEY_HEADER = 'x-api-key';

/** What a route asks of the caller, read once per route from its decorators. */
interface RouteAuth {
  isPublic: boolean;
  requiredScopes: readonly Scope[];
}

/** Global guard: every route needs a valid `x-api-key` with the route's scopes, unless `@Public()`. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  /** Per controller and handler: route metadata never changes after start-up, so it is read once. */
  private readonly routes = new WeakMap<object, WeakMap<object, RouteAuth>>();

  constructor(
    private readonly reflector: Reflector,
    private readonly apiKeys: ApiKeysService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const route = this.routeAuth(context);
    if (route.isPublic) return true;

    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const key = request.headers[API_KEY_HEADER];
    if (key === undefined || key === '') throw new AppException('Auth_NoAuthProvided');
    if (typeof key !== 'string') throw new AppException('APIKey_InvalidAPIKey');

    const principal = await this.apiKeys.authenticate(key);
    request.principal = principal;

    const missing = route.requiredScopes.filter((scope) => !principal.scopes.has(scope));
    if (missing.length > 0) {
      throw new AppException('APIKey_InsufficientPermissions', {
        errors: missing.map((scope) => `missing scope: ${scope}`),
      });
    }
    return true;
  }

  private routeAuth(context: ExecutionContext): RouteAuth {
    const handler = context.getHandler();
    const controller = context.getClass();
    let routes = this.routes.get(controller);
    if (routes === undefined) this.routes.set(controller, (routes = new WeakMap()));
    let route = routes.get(handler);
    if (route === undefined) {
      const targets = [handler, controller];
      route = {
        isPublic: this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets) ?? false,
        requiredScopes: this.reflector.getAllAndOverride<Scope[] | undefined>(REQUIRED_SCOPES, targets) ?? [],
      };
      routes.set(handler, route);
    }
    return route;
  }
}
