import { type DynamicModule, Logger, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppConfigModule, startupFailureMessage } from '@app/config';
import { ConnectedAccountsModule, KeyRotationService } from '@app/connected-accounts';
import { DatabaseModule } from '@app/database';

/**
 * `npm run keys:rotate`: re-encrypts every connected account not sealed under the first key of
 * ENCRYPTION_KEYS. Put the new key first, keep the old ones after it (every replica must have the
 * new list before this runs), run this, then drop the old keys. Safe to rerun: it continues.
 */
@Module({})
class KeysRotateModule {
  static forRoot(): DynamicModule {
    return {
      module: KeysRotateModule,
      imports: [AppConfigModule.forRoot(), DatabaseModule.forRoot(), ConnectedAccountsModule],
    };
  }
}

async function main(): Promise<void> {
  const logger = new Logger('KeysRotate');
  const app = await NestFactory.createApplicationContext(KeysRotateModule.forRoot(), { abortOnError: false });
  try {
    const counts = await app.get(KeyRotationService).rotateAll();
    logger.log(`Done: ${JSON.stringify(counts)}`);
    if (counts.skipped > 0) {
      logger.warn(`${counts.skipped} account(s) were skipped (see above); run keys:rotate again`);
      process.exitCode = 1;
    }
  } finally {
    await app.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`keys:rotate failed.\n${startupFailureMessage(error)}\n`);
  process.exit(1);
});
