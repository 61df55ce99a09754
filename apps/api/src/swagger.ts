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
  return SwaggerModule.createDocument(app, config, {
    operationIdFactory: (controllerKey, methodKey) => methodKey,
  });
}

export function setupSwagger(app: INestApplication, document = buildOpenApiDocument(app)): void {
  SwaggerModule.setup(SWAGGER_UI_PATH, app, document, {
    jsonDocumentUrl: OPENAPI_JSON_PATH,
    yamlDocumentUrl: 'api/openapi.yaml',
    swaggerOptions: { persistAuthorization: true },
  });
}
