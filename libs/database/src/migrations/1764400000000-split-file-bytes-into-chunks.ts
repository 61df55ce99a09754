import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * File bytes move from one bytea per file to chunks of 256 KiB: an upstream answer is written to
 * Postgres as it arrives and a download is read back a chunk at a time, so neither direction holds
 * a whole file in the service's memory. A file is complete once its sha256 is set; a row without it
 * (a store cut short by a crash) is never served and goes with the sweeper at its expiry.
 * Chunked bytea rather than large objects: rows go with their file through the foreign key (large
 * objects would need lo_unlink in the sweeper, or leak), every statement stands alone (the large
 * object API needs a transaction held open for the whole transfer), and replicas read them alike.
 */
export class SplitFileBytesIntoChunks1764400000000 implements MigrationInterface {
  name = 'SplitFileBytesIntoChunks1764400000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE file_chunks (
        file_id varchar(40) NOT NULL,
        seq integer NOT NULL,
        data bytea NOT NULL,
        CONSTRAINT pk_file_chunks PRIMARY KEY (file_id, seq),
        CONSTRAINT fk_file_chunks_file FOREIGN KEY (file_id) REFERENCES files (id) ON DELETE CASCADE,
        CONSTRAINT ck_file_chunks_seq CHECK (seq >= 0)
      )`);
    await db.query('INSERT INTO file_chunks (file_id, seq, data) SELECT id, 0, data FROM files');
    await db.query('ALTER TABLE files DROP CONSTRAINT ck_files_size');
    await db.query('ALTER TABLE files DROP COLUMN data');
    await db.query('ALTER TABLE files ALTER COLUMN sha256 DROP NOT NULL');
    await db.query('ALTER TABLE files ADD CONSTRAINT ck_files_size CHECK (size >= 0)');
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DELETE FROM files WHERE sha256 IS NULL');
    await db.query('ALTER TABLE files DROP CONSTRAINT ck_files_size');
    await db.query('ALTER TABLE files ADD COLUMN data bytea');
    await db.query(`
      UPDATE files SET data = COALESCE(
        (SELECT string_agg(c.data, ''::bytea ORDER BY c.seq) FROM file_chunks c WHERE c.file_id = files.id),
        ''::bytea)`);
    await db.query('ALTER TABLE files ALTER COLUMN data SET NOT NULL');
    await db.query('ALTER TABLE files ALTER COLUMN sha256 SET NOT NULL');
    await db.query(
      'ALTER TABLE files ADD CONSTRAINT ck_files_size CHECK (size >= 0 AND size = octet_length(data))',
    );
    await db.query('DROP TABLE file_chunks');
  }
}
