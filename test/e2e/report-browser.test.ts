import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';
import { loadCatalog } from '../../lambdas/catalog/catalog';
import { DEMO_BUCKETS, seedDemoAccount } from '../../lambdas/cli/demo-seed';
import { runCliCaptured } from '../helpers/cli';
import { EMULATOR_ACCOUNT, emulatorClients, useMoto } from '../helpers/moto';

/** Debian's chromium: CI installs it (.ci/run); a missing browser fails this test rather than skipping it. */
const CHROMIUM = '/usr/bin/chromium';
/** Flags without which headless Chromium as root in a closed network stalls on background connections (STACK.md). */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const SCREENSHOT_DIR = join(__dirname, '..', '..', 'test-output');
const BROWSER_TIMEOUT_MS = 120_000;

const moto = useMoto();
let dir: string;
let browser: BrowserContext;
const consoleErrors: string[] = [];
const requests: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} not found: install Debian's chromium package (apt-get install chromium) to run this test`);
  }
  dir = await mkdtemp(join(tmpdir(), 'soc2-browser-'));
  process.env.XDG_CONFIG_HOME = join(dir, 'config-home');
  browser = await chromium.launchPersistentContext(join(dir, 'chromium-profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 900 },
  });
}, BROWSER_TIMEOUT_MS);

afterAll(async () => {
  await browser?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('report.html in headless Chromium', () => {
  it(
    'renders all 66 items without console errors or network requests, and a failing item expands to its resources',
    async () => {
      // Prepare
      const seed = await seedDemoAccount(emulatorClients(moto().url), EMULATOR_ACCOUNT);
      const store = join(dir, 'evidence');
      const out = join(dir, 'report');
      const global = ['--endpoint-url', moto().url, '--quiet'];
      // --allow-errors: moto lacks a few SageMaker list calls (STACK.md); the report shows them as ERROR.
      expect((await runCliCaptured([...global, 'collect', '--allow-errors', '--store', store])).status).toBe(0);
      expect((await runCliCaptured([...global, 'report', '--store', store, '--out', out])).status).toBe(0);
      const page = await browser.newPage();
      page.on('console', (message) => {
        if (message.type() === 'error') consoleErrors.push(message.text());
      });
      page.on('pageerror', (error) => consoleErrors.push(error.message));
      const reportUrl = `file://${join(out, 'report.html')}`;
      page.on('request', (request) => {
        if (request.url() !== reportUrl) requests.push(request.url());
      });

      // Act
      await page.goto(reportUrl, { waitUntil: 'load' });
      await mkdir(SCREENSHOT_DIR, { recursive: true });
      await page.screenshot({ path: join(SCREENSHOT_DIR, 'report-top.png') });
      const itemIds = await page.locator('tbody > tr[id]').evaluateAll((rows) => rows.map((r) => r.id));
      const modelBucket = `arn:aws:s3:::${DEMO_BUCKETS.modelArtifacts}`;
      const failing = page.locator('tr[id="SEC-DP-1"]');
      const findingsBefore = await failing.locator('table.findings').isVisible();
      await failing.locator('summary').click();
      const findingsAfter = failing.locator('table.findings');
      await failing.scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(SCREENSHOT_DIR, 'report-failing-item.png') });
      await page.screenshot({ path: join(SCREENSHOT_DIR, 'report.png'), fullPage: true });

      // Assess
      expect(consoleErrors).toEqual([]);
      expect(requests).toEqual([]);
      expect(itemIds.sort()).toEqual(
        loadCatalog()
          .items.map((item) => item.id)
          .sort(),
      );
      expect(await failing.locator(':scope > td').nth(4).textContent()).toBe('FAIL');
      expect(findingsBefore).toBe(false);
      expect(await findingsAfter.isVisible()).toBe(true);
      expect(await findingsAfter.textContent()).toContain(modelBucket);
      expect(seed.planted.some((p) => p.resource === modelBucket)).toBe(true);
    },
    BROWSER_TIMEOUT_MS,
  );
});
