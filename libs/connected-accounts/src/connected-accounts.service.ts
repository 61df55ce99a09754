import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { InvalidationBus } from '@app/database';
import { AppException } from '@app/errors';
import type { AuthScheme, Credentials } from './auth-schemes/auth-scheme';
import { authScheme, normalizeCredentials } from './auth-schemes/registry';
import { ConnectedAccountCache, type ResolvedAccount } from './connected-account-cache';
import { generateConnectedAccountId, isConnectedAccountId } from './connected-account-id';
import { type ConnectedAccountChanges, ConnectedAccountsRepository } from './connected-accounts.repository';
import { CredentialCipher } from './credential-cipher';
import type { ConnectedAccountEntity, ConnectedAccountStatus } from './entities/connected-account.entity';
import { decodeCursor, encodeCursor } from './list-cursor';

const CACHE_TOPIC = 'connected_account';
/** Backstop only: every write invalidates on every replica at once. */
const CACHE_TTL_MS = 30_000;
/** Retries of an unversioned PATCH that lost a race; past this, the caller is told to retry. */
const MAX_CAS_ATTEMPTS = 25;

/** An account as the API shows it: credentials masked, no ciphertext. */
export type MaskedConnectedAccount = Omit<ConnectedAccountEntity, 'encryptedCredentials' | 'projectId'> & {
  credentials: Credentials;
};

export interface CreateConnectedAccountInput {
  toolkitSlug: string;
  userId: string;
  alias: string | null;
  baseUrl: string;
  authScheme: string;
  credentials: Credentials;
  allowedHosts: string[];
  isDefault: boolean;
}

export interface UpdateConnectedAccountInput {
  alias?: string | null;
  baseUrl?: string;
  credentials?: Credentials;
  allowedHosts?: string[];
  isDefault?: boolean;
  /** When given, the update applies only to this version (else ConnectedAccount_VersionConflict). */
  version?: number;
}

export interface ListConnectedAccountsInput {
  toolkitSlugs?: string[];
  userIds?: string[];
  statuses?: ConnectedAccountStatus[];
  limit: number;
  cursor?: string;
}

export interface ConnectedAccountPage {
  items: MaskedConnectedAccount[];
  nextCursor: string | null;
}

@Injectable()
export class ConnectedAccountsService implements OnModuleInit {
  private readonly logger = new Logger('ConnectedAccounts');
  private readonly cache = new ConnectedAccountCache(CACHE_TTL_MS);

  constructor(
    private readonly repository: ConnectedAccountsRepository,
    private readonly cipher: CredentialCipher,
    private readonly bus: InvalidationBus,
  ) {}

  onModuleInit(): void {
    this.bus.subscribe(CACHE_TOPIC, {
      invalidate: (key) => this.cache.invalidate(key),
      reset: () => this.cache.clear(),
    });
  }

  /**
   * The account the proxy calls with, credentials decrypted: `id`, or the project's default when
   * undefined. Served from the cache in steady state.
   */
  async resolveForProject(projectId: string, id: string | undefined): Promise<ResolvedAccount> {
    if (id !== undefined && !isConnectedAccountId(id)) throw new AppException('ConnectedAccount_NotFound');
    const key = ConnectedAccountCache.key(projectId, id);
    let account = this.cache.get(key);
    if (!account) {
      const generation = this.cache.currentGeneration;
      const entity =
        id === undefined
          ? await this.repository.findDefaultForProject(projectId)
          : await this.repository.findByIdForProject(projectId, id);
      if (!entity) {
        throw new AppException(
          id === undefined ? 'ExternalProxy_MissingAuthContext' : 'ConnectedAccount_NotFound',
        );
      }
      account = this.toResolved(entity);
      this.cache.set(key, account, generation);
    }
    if (account.status !== 'ACTIVE') throw new AppException('ConnectedAccount_NotActive');
    return account;
  }

  async create(projectId: string, input: CreateConnectedAccountInput): Promise<MaskedConnectedAccount> {
    const scheme = authScheme(input.authScheme);
    this.assertCredentials(scheme, input.credentials);
    const credentials = normalizeCredentials(scheme.name, input.credentials);
    const id = generateConnectedAccountId();
    const { entity, undefaulted } = await this.repository.insertForProject(projectId, {
      id,
      projectId,
      toolkitSlug: input.toolkitSlug,
      userId: input.userId,
      alias: input.alias,
      baseUrl: input.baseUrl,
      authScheme: scheme.name,
      encryptedCredentials: this.cipher.seal(credentials, { projectId, accountId: id }),
      allowedHosts: normaliseHosts(input.allowedHosts),
      isDefault: input.isDefault,
    });
    await this.announceChange(projectId, [id, ...undefaulted]);
    return this.present(entity, credentials);
  }

  async list(projectId: string, input: ListConnectedAccountsInput): Promise<ConnectedAccountPage> {
    const after = input.cursor === undefined ? undefined : decodeCursor(input.cursor);
    if (input.cursor !== undefined && !after) {
      throw new AppException('Request_ValidationFailed', {
        errors: ['cursor is not a next_cursor this API returned'],
      });
    }
    const rows = await this.repository.listForProject(projectId, { ...input, after, limit: input.limit + 1 });
    const items = rows.slice(0, input.limit);
    const last = items.at(-1);
    return {
      items: items.map((entity) => this.present(entity)),
      nextCursor: rows.length > input.limit && last ? encodeCursor(last) : null,
    };
  }

  async get(projectId: string, id: string): Promise<MaskedConnectedAccount> {
    return this.present(await this.find(projectId, id));
  }

  async update(
    projectId: string,
    id: string,
    input: UpdateConnectedAccountInput,
  ): Promise<MaskedConnectedAccount> {
    return this.mutate(projectId, id, input.version, (current) => {
      const changes: ConnectedAccountChanges = {};
      if (input.alias !== undefined) changes.alias = input.alias;
      if (input.baseUrl !== undefined) changes.baseUrl = input.baseUrl;
      if (input.allowedHosts !== undefined) changes.allowedHosts = normaliseHosts(input.allowedHosts);
      if (input.isDefault !== undefined) changes.isDefault = input.isDefault;
      if (input.credentials !== undefined) {
        this.assertCredentials(authScheme(current.authScheme), input.credentials);
        changes.encryptedCredentials = this.cipher.seal(
          normalizeCredentials(current.authScheme, input.credentials),
          { projectId, accountId: id },
        );
        // Fresh credentials deserve a fresh token call at once, not after a previous failure's cooldown.
        changes.refreshCooldownUntil = null;
        // New credentials are the fix for expired or failed ones; a deliberate disable stays.
        if (current.status === 'EXPIRED' || current.status === 'FAILED') {
          changes.status = 'ACTIVE';
          changes.statusReason = null;
        }
      }
      return changes;
    });
  }

  /** Enables (ACTIVE) or disables (INACTIVE) an account. */
  async setEnabled(projectId: string, id: string, enabled: boolean): Promise<MaskedConnectedAccount> {
    return this.mutate(projectId, id, undefined, () => ({
      status: enabled ? 'ACTIVE' : 'INACTIVE',
      statusReason: null,
    }));
  }

  async delete(projectId: string, id: string): Promise<void> {
    if (!isConnectedAccountId(id) || !(await this.repository.deleteForProject(projectId, id))) {
      throw new AppException('ConnectedAccount_NotFound');
    }
    await this.announceChange(projectId, [id]);
  }

  /**
   * Drops the accounts from every replica's cache (here at once, elsewhere as soon as Postgres
   * delivers). A failed notification is logged, not raised: the write is committed, and the other
   * replicas' TTL bounds how long they can serve the old value.
   */
  async announceChange(projectId: string, ids: readonly string[]): Promise<void> {
    for (const id of ids) {
      await this.bus.publish(CACHE_TOPIC, ConnectedAccountCache.key(projectId, id)).catch((error: Error) => {
        this.logger.warn(`Could not announce a change of ${id} to other replicas: ${error.message}`);
      });
    }
  }

  /**
   * Read, build changes from what was read, write only if nothing changed meanwhile (compare-and-swap
   * on version); an unversioned request retries, so concurrent changes never interleave half-way.
   */
  private async mutate(
    projectId: string,
    id: string,
    expectedVersion: number | undefined,
    build: (current: ConnectedAccountEntity) => ConnectedAccountChanges,
  ): Promise<MaskedConnectedAccount> {
    for (let attempt = 1; ; attempt++) {
      const current = await this.find(projectId, id);
      if (expectedVersion !== undefined && expectedVersion !== current.version) {
        throw new AppException('ConnectedAccount_VersionConflict');
      }
      const changes = build(current);
      if (Object.keys(changes).length === 0) return this.present(current);
      const written = await this.repository.updateIfVersion(projectId, id, current.version, changes);
      if (written) {
        await this.announceChange(projectId, [id, ...written.undefaulted]);
        return this.present(written.entity);
      }
      if (expectedVersion !== undefined || attempt >= MAX_CAS_ATTEMPTS) {
        throw new AppException('ConnectedAccount_VersionConflict');
      }
    }
  }

  private async find(projectId: string, id: string): Promise<ConnectedAccountEntity> {
    const entity = isConnectedAccountId(id) ? await this.repository.findByIdForProject(projectId, id) : null;
    if (!entity) throw new AppException('ConnectedAccount_NotFound');
    return entity;
  }

  private assertCredentials(scheme: AuthScheme, credentials: unknown): void {
    const problems = scheme.validate(credentials);
    if (problems.length > 0)
      throw new AppException('ConnectedAccount_InvalidCredentials', { errors: problems });
  }

  /** The account's credentials in clear: for the proxy and the OAuth2 refresher, never for a response. */
  open(entity: ConnectedAccountEntity): Credentials {
    return this.cipher.open(entity.encryptedCredentials, {
      projectId: entity.projectId,
      accountId: entity.id,
    });
  }

  present(
    entity: ConnectedAccountEntity,
    credentials: Credentials = this.open(entity),
  ): MaskedConnectedAccount {
    const { encryptedCredentials: _sealed, projectId: _projectId, ...visible } = entity;
    return { ...visible, credentials: authScheme(entity.authScheme).mask(credentials) };
  }

  toResolved(entity: ConnectedAccountEntity): ResolvedAccount {
    return Object.freeze({
      id: entity.id,
      projectId: entity.projectId,
      toolkitSlug: entity.toolkitSlug,
      userId: entity.userId,
      baseUrl: entity.baseUrl,
      authScheme: entity.authScheme,
      credentials: Object.freeze(this.open(entity)),
      allowedHosts: Object.freeze([...entity.allowedHosts]),
      status: entity.status,
    });
  }
}

/** Host names are case-insensitive: store them lower-case, once each. */
function normaliseHosts(hosts: string[]): string[] {
  return [...new Set(hosts.map((host) => host.toLowerCase()))];
}
