import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { SealedCredentials } from '../credential-cipher';

export const CONNECTED_ACCOUNT_STATUSES = ['ACTIVE', 'INACTIVE', 'EXPIRED', 'FAILED'] as const;
export type ConnectedAccountStatus = (typeof CONNECTED_ACCOUNT_STATUSES)[number];

/**
 * The schema itself (foreign key to projects ON DELETE CASCADE, status check, indexes) is owned by
 * the migration; this entity only maps the columns.
 */
@Entity('connected_accounts')
@Index('idx_connected_accounts_project_created', ['projectId', 'createdAt', 'id'])
@Index('uq_connected_accounts_default_per_project', ['projectId'], { unique: true, where: 'is_default' })
export class ConnectedAccountEntity {
  /** `ca_` + 22 base62 characters (128 random bits). */
  @PrimaryColumn({ type: 'varchar', length: 40, primaryKeyConstraintName: 'pk_connected_accounts' })
  id: string;

  @Column({ name: 'project_id', type: 'uuid' })
  projectId: string;

  @Column({ name: 'toolkit_slug', type: 'varchar', length: 64 })
  toolkitSlug: string;

  @Column({ name: 'user_id', type: 'varchar', length: 255, default: 'default' })
  userId: string;

  @Column({ type: 'varchar', length: 100, nullable: true })
  alias: string | null;

  @Column({ name: 'base_url', type: 'varchar', length: 2048 })
  baseUrl: string;

  /** Validated against the scheme registry, not a database enum, so adding a scheme needs no migration. */
  @Column({ name: 'auth_scheme', type: 'varchar', length: 32 })
  authScheme: string;

  /** AES-256-GCM envelope bound to this row; never the credentials in clear. */
  @Column({ name: 'encrypted_credentials', type: 'jsonb' })
  encryptedCredentials: SealedCredentials;

  @Column({ name: 'allowed_hosts', type: 'text', array: true, default: () => "'{}'" })
  allowedHosts: string[];

  @Column({ type: 'varchar', length: 16, default: 'ACTIVE' })
  status: ConnectedAccountStatus;

  @Column({ name: 'status_reason', type: 'text', nullable: true })
  statusReason: string | null;

  @Column({ name: 'is_default', type: 'boolean', default: false })
  isDefault: boolean;

  /** Bumped by every change a client can see; PATCH compares it (optimistic concurrency). */
  @Column({ type: 'integer', default: 1 })
  version: number;

  /** The replica (process) refreshing the OAuth2 token now; free when null or past its expiry. */
  @Column({ name: 'refresh_lease_owner', type: 'text', nullable: true })
  refreshLeaseOwner: string | null;

  @Column({ name: 'refresh_lease_expires_at', type: 'timestamptz', precision: 3, nullable: true })
  refreshLeaseExpiresAt: Date | null;

  /** After a failed token call, no new one before this time (checklist R5). */
  @Column({ name: 'refresh_cooldown_until', type: 'timestamptz', precision: 3, nullable: true })
  refreshCooldownUntil: Date | null;

  @Column({ name: 'last_refreshed_at', type: 'timestamptz', precision: 3, nullable: true })
  lastRefreshedAt: Date | null;

  /** Millisecond precision, so a JS Date in a list cursor compares exactly. */
  @Column({ name: 'created_at', type: 'timestamptz', precision: 3, default: () => 'now()' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', precision: 3, default: () => 'now()' })
  updatedAt: Date;
}
