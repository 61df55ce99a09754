import { Entity, PrimaryColumn, Column } from 'typeorm';

/** A run of a stored file's bytes (CHUNK_BYTES, 256 KiB, except the last), in order of `seq` from 0. */
@Entity('file_chunks')
export class FileChunkEntity {
  @PrimaryColumn({ name: 'file_id', type: 'varchar', length: 40, primaryKeyConstraintName: 'pk_file_chunks' })
  fileId: string;

  @PrimaryColumn({ type: 'integer', primaryKeyConstraintName: 'pk_file_chunks' })
  seq: number;

  @Column({ type: 'bytea' })
  data: Buffer;
}
