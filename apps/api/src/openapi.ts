import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { AppModule } from './app.module';
import { buildOpenApiDocument } from './swagger';

/**
 * Writes the OpenAPI document to openapi.json (committed), or with `--check` fails when the
 * committed file differs from what the code generates. Runs the module graph in preview mode:
 * no database, no providers instantiated.
 */
async function main(): Promise<void> {
  const app = await NestFactory.create(AppModule.forRoot(), new FastifyAdapter(), {
    preview: true,
    logger: false,
    abortOnError: false,
  });
  const generated = `${JSON.stringify(buildOpenApiDocument(app), null, 2)}\n`;
  await app.close();
  const file = resolve(__dirname, '../../../../openapi.json');
  if (process.argv.includes('--check')) {
    let committed = '';
    try {
      committed = readFileSync(file, 'utf8');
    } catch {
      // missing counts as stale
    }
    if (committed !== generated) {
      process.stderr.write('openapi.json is stale: run `npm run openapi` and commit the result.\n');
      process.exit(1);
    }
    process.stdout.write('openapi.json is up to date.\n');
    return;
  }
  writeFileSync(file, generated);
  process.stdout.write(`Wrote ${file}\n`);
}

void main();
