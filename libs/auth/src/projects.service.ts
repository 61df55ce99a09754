import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { authConfig, type AuthConfig } from '@app/config';
import { passesChecksum } from './api-key-format';
import { ApiKeysRepository } from './api-keys.repository';
import { ApiKeysService, type IssuedApiKey } from './api-keys.service';
import type { ProjectEntity } from './entities/project.entity';
import { PROJECT_KEY_SCOPES, SCOPES } from './scopes';

/** Arbitrary, fixed key of the advisory lock that makes the first-start bootstrap happen once. */
const BOOTSTRAP_LOCK_KEY = 7_420_002;

@Injectable()
export class ProjectsService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Projects');

  constructor(
    private readonly repository: ApiKeysRepository,
    private readonly apiKeys: ApiKeysService,
    @Inject(authConfig.KEY) private readonly config: AuthConfig,
  ) {}

  /** A new project and its first key, which may do everything but create projects. */
  create(name: string): Promise<{ project: ProjectEntity; issued: IssuedApiKey }> {
    return this.repository.transaction(async (manager) => {
      const project = await this.repository.insertProject(name, manager);
      const issued = await this.apiKeys.issue(project.id, `${name} key`, PROJECT_KEY_SCOPES, manager);
      return { project, issued };
    });
  }

  /** On an empty database: project `default` and a key with every scope, printed once if generated. */
  async onApplicationBootstrap(): Promise<void> {
    const bootstrapKey = this.config.bootstrapApiKey;
    if (bootstrapKey && !passesChecksum(bootstrapKey)) {
      throw new Error(
        'BOOTSTRAP_API_KEY looks like a generated key (ak_ + 38 characters) but its checksum is wrong; ' +
          'use a key this service generated, or one of another shape.',
      );
    }
    const issued = await this.repository.withLock(BOOTSTRAP_LOCK_KEY, async (manager) => {
      if (await this.repository.hasAnyProject(manager)) return null;
      const project = await this.repository.insertProject('default', manager);
      return this.apiKeys.issue(project.id, 'bootstrap', [...SCOPES], manager, bootstrapKey);
    });
    if (!issued) return;
    if (bootstrapKey) {
      this.logger.log('Created project "default" with the key from BOOTSTRAP_API_KEY');
      return;
    }
    this.logger.log('Created project "default" and its first API key (printed once to stdout)');
    // Deliberately not through the logger: the key must never reach log storage, only this terminal.
    process.stdout.write(
      [
        '',
        '================================================================',
        ' First start: project "default" was created with this API key.',
        ' It is shown ONCE. Store it now; send it as the x-api-key header.',
        '',
        `   ${issued.key}`,
        '',
        '================================================================',
        '',
      ].join('\n'),
    );
  }
}
