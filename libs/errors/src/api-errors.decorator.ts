import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { type ErrorSlug, ERROR_CATALOGUE } from './error-catalogue';
import { ErrorEnvelopeDto } from './error-envelope';

/** The errors every authenticated route can answer. */
export const COMMON_ERRORS: ErrorSlug[] = [
  'Auth_NoAuthProvided',
  'APIKey_InvalidAPIKey',
  'APIKey_InsufficientPermissions',
  'Internal_ServerError',
];

/** Documents a route's error answers from the catalogue, grouped by HTTP status. */
export function ApiErrors(...slugs: ErrorSlug[]): MethodDecorator & ClassDecorator {
  const byStatus = new Map<number, ErrorSlug[]>();
  for (const slug of slugs) {
    const { status } = ERROR_CATALOGUE[slug];
    byStatus.set(status, [...(byStatus.get(status) ?? []), slug]);
  }
  return applyDecorators(
    ApiExtraModels(ErrorEnvelopeDto),
    ...[...byStatus.entries()].map(([status, group]) =>
      ApiResponse({
        status,
        description: group.map((slug) => `\`${slug}\` (${ERROR_CATALOGUE[slug].code})`).join(', '),
        schema: { $ref: getSchemaPath(ErrorEnvelopeDto) },
      }),
    ),
  );
}
