import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';

export const SWAGGER_UI_PATH = 'api/docs';
export const OPENAPI_JSON_PATH = 'api/openapi.json';

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Proxy Execute')
    .setDescription(
      'Call any third-party HTTP API with the credentials of a stored connected account, injected on the ' +
        'server. `POST /api/v3/tools/execute/proxy` is wire-compatible with Composio. Every route is also ' +
        'served under `/api/v3.1`. Every error answer is the envelope `{error: {message, code, slug, status, ' +
        'request_id, suggested_fix, errors}}`.',
    )
    .setVersion('3')
    .addApiKey({ type: 'apiKey', name: 'x-api-key', in: 'header' }, 'x-api-key')
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    operationIdFactory: (_controllerKey, methodKey) => methodKey,
  });
  // One handler serves both API versions; Swagger numbers the copies (`createProject[1]`). Name
  // them after the version instead, so generated clients get readable, unique operation ids.
  for (const [path, item] of Object.entries(document.paths)) {
    for (const operation of Object.values(item) as Array<{ operationId?: string }>) {
      if (typeof operation?.operationId !== 'string') continue;
      const base = operation.operationId.replace(/\[\d+\]$/, '');
      operation.operationId = path.startsWith('/api/v3.1/') ? `${base}_v3_1` : base;
    }
  }
  return document;
}

export function setupSwagger(app: INestApplication, document = buildOpenApiDocument(app)): void {
  SwaggerModule.setup(SWAGGER_UI_PATH, app, document, {
    jsonDocumentUrl: OPENAPI_JSON_PATH,
    yamlDocumentUrl: 'api/openapi.yaml',
    swaggerOptions: { persistAuthorization: true },
  });
}
