import fs from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeUpstream, startFakeUpstream } from '../../testkit/fake-upstream.js';
import { openRouterFixtureModels } from '../../testkit/openrouter-fixture.js';
import { startTestGateway, type TestGateway } from '../../testkit/start-test-gateway.js';
import {
  browserAvailable,
  collectPageErrors,
  ensureDashboardBuilt,
  launchBrowser,
  screenshot,
  signIn,
} from './browser-harness.js';

/** A new user with nothing configured sets up OpenRouter and local models in the browser. */
const openRouterKey = 'sk-or-v1-firstrunsecret0123456789abcdef';

describe.runIf(browserAvailable())('first run in the browser', { timeout: 40_000 }, () => {
  let openRouter: FakeUpstream;
  let ollama: FakeUpstream;
  let test: TestGateway;
  let browser: Browser;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    await ensureDashboardBuilt();
    openRouter = await startFakeUpstream({
      flavor: 'openrouter',
      models: openRouterFixtureModels(),
    });
    ollama = await startFakeUpstream({ flavor: 'ollama' });
    test = await startTestGateway({ providers: [] });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(10_000);
    errors = collectPageErrors(page);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await test?.close();
    await openRouter?.close();
    await ollama?.close();
  });

  it('says no provider is configured before sign-in, then opens on setup', async () => {
    await page.goto(`${test.url}/`);
    await expect
      .poll(() => page.getByText('No model provider is configured yet.').isVisible())
      .toBe(true);
    await screenshot(page, 'sign-in');
    await signIn(page, test.url, test.adminToken);
    await page.getByRole('heading', { name: 'Set up model providers' }).waitFor();
    expect(page.url()).toMatch(/#\/setup$/);
    await page.getByTestId('machine').getByText('CPU cores').waitFor();
    await screenshot(page, 'setup');
  });

  it('finds a local server where it is told to look', async () => {
    await page.getByText('Advanced: addresses and checks').click();
    await page.getByLabel('Ollama address').fill(ollama.origin);
    await page.getByRole('button', { name: 'Look there again' }).click();
    await page.getByTestId('machine').getByText(`${ollama.origin}: 2 model(s)`).waitFor();
  });

  it('checks the key, writes config.yaml without it and recommends free models', async () => {
    await page.getByLabel('Local models on this machine').check();
    expect(await page.getByRole('checkbox', { name: /^OpenRouter/ }).isChecked()).toBe(true);
    await page.getByLabel('OpenRouter API key (optional)').fill(openRouterKey);
    await page.getByLabel('OpenRouter API address (a mirror)').fill(openRouter.baseUrl);
    await page.getByRole('button', { name: 'Check and save' }).click();

    const result = page.getByTestId('setup-result');
    await result.getByText(`Saved ${test.gateway.paths.configFile}`).waitFor({ timeout: 15_000 });
    await result.getByText(/openrouter key …cdef/).waitFor();
    await result.getByRole('heading', { name: 'Recommended free models' }).waitFor();
    expect(await result.locator('ol li').count()).toBeGreaterThan(0);
    await screenshot(page, 'setup-done');
    await result.getByText('Free models have limits').waitFor();

    const written = fs.readFileSync(test.gateway.paths.configFile, 'utf8');
    expect(written).toContain('type: openrouter');
    expect(written).toContain(openRouter.baseUrl);
    expect(written).toContain(`baseUrl: ${ollama.origin}`);
    expect(written).not.toContain(openRouterKey);
    expect(await page.content()).not.toContain(openRouterKey);
    // The key went to the vault, checked with the (fake) provider.
    const keys = await test.gateway.keys.list(undefined);
    expect(keys.map((key) => [key.providerId, key.status])).toEqual([['openrouter', 'valid']]);
    expect(openRouter.requests.some((request) => request.route === 'key')).toBe(true);
    expect(errors.filter((error) => !error.startsWith('Failed to load resource'))).toEqual([]);
  });

  it('says what the provider answered when it refuses a key', async () => {
    // OpenRouter lists its models to anyone; it is its key check that refuses.
    openRouter.inject({ kind: 'status', status: 401, route: 'key', times: 1 });
    await page.getByRole('button', { name: 'Set up more' }).click();
    await page.getByLabel('Local models on this machine').uncheck();
    await page.getByText('Advanced: addresses and checks').click();
    await page.getByLabel('OpenRouter API key (optional)').fill('sk-or-v1-wrongwrongwrong0000');
    await page.getByLabel('OpenRouter API address (a mirror)').fill(openRouter.baseUrl);
    await page.getByRole('button', { name: 'Preview only' }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'Setup did not finish' });
    await alert.waitFor({ timeout: 15_000 });
    expect(await alert.textContent()).not.toContain('wrongwrongwrong');
    expect(await page.content()).not.toContain('wrongwrongwrong');
  });
});
