import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * One stored file; its bytes are in `file_chunks`. The schema (foreign key to projects ON DELETE
 * CASCADE, checks, indexes) is owned by the migrations.
 */
@Entity('files')
@Index('idx_files_expires_at', ['expiresAt'])
@Index('idx_files_project', ['projectId'])
export class StoredFileEntity {
  /** `file_` + 22 base62 characters (128 random bits). */
  @PrimaryColumn({ type: 'varchar', length: 40, primaryKeyConstraintName: 'pk_files' })
  id: string;

  @Column({ name: 'project_id', type: 'uuid' })
  projectId: string;

  @Column({ name: 'content_type', type: 'varchar', length: 255 })
  contentType: string;

  @Column({ type: 'integer' })
  size: number;

  /** Hex SHA-256 of the bytes; null until every chunk is written (such a file is never served). */
  @Column({ type: 'char', length: 64, nullable: true })
  sha256: string | null;

  @Column({ name: 'file_name', type: 'varchar', length: 255, nullable: true })
  fileName: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt: Date;

  /** When the sweeper deletes the row (retention), not when links stop working. */
  @Column({ name: 'expires_at', type: 'timestamptz', precision: 3 })
  expiresAt: Date;
}
