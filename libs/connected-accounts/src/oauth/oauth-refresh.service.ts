import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { oauthConfig, type OAuthConfig } from '@app/config';
import { AppException } from '@app/errors';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Credentials } from '../auth-schemes/auth-scheme';
import type { OAuth2TokenCredentials } from '../auth-schemes/oauth2.scheme';
import { authScheme } from '../auth-schemes/registry';
import type { ResolvedAccount } from '../connected-account-cache';
import { isConnectedAccountId } from '../connected-account-id';
import { ConnectedAccountsRepository } from '../connected-accounts.repository';
import { ConnectedAccountsService, type MaskedConnectedAccount } from '../connected-accounts.service';
import { CredentialCipher } from '../credential-cipher';
import type { ConnectedAccountEntity } from '../entities/connected-account.entity';
import {
  type GrantType,
  mergeTokenAnswer,
  oauthErrorOf,
  parseTokenBody,
  tokenRequestOf,
} from './token-endpoint';
import { TOKEN_TRANSPORT, type TokenTransport } from './token-transport';

/** How often a caller waiting for another holder's refresh re-reads the row. */
const POLL_INTERVAL_MS = 25;

/**
 * Why a refresh is wanted, and so when it is no longer needed:
 * - `expiring`: the token is missing or expires within the margin;
 * - `rejected`: the upstream answered 401 to `token`;
 * - `forced`: the API asked for one; any token other than the one seen first will do.
 */
type Trigger = { kind: 'expiring' } | { kind: 'rejected'; token: string } | { kind: 'forced' };

type TokenCallResult =
  | { kind: 'issued'; answer: Record<string, unknown> }
  | { kind: 'refused'; status: number; error?: string }
  | { kind: 'failed'; reason: string };

/** Loop again: the row changed under the lease (a concurrent write), so decide on what is there now. */
const RETRY = Symbol('retry');

/**
 * Keeps OAuth2 access tokens fresh with exactly one token-endpoint call per account per expiry:
 * concurrent callers in this process share one promise (single flight), and replicas sharing the
 * database take a lease on the account row (owner + expiry, one conditional UPDATE, no transaction
 * held across the token call). Whoever holds the lease re-reads the row first, so a waiter uses the
 * winner's token; new tokens are saved with a compare-and-swap on `version` that also releases the
 * lease. Logs name the account and the outcome, never a token or secret.
 */
@Injectable()
export class OAuthRefreshService {
  private readonly logger = new Logger('OAuthRefresh');
  /** This process's lease owner id. */
  private readonly owner = randomUUID();
  private readonly inFlight = new Map<string, Promise<ConnectedAccountEntity | null>>();

  constructor(
    private readonly repository: ConnectedAccountsRepository,
    private readonly accounts: ConnectedAccountsService,
    private readonly cipher: CredentialCipher,
    @Inject(oauthConfig.KEY) private readonly config: OAuthConfig,
    @Optional() @Inject(TOKEN_TRANSPORT) private readonly transport?: TokenTransport,
  ) {}

  /** True for accounts the proxy can get a new access token for. */
  isRefreshable(account: { authScheme: string; credentials: Readonly<Credentials> }): boolean {
    if (account.authScheme === 'OAUTH2_CLIENT_CREDENTIALS') return true;
    const { refresh_token: refreshToken, token_url: tokenUrl } = account.credentials;
    return (
      account.authScheme === 'OAUTH2' && typeof refreshToken === 'string' && typeof tokenUrl === 'string'
    );
  }

  /**
   * The account to call with: as given, or with a new token when the current one is missing or
   * expires within the margin. An early refresh that fails falls back on a token still valid.
   */
  async ensureFresh(account: ResolvedAccount): Promise<ResolvedAccount> {
    if (!this.isRefreshable(account) || !this.isExpiring(account.credentials)) return account;
    try {
      const entity = await this.singleFlight(account.projectId, account.id, { kind: 'expiring' });
      return entity ? this.accounts.toResolved(entity) : account;
    } catch (error) {
      if (
        error instanceof AppException &&
        error.slug === 'ConnectedAccount_RefreshFailed' &&
        hasTimeLeft(account.credentials)
      ) {
        return account;
      }
      throw error;
    }
  }

  /**
   * After the upstream answered 401 to the account's token: the account with a new token to replay
   * the request with, or null when there is nothing new to try (refreshed moments ago already).
   */
  async refreshAfterRejection(account: ResolvedAccount): Promise<ResolvedAccount | null> {
    const token = account.credentials.access_token;
    if (!this.isRefreshable(account) || typeof token !== 'string') return null;
    const entity = await this.singleFlight(account.projectId, account.id, { kind: 'rejected', token });
    return entity ? this.accounts.toResolved(entity) : null;
  }

  /** POST …/refresh: a new token now (cooldown or not), the account masked. */
  async forceRefresh(projectId: string, id: string): Promise<MaskedConnectedAccount> {
    const entity = isConnectedAccountId(id) ? await this.repository.findByIdForProject(projectId, id) : null;
    if (!entity) throw new AppException('ConnectedAccount_NotFound');
    if (!this.isRefreshable({ authScheme: entity.authScheme, credentials: this.accounts.open(entity) })) {
      throw new AppException('ConnectedAccount_NotRefreshable');
    }
    const refreshed =
      (await this.singleFlight(projectId, id, { kind: 'forced' })) ??
      (await this.runRefresh(projectId, id, { kind: 'forced' }));
    return this.accounts.present(refreshed ?? entity);
  }

  private isExpiring(credentials: Readonly<Credentials>): boolean {
    const { access_token: token, expires_at: expiresAt } = credentials;
    if (typeof token !== 'string') return true;
    // Unknown expiry (no expires_at): refreshed on a 401 only.
    return typeof expiresAt === 'string' && Date.parse(expiresAt) - Date.now() <= this.config.refreshMarginMs;
  }

  /** One refresh per account at a time in this process; concurrent callers share its outcome. */
  private singleFlight(
    projectId: string,
    id: string,
    trigger: Trigger,
  ): Promise<ConnectedAccountEntity | null> {
    const key = `${projectId}:${id}`;
    let flight = this.inFlight.get(key);
    if (!flight) {
      flight = this.runRefresh(projectId, id, trigger).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, flight);
    }
    return flight;
  }

  /**
   * Re-read; done if someone else's refresh already satisfies the trigger; otherwise take the lease
   * and refresh, or wait (polling) for the holder to finish or its lease to run out.
   */
  private async runRefresh(
    projectId: string,
    id: string,
    trigger: Trigger,
  ): Promise<ConnectedAccountEntity | null> {
    const giveUpAt = Date.now() + 2 * this.config.leaseMs + this.config.tokenTimeoutMs;
    let staleToken: unknown = trigger.kind === 'rejected' ? trigger.token : undefined;
    let firstRead = true;
    for (;;) {
      const entity = await this.repository.findByIdForProject(projectId, id);
      if (!entity) throw new AppException('ConnectedAccount_NotFound');
      if (entity.status !== 'ACTIVE') throw new AppException('ConnectedAccount_NotActive');
      const credentials = this.accounts.open(entity);
      if (trigger.kind === 'forced' && firstRead) staleToken = credentials.access_token;
      firstRead = false;
      if (this.isSatisfied(trigger, credentials, staleToken)) return entity;
      if (trigger.kind === 'rejected' && this.refreshedRecently(entity)) return null;
      if (
        trigger.kind !== 'forced' &&
        entity.refreshCooldownUntil &&
        entity.refreshCooldownUntil > new Date()
      ) {
        throw new AppException('ConnectedAccount_RefreshFailed', {
          cause: new Error(`account ${id}: token endpoint failed recently, cooling down`),
        });
      }
      const leased = await this.repository.tryAcquireRefreshLease(
        projectId,
        id,
        this.owner,
        this.config.leaseMs,
      );
      if (leased) {
        const outcome = await this.refreshUnderLease(leased, trigger, staleToken);
        if (outcome !== RETRY) return outcome;
      } else {
        if (Date.now() > giveUpAt) {
          throw new AppException('ConnectedAccount_RefreshFailed', {
            cause: new Error(`account ${id}: gave up waiting for another refresh`),
          });
        }
        await sleep(POLL_INTERVAL_MS);
      }
    }
  }

  private async refreshUnderLease(
    entity: ConnectedAccountEntity,
    trigger: Trigger,
    staleToken: unknown,
  ): Promise<ConnectedAccountEntity | null | typeof RETRY> {
    const { projectId, id } = entity;
    let held = true;
    const release = async (cooldownMs?: number): Promise<void> => {
      held = false;
      await this.repository.releaseRefreshLease(projectId, id, this.owner, cooldownMs);
    };
    try {
      // Read after taking the lease: the previous holder may have saved new tokens just before.
      const credentials = this.accounts.open(entity);
      if (this.isSatisfied(trigger, credentials, staleToken)) {
        await release();
        return entity;
      }
      if (trigger.kind === 'rejected' && this.refreshedRecently(entity)) {
        await release();
        return null;
      }
      const grant: GrantType =
        entity.authScheme === 'OAUTH2_CLIENT_CREDENTIALS' ? 'client_credentials' : 'refresh_token';
      const result = await this.callTokenEndpoint(credentials, grant);
      if (result.kind === 'failed') return await this.fail(id, result.reason, release);
      if (result.kind === 'issued') {
        const next = mergeTokenAnswer(credentials, result.answer, new Date());
        if (!next || authScheme(entity.authScheme).validate(next).length > 0) {
          return await this.fail(id, 'answer without a usable access token', release);
        }
        const sealed = this.cipher.seal(next, { projectId, accountId: id });
        const saved = await this.repository.saveRefreshedCredentials(
          projectId,
          id,
          entity.version,
          this.owner,
          sealed,
        );
        held = false;
        if (!saved) {
          // Someone replaced the credentials meanwhile; theirs win. Decide again on what is stored.
          this.logger.warn(
            `Account ${id} changed during its token refresh; the refreshed token was not stored`,
          );
          await release();
          return RETRY;
        }
        await this.accounts.announceChange(projectId, [id]);
        this.logger.log(`Refreshed the OAuth2 token of account ${id} (${grant})`);
        return saved;
      }
      // Checklist R3: a concurrent winner may have rotated the refresh token; never expire on its behalf.
      const again = await this.repository.findByIdForProject(projectId, id);
      if (again && again.version !== entity.version) {
        await release();
        return RETRY;
      }
      const code = result.error ?? 'no error code';
      const reason = `The token endpoint refused the ${grant.replace('_', ' ')} grant (HTTP ${result.status}, ${code}); reconnect the account with new credentials.`;
      const marked = await this.repository.markRefreshExpired(
        projectId,
        id,
        entity.version,
        this.owner,
        reason,
      );
      held = false;
      if (!marked) {
        await release();
        return RETRY;
      }
      await this.accounts.announceChange(projectId, [id]);
      this.logger.warn(
        `Token endpoint refused account ${id} (HTTP ${result.status}, ${code}): marked EXPIRED`,
      );
      throw new AppException('ConnectedAccount_NotActive');
    } finally {
      if (held) await release();
    }
  }

  /** A transient failure: the account stays ACTIVE with its credentials, and rests for the cooldown. */
  private async fail(
    id: string,
    reason: string,
    release: (cooldownMs?: number) => Promise<void>,
  ): Promise<never> {
    await release(this.config.cooldownMs);
    this.logger.warn(`Token refresh of account ${id} failed: ${reason}; retrying after the cooldown`);
    throw new AppException('ConnectedAccount_RefreshFailed', {
      cause: new Error(`account ${id}: ${reason}`),
    });
  }

  private async callTokenEndpoint(credentials: Credentials, grant: GrantType): Promise<TokenCallResult> {
    const typed = credentials as OAuth2TokenCredentials;
    if (!this.transport) return { kind: 'failed', reason: 'no token transport is configured' };
    const { headers, body } = tokenRequestOf(typed, grant);
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), this.config.tokenTimeoutMs);
    let response;
    try {
      response = await this.transport.post({
        url: new URL(typed.token_url ?? ''),
        headers,
        body,
        signal: deadline.signal,
      });
    } catch (error) {
      // Only a code: client error objects carry the request, and with it the refresh token.
      const code = (error as { code?: unknown }).code;
      return {
        kind: 'failed',
        reason: deadline.signal.aborted
          ? `no answer within ${this.config.tokenTimeoutMs} ms`
          : `unreachable (${typeof code === 'string' ? code : 'no code'})`,
      };
    } finally {
      clearTimeout(timer);
    }
    const answer = parseTokenBody(response.contentType, response.body);
    if (response.status >= 200 && response.status < 300) {
      return answer ? { kind: 'issued', answer } : { kind: 'failed', reason: 'unreadable answer' };
    }
    // RFC 6749 §5.2: invalid_grant, invalid_client… come as 400 (401 for client authentication).
    if (response.status === 400 || response.status === 401) {
      return { kind: 'refused', status: response.status, error: oauthErrorOf(answer) };
    }
    return { kind: 'failed', reason: `HTTP ${response.status}` };
  }

  private isSatisfied(trigger: Trigger, credentials: Credentials, staleToken: unknown): boolean {
    if (this.isExpiring(credentials)) return false;
    return trigger.kind === 'expiring' || credentials.access_token !== staleToken;
  }

  /** Refreshed within the cooldown: a 401 right after a refresh is the upstream's answer, not a stale token. */
  private refreshedRecently(entity: ConnectedAccountEntity): boolean {
    return (
      entity.lastRefreshedAt !== null &&
      Date.now() - entity.lastRefreshedAt.getTime() < this.config.cooldownMs
    );
  }
}

function hasTimeLeft(credentials: Readonly<Credentials>): boolean {
  const { access_token: token, expires_at: expiresAt } = credentials;
  return typeof token === 'string' && (typeof expiresAt !== 'string' || Date.parse(expiresAt) > Date.now());
}
