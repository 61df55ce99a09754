import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Binary upstream answers, served back through signed links. The bytes live in a bytea column: an
 * answer is capped by PROXY_MAX_RESPONSE_BYTES (50 MB by default, under bytea's 1 GB limit), rows
 * live for a day, and keeping them in Postgres means every replica can serve every link with no
 * shared volume or object store to run. An install that stores far more would move `data` out.
 */
export class CreateFiles1764300000000 implements MigrationInterface {
  name = 'CreateFiles1764300000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE files (
        id varchar(40) NOT NULL,
        project_id uuid NOT NULL,
        content_type varchar(255) NOT NULL,
        size integer NOT NULL,
        sha256 char(64) NOT NULL,
        file_name varchar(255),
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        expires_at timestamptz(3) NOT NULL,
        data bytea NOT NULL,
        CONSTRAINT pk_files PRIMARY KEY (id),
        CONSTRAINT fk_files_project FOREIGN KEY (project_id) REFERENCES projects (id) ON DELETE CASCADE,
        CONSTRAINT ck_files_size CHECK (size >= 0 AND size = octet_length(data))
      )`);
    // The sweeper's scan: rows past their retention, oldest first.
    await db.query('CREATE INDEX idx_files_expires_at ON files (expires_at)');
    await db.query('CREATE INDEX idx_files_project ON files (project_id)');
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE files');
  }
}
