import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { FileChunkEntity } from './entities/file-chunk.entity';
import { StoredFileEntity } from './entities/stored-file.entity';

export type NewStoredFile = Pick<StoredFileEntity, 'id' | 'contentType' | 'fileName' | 'expiresAt'>;
export type LiveStoredFile = Pick<StoredFileEntity, 'id' | 'contentType' | 'size' | 'fileName'>;

@Injectable()
export class FilesRepository {
  constructor(
    @InjectRepository(StoredFileEntity) private readonly files: Repository<StoredFileEntity>,
    @InjectRepository(FileChunkEntity) private readonly chunks: Repository<FileChunkEntity>,
  ) {}

  /** A file being written: size 0 and no sha256 until `complete`, so it is never served before. */
  async insertPending(projectId: string, file: NewStoredFile): Promise<void> {
    await this.files.insert({ ...file, projectId, size: 0, sha256: null });
  }

  /** One plain statement per chunk: the query builder's per-insert work adds up over a large file. */
  async appendChunk(fileId: string, seq: number, data: Buffer): Promise<void> {
    await this.chunks.query('INSERT INTO file_chunks (file_id, seq, data) VALUES ($1, $2, $3)', [
      fileId,
      seq,
      data,
    ]);
  }

  async complete(fileId: string, size: number, sha256: string): Promise<void> {
    await this.files.update({ id: fileId }, { size, sha256 });
  }

  /** Removes a file and its chunks (the foreign key cascades). */
  async remove(fileId: string): Promise<void> {
    await this.files.delete({ id: fileId });
  }

  /**
   * A download is authorised by the signed link alone (no API key, so no project): the 128-bit
   * random id inside a valid HMAC is the capability. Rows past retention are treated as gone even
   * before the sweeper has deleted them; rows still being written do not exist yet.
   */
  async findLive(id: string, now: Date): Promise<LiveStoredFile | null> {
    const rows = await this.files.query<
      Array<{ id: string; content_type: string; size: number; file_name: string | null }>
    >(
      `SELECT id, content_type, size, file_name FROM files
        WHERE id = $1 AND expires_at > $2 AND sha256 IS NOT NULL`,
      [id, now],
    );
    const row = rows[0];
    return row
      ? { id: row.id, contentType: row.content_type, size: row.size, fileName: row.file_name }
      : null;
  }

  /** Chunk `seq` of a file, or null past its last one (or once the file is deleted). */
  async readChunk(fileId: string, seq: number): Promise<Buffer | null> {
    const rows = await this.chunks.query<Array<{ data: Buffer }>>(
      'SELECT data FROM file_chunks WHERE file_id = $1 AND seq = $2',
      [fileId, seq],
    );
    return rows[0]?.data ?? null;
  }

  /**
   * Deletes at most `limit` rows past their retention, with their chunks. SKIP LOCKED lets several
   * replicas sweep at once without waiting on each other or deleting the same rows twice.
   */
  async deleteExpiredBatch(now: Date, limit: number): Promise<number> {
    const result = await this.files.query<[unknown[], number]>(
      `DELETE FROM files WHERE id IN (
         SELECT id FROM files WHERE expires_at <= $1 ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED
       )`,
      [now, limit],
    );
    return result[1];
  }
}
