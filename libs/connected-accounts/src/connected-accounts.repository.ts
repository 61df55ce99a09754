import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { SealedCredentials } from './credential-cipher';
import { type ConnectedAccountStatus, ConnectedAccountEntity } from './entities/connected-account.entity';
import type { ListPosition } from './list-cursor';

/** Arbitrary, fixed first half of the advisory lock that serialises default switches within a project. */
const DEFAULT_SWITCH_LOCK = 7_420_003;

export interface NewConnectedAccount {
  id: string;
  projectId: string;
  toolkitSlug: string;
  userId: string;
  alias: string | null;
  baseUrl: string;
  authScheme: string;
  encryptedCredentials: SealedCredentials;
  allowedHosts: string[];
  isDefault: boolean;
}

export interface ConnectedAccountChanges {
  alias?: string | null;
  baseUrl?: string;
  encryptedCredentials?: SealedCredentials;
  allowedHosts?: string[];
  isDefault?: boolean;
  status?: ConnectedAccountStatus;
  statusReason?: string | null;
  refreshCooldownUntil?: Date | null;
}

export interface ListFilter {
  toolkitSlugs?: string[];
  userIds?: string[];
  statuses?: ConnectedAccountStatus[];
  after?: ListPosition;
  limit: number;
}

export interface WriteResult {
  entity: ConnectedAccountEntity;
  /** Accounts that stopped being the project's default because of this write. */
  undefaulted: string[];
}

export interface RotationCandidate {
  projectId: string;
  id: string;
  version: number;
  encryptedCredentials: SealedCredentials;
}

/** Narrow, intention-named queries; every one that touches a project's accounts takes the project id. */
@Injectable()
export class ConnectedAccountsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  findByIdForProject(projectId: string, id: string): Promise<ConnectedAccountEntity | null> {
    return this.dataSource.getRepository(ConnectedAccountEntity).findOneBy({ id, projectId });
  }

  findDefaultForProject(projectId: string): Promise<ConnectedAccountEntity | null> {
    return this.dataSource.getRepository(ConnectedAccountEntity).findOneBy({ projectId, isDefault: true });
  }

  /** Newest first, strictly after `filter.after`: keyset pagination, so inserts cause no gaps or repeats. */
  listForProject(projectId: string, filter: ListFilter): Promise<ConnectedAccountEntity[]> {
    const query = this.dataSource
      .getRepository(ConnectedAccountEntity)
      .createQueryBuilder('account')
      .where('account.project_id = :projectId', { projectId });
    const { toolkitSlugs, userIds, statuses, after } = filter;
    if (toolkitSlugs?.length) query.andWhere('account.toolkit_slug = ANY(:toolkitSlugs)', { toolkitSlugs });
    if (userIds?.length) query.andWhere('account.user_id = ANY(:userIds)', { userIds });
    if (statuses?.length) query.andWhere('account.status = ANY(:statuses)', { statuses });
    if (after) {
      query.andWhere('(account.created_at, account.id) < (:afterCreatedAt::timestamptz, :afterId::varchar)', {
        afterCreatedAt: after.createdAt,
        afterId: after.id,
      });
    }
    return query
      .orderBy('account.created_at', 'DESC')
      .addOrderBy('account.id', 'DESC')
      .limit(filter.limit)
      .getMany();
  }

  /** Inserts an account; as the new default, it takes over from the previous one in the same transaction. */
  insertForProject(projectId: string, account: NewConnectedAccount): Promise<WriteResult> {
    return this.dataSource.transaction(async (manager) => {
      const undefaulted = account.isDefault ? await this.undefaultOthers(manager, projectId, account.id) : [];
      const repository = manager.getRepository(ConnectedAccountEntity);
      await repository.insert({ ...account, projectId });
      return { entity: await repository.findOneByOrFail({ id: account.id, projectId }), undefaulted };
    });
  }

  /**
   * Applies `changes` only if the account still has `expectedVersion` (compare-and-swap), bumping
   * the version. Null when it changed or vanished meanwhile; nothing is written then.
   */
  updateIfVersion(
    projectId: string,
    id: string,
    expectedVersion: number,
    changes: ConnectedAccountChanges,
  ): Promise<WriteResult | null> {
    return this.dataSource
      .transaction(async (manager) => {
        const undefaulted = changes.isDefault ? await this.undefaultOthers(manager, projectId, id) : [];
        const result = await manager
          .createQueryBuilder()
          .update(ConnectedAccountEntity)
          .set({ ...changes, version: () => 'version + 1', updatedAt: () => 'now()' })
          .where('id = :id AND project_id = :projectId AND version = :expectedVersion', {
            id,
            projectId,
            expectedVersion,
          })
          .execute();
        // Roll back the un-defaulting too: the switch happens whole or not at all.
        if (!result.affected) throw new CompareAndSwapFailed();
        const entity = await manager.getRepository(ConnectedAccountEntity).findOneByOrFail({ id, projectId });
        return { entity, undefaulted };
      })
      .catch((error: unknown) => {
        if (error instanceof CompareAndSwapFailed) return null;
        throw error;
      });
  }

  /** True when the account existed in the project and is now gone. */
  async deleteForProject(projectId: string, id: string): Promise<boolean> {
    const result = await this.dataSource.getRepository(ConnectedAccountEntity).delete({ id, projectId });
    return (result.affected ?? 0) > 0;
  }

  /**
   * Key rotation's scan, deliberately across projects (an operator command, never an API route):
   * accounts sealed under another key than `primaryKeyId`, in id order after `afterId`.
   */
  async findSealedUnderOtherKeys(
    primaryKeyId: string,
    afterId: string,
    limit: number,
  ): Promise<RotationCandidate[]> {
    const rows: Array<{
      id: string;
      project_id: string;
      version: number;
      encrypted_credentials: SealedCredentials;
    }> = await this.dataSource.query(
      `SELECT id, project_id, version, encrypted_credentials FROM connected_accounts
         WHERE encrypted_credentials->>'kid' <> $1 AND id > $2 ORDER BY id LIMIT $3`,
      [primaryKeyId, afterId, limit],
    );
    return rows.map((r) => ({
      projectId: r.project_id,
      id: r.id,
      version: r.version,
      encryptedCredentials: r.encrypted_credentials,
    }));
  }

  /**
   * Replaces the ciphertext if the account is still at `expectedVersion`. The version is not bumped:
   * re-encryption changes nothing a client sees, so it must not make their version tokens stale.
   */
  async replaceSealedIfVersion(
    projectId: string,
    id: string,
    expectedVersion: number,
    sealed: SealedCredentials,
  ): Promise<boolean> {
    const result = await this.dataSource
      .createQueryBuilder()
      .update(ConnectedAccountEntity)
      .set({ encryptedCredentials: sealed })
      .where('id = :id AND project_id = :projectId AND version = :expectedVersion', {
        id,
        projectId,
        expectedVersion,
      })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  /**
   * Takes the account's refresh lease for `owner` if it is free or expired: one conditional UPDATE,
   * no transaction left open. Then reads the row, so the caller decides on what the previous holder
   * saved. Null when someone else holds the lease (or the account is gone or not active).
   */
  async tryAcquireRefreshLease(
    projectId: string,
    id: string,
    owner: string,
    leaseMs: number,
  ): Promise<ConnectedAccountEntity | null> {
    const [, affected]: UpdateResultRows = await this.dataSource.query(
      `UPDATE connected_accounts
          SET refresh_lease_owner = $3, refresh_lease_expires_at = now() + $4 * interval '1 millisecond'
        WHERE id = $1 AND project_id = $2 AND status = 'ACTIVE'
          AND (refresh_lease_owner IS NULL OR refresh_lease_expires_at <= now())
`,
      [id, projectId, owner, leaseMs],
    );
    return affected > 0 ? this.findByIdForProject(projectId, id) : null;
  }

  /**
   * Stores refreshed credentials if the account is still at `expectedVersion` (compare-and-swap) and
   * releases `owner`'s lease in the same UPDATE. The version check alone decides: a holder whose
   * lease ran out still has the newest tokens, and losing a rotated refresh token would end the grant.
   */
  async saveRefreshedCredentials(
    projectId: string,
    id: string,
    expectedVersion: number,
    owner: string,
    sealed: SealedCredentials,
  ): Promise<ConnectedAccountEntity | null> {
    const [, affected]: UpdateResultRows = await this.dataSource.query(
      `UPDATE connected_accounts
          SET encrypted_credentials = $5, version = version + 1, updated_at = now(),
              last_refreshed_at = now(), refresh_cooldown_until = NULL,
              refresh_lease_owner = CASE WHEN refresh_lease_owner = $4 THEN NULL ELSE refresh_lease_owner END,
              refresh_lease_expires_at = CASE WHEN refresh_lease_owner = $4 THEN NULL ELSE refresh_lease_expires_at END
        WHERE id = $1 AND project_id = $2 AND version = $3
`,
      [id, projectId, expectedVersion, owner, JSON.stringify(sealed)],
    );
    return affected > 0 ? this.findByIdForProject(projectId, id) : null;
  }

  /** Marks the account EXPIRED (credentials kept) if still at `expectedVersion`, releasing `owner`'s lease. */
  async markRefreshExpired(
    projectId: string,
    id: string,
    expectedVersion: number,
    owner: string,
    reason: string,
  ): Promise<boolean> {
    const [, affected]: UpdateResultRows = await this.dataSource.query(
      `UPDATE connected_accounts
          SET status = 'EXPIRED', status_reason = $5, version = version + 1, updated_at = now(),
              refresh_lease_owner = CASE WHEN refresh_lease_owner = $4 THEN NULL ELSE refresh_lease_owner END,
              refresh_lease_expires_at = CASE WHEN refresh_lease_owner = $4 THEN NULL ELSE refresh_lease_expires_at END
        WHERE id = $1 AND project_id = $2 AND version = $3 AND status = 'ACTIVE'
`,
      [id, projectId, expectedVersion, owner, reason],
    );
    return affected > 0;
  }

  /** Releases `owner`'s lease (nobody else's); with `cooldownMs`, no token call for that long. */
  async releaseRefreshLease(
    projectId: string,
    id: string,
    owner: string,
    cooldownMs?: number,
  ): Promise<void> {
    await this.dataSource.query(
      `UPDATE connected_accounts
          SET refresh_lease_owner = NULL, refresh_lease_expires_at = NULL,
              refresh_cooldown_until = CASE WHEN $4::integer IS NULL THEN refresh_cooldown_until
                                            ELSE now() + $4::integer * interval '1 millisecond' END
        WHERE id = $1 AND project_id = $2 AND refresh_lease_owner = $3`,
      [id, projectId, owner, cooldownMs ?? null],
    );
  }

  /** Un-defaults the project's current default (other than `keepId`), after taking the project's switch lock. */
  private async undefaultOthers(
    manager: EntityManager,
    projectId: string,
    keepId: string,
  ): Promise<string[]> {
    // Concurrent switches queue here, so each sees the previous one committed: exactly one default.
    await manager.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [DEFAULT_SWITCH_LOCK, projectId]);
    const [rows] = await manager.query<[Array<{ id: string }>, number]>(
      `UPDATE connected_accounts SET is_default = false, version = version + 1, updated_at = now()
       WHERE project_id = $1 AND is_default AND id <> $2 RETURNING id`,
      [projectId, keepId],
    );
    return rows.map((row) => row.id);
  }
}

class CompareAndSwapFailed extends Error {}

/** What the Postgres driver of TypeORM answers to a raw UPDATE: the returned rows and the affected count. */
type UpdateResultRows = [unknown[], number];
