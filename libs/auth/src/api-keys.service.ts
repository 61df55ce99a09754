import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { authConfig, type AuthConfig } from '@app/config';
import { InvalidationBus } from '@app/database';
import { AppException } from '@app/errors';
import type { EntityManager } from 'typeorm';
import { ApiKeyCache } from './api-key-cache';
import { apiKeyHint, generateApiKey, hashApiKey, passesChecksum } from './api-key-format';
import { ApiKeysRepository } from './api-keys.repository';
import type { ApiKeyEntity } from './entities/api-key.entity';
import type { Principal } from './principal';
import type { Scope } from './scopes';

const CACHE_TOPIC = 'api_key';
const LAST_USED_DEBOUNCE_MS = 60_000;

export interface IssuedApiKey {
  entity: ApiKeyEntity;
  /** The key in clear: shown once, never stored. */
  key: string;
}

@Injectable()
export class ApiKeysService implements OnModuleInit {
  private readonly logger = new Logger('ApiKeys');
  private readonly cache: ApiKeyCache;
  /** key id → when this replica last wrote `last_used_at` (at most once a minute per key). */
  private readonly lastUsedWrites = new Map<string, number>();

  constructor(
    private readonly repository: ApiKeysRepository,
    private readonly bus: InvalidationBus,
    @Inject(authConfig.KEY) config: AuthConfig,
  ) {
    this.cache = new ApiKeyCache(config.cacheTtlMs);
  }

  onModuleInit(): void {
    this.bus.subscribe(CACHE_TOPIC, {
      invalidate: (keyHash) => this.cache.delete(keyHash),
      reset: () => this.cache.clear(),
    });
  }

  /** The principal of a key, or `APIKey_InvalidAPIKey`. Served from the cache in steady state. */
  async authenticate(key: string): Promise<Principal> {
    const keyHash = hashApiKey(key);
    let principal = this.cache.get(keyHash);
    if (!principal) {
      // The checksum spares the database a lookup for a mistyped or guessed key; a cached key passed it.
      if (!passesChecksum(key)) throw new AppException('APIKey_InvalidAPIKey');
      const entity = await this.repository.findActiveByHash(keyHash);
      if (!entity) throw new AppException('APIKey_InvalidAPIKey');
      principal = { keyId: entity.id, projectId: entity.projectId, scopes: new Set(entity.scopes) };
      this.cache.set(keyHash, principal);
    }
    this.recordUse(principal.keyId);
    return principal;
  }

  async issue(
    projectId: string,
    name: string,
    scopes: Scope[],
    manager?: EntityManager,
    key: string = generateApiKey(),
  ): Promise<IssuedApiKey> {
    const entity = await this.repository.insert(
      { projectId, name, scopes: [...new Set(scopes)], keyHash: hashApiKey(key), keyHint: apiKeyHint(key) },
      manager,
    );
    return { entity, key };
  }

  listForProject(projectId: string): Promise<ApiKeyEntity[]> {
    return this.repository.listActiveForProject(projectId);
  }

  /** Revokes at once here and, through the invalidation channel, on every other replica. */
  async revoke(projectId: string, id: string): Promise<void> {
    const keyHash = await this.repository.revokeForProject(projectId, id);
    if (!keyHash) throw new AppException('APIKey_NotFound');
    this.lastUsedWrites.delete(id);
    await this.bus.publish(CACHE_TOPIC, keyHash);
  }

  private recordUse(keyId: string, now = Date.now()): void {
    const last = this.lastUsedWrites.get(keyId);
    if (last !== undefined && now - last < LAST_USED_DEBOUNCE_MS) return;
    this.lastUsedWrites.set(keyId, now);
    this.repository.touchLastUsed(keyId).catch((error: Error) => {
      this.logger.warn(`Could not record last use of key ${keyId}: ${error.message}`);
    });
  }
}
