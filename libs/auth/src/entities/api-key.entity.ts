import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';
import type { Scope } from '../scopes';
import { ProjectEntity } from './project.entity';

@Entity('api_keys')
@Index('idx_api_keys_project_id', ['projectId'])
export class ApiKeyEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_api_keys' })
  id: string;

  @Column({ name: 'project_id', type: 'uuid' })
  projectId: string;

  @ManyToOne(() => ProjectEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'project_id', foreignKeyConstraintName: 'fk_api_keys_project' })
  project?: ProjectEntity;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  /** SHA-256 of the whole key, hex; the key itself is never stored. */
  @Index('uq_api_keys_key_hash', { unique: true })
  @Column({ name: 'key_hash', type: 'char', length: 64, select: false })
  keyHash: string;

  /** First characters and last four of the key, to recognise it in a list. */
  @Column({ name: 'key_hint', type: 'varchar', length: 24 })
  keyHint: string;

  @Column({ type: 'text', array: true })
  scopes: Scope[];

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true })
  lastUsedAt: Date | null;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt: Date | null;
}
