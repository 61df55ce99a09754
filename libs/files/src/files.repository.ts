import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { StoredFileEntity } from './entities/stored-file.entity';

export type NewStoredFile = Omit<StoredFileEntity, 'createdAt'>;
export type StoredFileWithData = Pick<StoredFileEntity, 'id' | 'contentType' | 'size' | 'fileName' | 'data'>;

@Injectable()
export class FilesRepository {
  constructor(@InjectRepository(StoredFileEntity) private readonly files: Repository<StoredFileEntity>) {}

  async insertForProject(projectId: string, file: Omit<NewStoredFile, 'projectId'>): Promise<void> {
    await this.files.insert({ ...file, projectId });
  }

  /**
   * A download is authorised by the signed link alone (no API key, so no project): the 128-bit
   * random id inside a valid HMAC is the capability. Rows past retention are treated as gone even
   * before the sweeper has deleted them.
   */
  async findLiveWithData(id: string, now: Date): Promise<StoredFileWithData | null> {
    const rows = await this.files.query<
      Array<{ id: string; content_type: string; size: number; file_name: string | null; data: Buffer }>
    >('SELECT id, content_type, size, file_name, data FROM files WHERE id = $1 AND expires_at > $2', [
      id,
      now,
    ]);
    const row = rows[0];
    return row
      ? { id: row.id, contentType: row.content_type, size: row.size, fileName: row.file_name, data: row.data }
      : null;
  }

  /**
   * Deletes at most `limit` rows past their retention. SKIP LOCKED lets several replicas sweep at
   * once without waiting on each other or deleting the same rows twice.
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
