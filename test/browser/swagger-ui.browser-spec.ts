import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { createAccount } from '../utils/proxy-fixtures';
import { seedProject, startTestApp, type SeededProject, type TestApp } from '../utils/test-app';
import { createTestDatabase, dropTestDatabase } from '../utils/test-database';
import { startUpstream, type Upstream } from '../utils/upstream';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = join(__dirname, '..', 'artifacts');

describe('Swagger UI in a real browser', () => {
  let databaseUrl: string;
  let app: TestApp;
  let upstream: Upstream;
  let project: SeededProject;
  let browser: Browser;

  beforeAll(async () => {
    databaseUrl = await createTestDatabase();
    upstream = await startUpstream();
    app = await startTestApp(
      { DATABASE_URL: databaseUrl, PROXY_ALLOWED_CIDRS: '127.0.0.0/8' },
      { swagger: true },
    );
    project = await seedProject(app);
    await createAccount(app.url, project.key, { base_url: upstream.url, is_default: true });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await upstream?.close();
    await dropTestDatabase(databaseUrl);
  });

  it('authorizes with an API key and runs "Try it out" on the proxy route against an echo upstream', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 2000 } });
    // The page may only talk to the service under test.
    await page.route('**/*', (route) =>
      new URL(route.request().url()).hostname === '127.0.0.1' ? route.continue() : route.abort(),
    );
    await page.goto(`${app.url}/api/docs`);
    await page.locator('.auth-wrapper button.authorize').click();
    await page.locator('.modal-ux input').first().fill(project.key);
    await page.locator('.modal-ux button.modal-btn.authorize').click();
    await page.locator('.modal-ux button.btn-done').click();

    const operation = page.locator('#operations-Tools-executeProxy');
    await operation.locator('.opblock-summary').click();
    await operation.getByRole('button', { name: 'Try it out' }).click();
    await operation
      .locator('textarea.body-param__text')
      .fill(JSON.stringify({ endpoint: '/echo?from=swagger', method: 'GET' }, null, 2));
    await operation.locator('button.execute').click();

    const responseBody = operation.locator('.live-responses-table .response-col_description pre').first();
    await responseBody.waitFor({ timeout: 30_000 });
    const shown = await responseBody.innerText();
    expect(shown).toContain('"status": 200');
    expect(shown).toContain('"path": "/echo"');
    expect(shown).toContain('"from"');
    expect(upstream.requests.map((r) => r.url)).toContain('/echo?from=swagger');

    await mkdir(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'swagger-proxy.png'), fullPage: true });
  });
});
