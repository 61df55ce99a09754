import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { cryptoConfig, type CryptoConfig, databaseConfig, type DatabaseConfig } from '@app/config';
import { registerUniqueViolation } from '@app/errors';
import { ConnectedAccountsController } from './connected-accounts.controller';
import { ConnectedAccountsRepository } from './connected-accounts.repository';
import { ConnectedAccountsService } from './connected-accounts.service';
import { CredentialCipher } from './credential-cipher';
import { loadEncryptionKeys } from './encryption-keys';
import { ConnectedAccountEntity } from './entities/connected-account.entity';
import { KeyRotationService } from './key-rotation.service';
import { OAuthRefreshService } from './oauth/oauth-refresh.service';

// Default switches are serialised by a lock, so this only fires for a write that bypassed it; it
// still means "someone else changed this meanwhile", not a server error.
registerUniqueViolation('uq_connected_accounts_default_per_project', 'ConnectedAccount_VersionConflict');

@Module({
  imports: [TypeOrmModule.forFeature([ConnectedAccountEntity])],
  controllers: [ConnectedAccountsController],
  providers: [
    ConnectedAccountsRepository,
    ConnectedAccountsService,
    KeyRotationService,
    OAuthRefreshService,
    {
      provide: CredentialCipher,
      inject: [cryptoConfig.KEY, databaseConfig.KEY],
      useFactory: async (crypto: CryptoConfig, database: DatabaseConfig) =>
        new CredentialCipher(await loadEncryptionKeys(crypto, database)),
    },
  ],
  exports: [ConnectedAccountsService, KeyRotationService, OAuthRefreshService],
})
export class ConnectedAccountsModule {}
