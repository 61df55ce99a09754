import { Injectable, Logger } from '@nestjs/common';
import { ConnectedAccountsRepository } from './connected-accounts.repository';
import { ConnectedAccountsService } from './connected-accounts.service';
import { CredentialCipher } from './credential-cipher';

export interface RotationCounts {
  /** Accounts found sealed under a key other than the primary one. */
  scanned: number;
  reencrypted: number;
  /** Changed meanwhile or undecryptable (logged): a rerun picks up the ones still pending. */
  skipped: number;
}

/** Re-encrypts every account not sealed under the first key of ENCRYPTION_KEYS (`npm run keys:rotate`). */
@Injectable()
export class KeyRotationService {
  private readonly logger = new Logger('KeyRotation');

  constructor(
    private readonly repository: ConnectedAccountsRepository,
    private readonly accounts: ConnectedAccountsService,
    private readonly cipher: CredentialCipher,
  ) {}

  async rotateAll(batchSize = 100): Promise<RotationCounts> {
    const counts: RotationCounts = { scanned: 0, reencrypted: 0, skipped: 0 };
    // Walks by id, so a skipped row is not met again in this run; rows already rotated are never scanned.
    let afterId = '';
    for (;;) {
      const batch = await this.repository.findSealedUnderOtherKeys(
        this.cipher.primaryKeyId,
        afterId,
        batchSize,
      );
      if (batch.length === 0) break;
      for (const row of batch) {
        counts.scanned++;
        afterId = row.id;
        const binding = { projectId: row.projectId, accountId: row.id };
        let rotated = false;
        try {
          const sealed = this.cipher.seal(this.cipher.open(row.encryptedCredentials, binding), binding);
          rotated = await this.repository.replaceSealedIfVersion(row.projectId, row.id, row.version, sealed);
        } catch (error) {
          this.logger.warn(`Connected account ${row.id} was not re-encrypted: ${(error as Error).message}`);
        }
        if (!rotated) {
          counts.skipped++;
          continue;
        }
        counts.reencrypted++;
        await this.accounts.announceChange(row.projectId, [row.id]);
      }
      this.logger.log(`Progress: ${JSON.stringify(counts)}`);
    }
    return counts;
  }
}
