import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateProjectsAndApiKeys1764000000000 implements MigrationInterface {
  name = 'CreateProjectsAndApiKeys1764000000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE projects (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        name varchar(100) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_projects PRIMARY KEY (id)
      )`);
    await db.query(`
      CREATE TABLE api_keys (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        project_id uuid NOT NULL,
        name varchar(100) NOT NULL,
        key_hash char(64) NOT NULL,
        key_hint varchar(24) NOT NULL,
        scopes text[] NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz,
        revoked_at timestamptz,
        CONSTRAINT pk_api_keys PRIMARY KEY (id),
        CONSTRAINT fk_api_keys_project FOREIGN KEY (project_id) REFERENCES projects (id) ON DELETE CASCADE
      )`);
    await db.query('CREATE UNIQUE INDEX uq_api_keys_key_hash ON api_keys (key_hash)');
    await db.query('CREATE INDEX idx_api_keys_project_id ON api_keys (project_id)');
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE api_keys');
    await db.query('DROP TABLE projects');
  }
}
