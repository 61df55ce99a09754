import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateConnectedAccounts1764100000000 implements MigrationInterface {
  name = 'CreateConnectedAccounts1764100000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE connected_accounts (
        id varchar(40) NOT NULL,
        project_id uuid NOT NULL,
        toolkit_slug varchar(64) NOT NULL,
        user_id varchar(255) NOT NULL DEFAULT 'default',
        alias varchar(100),
        base_url varchar(2048) NOT NULL,
        auth_scheme varchar(32) NOT NULL,
        encrypted_credentials jsonb NOT NULL,
        allowed_hosts text[] NOT NULL DEFAULT '{}',
        status varchar(16) NOT NULL DEFAULT 'ACTIVE',
        status_reason text,
        is_default boolean NOT NULL DEFAULT false,
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT pk_connected_accounts PRIMARY KEY (id),
        CONSTRAINT fk_connected_accounts_project FOREIGN KEY (project_id) REFERENCES projects (id) ON DELETE CASCADE,
        CONSTRAINT ck_connected_accounts_status CHECK (status IN ('ACTIVE', 'INACTIVE', 'EXPIRED', 'FAILED'))
      )`);
    // Keyset pagination: newest first within a project.
    await db.query(
      'CREATE INDEX idx_connected_accounts_project_created ON connected_accounts (project_id, created_at DESC, id DESC)',
    );
    await db.query(
      'CREATE UNIQUE INDEX uq_connected_accounts_default_per_project ON connected_accounts (project_id) WHERE is_default',
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE connected_accounts');
  }
}
