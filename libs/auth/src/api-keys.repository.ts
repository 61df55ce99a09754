import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager, IsNull } from 'typeorm';
import { ApiKeyEntity } from './entities/api-key.entity';
import { ProjectEntity } from './entities/project.entity';
import type { Scope } from './scopes';

export interface NewApiKey {
  projectId: string;
  name: string;
  keyHash: string;
  keyHint: string;
  scopes: Scope[];
}

/** Narrow, intention-named queries; every one that touches a project's keys takes the project id. */
@Injectable()
export class ApiKeysRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  findActiveByHash(keyHash: string): Promise<ApiKeyEntity | null> {
    return this.dataSource.getRepository(ApiKeyEntity).findOne({ where: { keyHash, revokedAt: IsNull() } });
  }

  listActiveForProject(projectId: string): Promise<ApiKeyEntity[]> {
    return this.dataSource
      .getRepository(ApiKeyEntity)
      .find({ where: { projectId, revokedAt: IsNull() }, order: { createdAt: 'DESC', id: 'DESC' } });
  }

  async insert(key: NewApiKey, manager: EntityManager = this.dataSource.manager): Promise<ApiKeyEntity> {
    return manager.getRepository(ApiKeyEntity).save(manager.getRepository(ApiKeyEntity).create(key));
  }

  /** Revokes one active key of the project; returns its hash (for cache invalidation), or null if none. */
  async revokeForProject(projectId: string, id: string): Promise<string | null> {
    // TypeORM answers an UPDATE … RETURNING with [rows, affectedCount].
    const [rows]: [Array<{ key_hash: string }>, number] = await this.dataSource.query(
      `UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND project_id = $2 AND revoked_at IS NULL
       RETURNING key_hash`,
      [id, projectId],
    );
    return rows[0]?.key_hash ?? null;
  }

  async touchLastUsed(id: string): Promise<void> {
    await this.dataSource.query('UPDATE api_keys SET last_used_at = now() WHERE id = $1', [id]);
  }

  insertProject(name: string, manager: EntityManager = this.dataSource.manager): Promise<ProjectEntity> {
    return manager.getRepository(ProjectEntity).save(manager.getRepository(ProjectEntity).create({ name }));
  }

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  /** Runs `work` in a transaction holding an advisory lock, so replicas starting together take turns. */
  withLock<T>(lockKey: number, work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock($1)', [lockKey]);
      return work(manager);
    });
  }

  async hasAnyProject(manager: EntityManager): Promise<boolean> {
    const rows: unknown[] = await manager.query('SELECT 1 FROM projects LIMIT 1');
    return rows.length > 0;
  }
}
