import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/** The schema (foreign key to projects ON DELETE CASCADE, checks, index) is owned by the migration. */
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

  /** Hex SHA-256 of `data`. */
  @Column({ type: 'char', length: 64 })
  sha256: string;

  @Column({ name: 'file_name', type: 'varchar', length: 255, nullable: true })
  fileName: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt: Date;

  /** When the sweeper deletes the row (retention), not when links stop working. */
  @Column({ name: 'expires_at', type: 'timestamptz', precision: 3 })
  expiresAt: Date;

  @Column({ type: 'bytea', select: false })
  data: Buffer;
}
