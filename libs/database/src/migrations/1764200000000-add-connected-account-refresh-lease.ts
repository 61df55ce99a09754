import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * OAuth2 refresh coordination across replicas: a lease (owner + expiry) taken with one conditional
 * UPDATE, a cooldown after a failed token call, and when the token was last refreshed.
 */
export class AddConnectedAccountRefreshLease1764200000000 implements MigrationInterface {
  name = 'AddConnectedAccountRefreshLease1764200000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE connected_accounts
        ADD COLUMN refresh_lease_owner text,
        ADD COLUMN refresh_lease_expires_at timestamptz(3),
        ADD COLUMN refresh_cooldown_until timestamptz(3),
        ADD COLUMN last_refreshed_at timestamptz(3)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE connected_accounts
        DROP COLUMN last_refreshed_at,
        DROP COLUMN refresh_cooldown_until,
        DROP COLUMN refresh_lease_expires_at,
        DROP COLUMN refresh_lease_owner`);
  }
}
