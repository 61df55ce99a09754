import type { ConnectedAccountStatus } from './entities/connected-account.entity';

/** An account as the proxy needs it: credentials decrypted. Frozen, because cached copies are shared. */
export interface ResolvedAccount {
  readonly id: string;
  readonly projectId: string;
  readonly toolkitSlug: string;
  readonly userId: string;
  readonly baseUrl: string;
  readonly authScheme: string;
  readonly credentials: Readonly<Record<string, unknown>>;
  readonly allowedHosts: readonly string[];
  readonly status: ConnectedAccountStatus;
}

interface Entry {
  account: ResolvedAccount;
  expiresAt: number;
}

const DEFAULT_SLOT = 'default';

/**
 * `projectId:accountId` and `projectId:default` → resolved account, so the proxy's hot path costs no
 * query. Bounded; entries live at most `ttlMs` (the backstop for missed invalidations).
 */
export class ConnectedAccountCache {
  private readonly entries = new Map<string, Entry>();
  /** Bumped by every invalidation: a lookup that raced one must not store what it read. */
  private generation = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
  ) {}

  static key(projectId: string, accountId: string | undefined): string {
    return `${projectId}:${accountId ?? DEFAULT_SLOT}`;
  }

  get currentGeneration(): number {
    return this.generation;
  }

  get(key: string, now = Date.now()): ResolvedAccount | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.account;
  }

  /** Stores `account` unless an invalidation happened since `generation` was read. */
  set(key: string, account: ResolvedAccount, generation: number, now = Date.now()): void {
    if (this.ttlMs <= 0 || generation !== this.generation) return;
    if (this.entries.size >= this.maxEntries) {
      // Maps iterate in insertion order: drop the oldest entry.
      this.entries.delete(this.entries.keys().next().value as string);
    }
    this.entries.set(key, { account, expiresAt: now + this.ttlMs });
  }

  /**
   * An account changed: drop it and its project's default slot, which may point at it or may be
   * about to (a default switch, a new default account).
   */
  invalidate(key: string): void {
    this.generation++;
    this.entries.delete(key);
    this.entries.delete(`${key.slice(0, key.indexOf(':'))}:${DEFAULT_SLOT}`);
  }

  clear(): void {
    this.generation++;
    this.entries.clear();
  }
}
