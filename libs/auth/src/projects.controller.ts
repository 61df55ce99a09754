import { Body, Controller, Post } from '@nestjs/common';
import { ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ApiErrors, COMMON_ERRORS, versionedPaths } from '@app/errors';
import { RequireScopes } from './auth.decorators';
import { CreatedProjectDto, CreateProjectDto } from './dto/project.dto';
import { ProjectsService } from './projects.service';

@ApiTags('Projects')
@ApiSecurity('x-api-key')
@ApiErrors(...COMMON_ERRORS)
@Controller({ path: versionedPaths('projects') })
export class ProjectsController {
  constructor(private readonly projects: ProjectsService) {}

  /** Creates a project and its first API key (every scope but `projects:manage`), shown once. */
  @Post()
  @RequireScopes('projects:manage')
  @ApiErrors('Request_ValidationFailed')
  async createProject(@Body() body: CreateProjectDto): Promise<CreatedProjectDto> {
    const { project, issued } = await this.projects.create(body.name);
    return {
      id: project.id,
      name: project.name,
      created_at: project.createdAt.toISOString(),
      api_key: {
        id: issued.entity.id,
        name: issued.entity.name,
        key: issued.key,
        scopes: issued.entity.scopes,
      },
    };
  }
}
