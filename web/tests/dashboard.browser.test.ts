import type { Browser, BrowserContext, Page, Response } from 'playwright-core';
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

/**
 * The dashboard in Chromium against a real gateway whose providers are fake upstreams
 * (OpenRouter with a realistic catalog, two OpenAI-compatible servers, Ollama): the
 * catalog filtered to free models, a key added without ever showing it, routing
 * explained, a fallback incident arriving live, a user seeing only their own keys.
 */
const secret = 'sk-test-DASHBOARD-SECRET-7f3a9c';

describe.runIf(browserAvailable())('the dashboard in the browser', { timeout: 40_000 }, () => {
  let openRouter: FakeUpstream;
  let primary: FakeUpstream;
  let backup: FakeUpstream;
  let ollama: FakeUpstream;
  let test: TestGateway;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let errors: string[];
  const responses: Response[] = [];

  const admin = () => ({
    authorization: `Bearer ${test.adminToken}`,
    'content-type': 'application/json',
  });

  beforeAll(async () => {
    await ensureDashboardBuilt();
    openRouter = await startFakeUpstream({
      flavor: 'openrouter',
      models: openRouterFixtureModels(),
    });
    primary = await startFakeUpstream({ flavor: 'openai', reply: { text: 'The cave is dark.' } });
    backup = await startFakeUpstream({ flavor: 'openai', reply: { text: 'Backup narrator.' } });
    ollama = await startFakeUpstream({ flavor: 'ollama' });
    test = await startTestGateway({
      providers: [
        { id: 'openrouter', type: 'openrouter', baseUrl: openRouter.baseUrl },
        { id: 'primary', type: 'openai-compatible', baseUrl: primary.baseUrl },
        { id: 'backup', type: 'openai-compatible', baseUrl: backup.baseUrl },
        { id: 'ollama', type: 'ollama', baseUrl: ollama.origin },
      ],
      routes: { story: { models: ['primary/gpt-4o', 'backup/gpt-4o-mini'] } },
      resilience: { breaker: { failuresToOpen: 1000 } },
    });
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
    errors = collectPageErrors(page);
    page.on('response', (response) => responses.push(response));
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await test?.close();
    for (const fake of [openRouter, primary, backup, ollama]) await fake?.close();
  });

  it('opens on the catalog and filters it to free models, each marked FREE', async () => {
    await signIn(page, test.url, test.adminToken);
    await page.getByRole('heading', { name: 'Model catalog' }).waitFor();
    expect(page.url()).toMatch(/#\/catalog$/);
    const rows = page.getByTestId('catalog-table').locator('tbody tr');
    await expect.poll(() => rows.count()).toBeGreaterThan(30);
    await screenshot(page, 'catalog');

    const free = (await (
      await fetch(`${test.url}/api/catalog?free=true&refresh=never`, { headers: admin() })
    ).json()) as { models: Array<{ name: string }> };
    await page.getByLabel('Price').selectOption('free');
    await expect.poll(() => rows.count()).toBe(free.models.length);
    expect(await page.getByTestId('catalog-count').textContent()).toMatch(
      new RegExp(`^${free.models.length} of \\d+ models$`),
    );
    const freeFlags = await rows.evaluateAll((elements) =>
      elements.map((row) => row.getAttribute('data-free')),
    );
    expect(new Set(freeFlags)).toEqual(new Set(['true']));
    expect(await rows.getByRole('button', { name: 'FREE', exact: true }).count()).toBeGreaterThan(
      0,
    );

    // The free-tier limits show on hover (and on keyboard focus).
    const badge = rows
      .filter({ hasText: 'openrouter/meta-llama/llama-3.3-70b-instruct:free' })
      .getByRole('button', { name: 'FREE', exact: true });
    await badge.hover();
    const tip = page.getByRole('tooltip').filter({ hasText: '20 requests a minute' });
    await tip.waitFor();
    await screenshot(page, 'catalog-free');
  });

  it('warns with alternatives when a free model is chosen', async () => {
    await page.getByRole('button', { name: 'Meta: Llama 3.3 70B Instruct (free)' }).click();
    const warning = page.getByTestId('free-warning');
    await warning.waitFor();
    expect(await warning.textContent()).toContain('free models allow 20 requests a minute');
    await warning
      .getByRole('button', { name: 'openrouter/meta-llama/llama-3.3-70b-instruct', exact: true })
      .waitFor();
    await screenshot(page, 'catalog-free-warning');
    // Choosing the paid alternative opens it, with no free-model warning.
    await warning
      .getByRole('button', { name: 'openrouter/meta-llama/llama-3.3-70b-instruct', exact: true })
      .click();
    await page
      .getByTestId('model-name')
      .filter({ hasText: 'model: "openrouter/meta-llama/llama-3.3-70b-instruct"' })
      .waitFor();
    expect(await page.getByTestId('free-warning').count()).toBe(0);
  });

  it('adds a key that then never appears in the page, its storage or any response', async () => {
    await page.getByRole('link', { name: 'Keys' }).click();
    await page.getByRole('heading', { name: 'Provider keys' }).waitFor();
    await page.getByLabel('Provider', { exact: true }).selectOption('primary');
    await page.getByLabel('Key', { exact: true }).fill(secret);
    await page.getByLabel('Label (optional)').fill('narrator key');
    await page.getByRole('button', { name: 'Check and store' }).click();
    await page.getByTestId('key-message').getByText('Stored the primary key …3a9c').waitFor();
    const table = page.getByTestId('keys-table');
    await table.getByText('…3a9c').waitFor();
    await table.getByText('valid', { exact: true }).waitFor();
    await screenshot(page, 'keys');

    expect(await page.content()).not.toContain(secret);
    expect(await page.getByLabel('Key', { exact: true }).inputValue()).toBe('');
    // Evaluated in the page (as text: these tests are type-checked without the DOM library).
    const stored = await page.evaluate<string>(
      'JSON.stringify({ ...sessionStorage, ...localStorage, cookie: document.cookie })',
    );
    expect(stored).not.toContain(secret);
    // The key went out once, in the POST; nothing that came back holds it.
    let checked = 0;
    for (const response of responses) {
      if ((response.headers()['content-type'] ?? '').includes('event-stream')) continue;
      const body = await response.body().catch(() => Buffer.alloc(0));
      expect(body.toString('utf8')).not.toContain(secret);
      expect(JSON.stringify(response.headers())).not.toContain(secret);
      checked += 1;
    }
    expect(checked).toBeGreaterThan(5);

    // Checking it again and seeing the provider's verdict.
    await table.getByRole('button', { name: 'Check the primary key …3a9c again' }).click();
    await page
      .getByTestId('key-message')
      .getByText(/primary key …3a9c: .*accepted the key/)
      .waitFor();
  });

  it('shows per task the chosen model, the chain and why, and applies preferences', async () => {
    await page.getByRole('link', { name: 'Routing' }).click();
    await page.getByLabel('Task').selectOption('narrative_generation');
    const explanation = page.getByTestId('explanation');
    await explanation.getByRole('heading', { name: 'Chosen for narrative generation' }).waitFor();
    const chosen = await page.getByTestId('chosen-model').textContent();
    expect(chosen).toMatch(/^[a-z0-9-]+\/.+/);
    const chain = await page.getByTestId('chain').locator('li').allTextContents();
    expect(chain.length).toBeGreaterThanOrEqual(2);
    expect(chain[0]).toContain(chosen ?? '');
    const api = (await (
      await fetch(`${test.url}/api/select/explain?task=narrative_generation`, { headers: admin() })
    ).json()) as { chosen: string; chain: string[] };
    expect(chosen).toBe(api.chosen);
    expect(chain.map((text) => text.replace(/^\s*/, ''))).toEqual(api.chain);
    await screenshot(page, 'routing');

    await page
      .getByLabel('Favourite model (tried first when it qualifies)')
      .fill('backup/gpt-4o-mini');
    await page.getByRole('button', { name: 'Save preferences' }).click();
    await page.getByText('Saved. The explanation above uses them now.').waitFor();
    await expect
      .poll(() => page.getByTestId('chosen-model').textContent())
      .toBe('backup/gpt-4o-mini');
    await page.getByLabel('Favourite model (tried first when it qualifies)').fill('');
    await page.getByRole('button', { name: 'Save preferences' }).click();
    await expect.poll(() => page.getByTestId('chosen-model').textContent()).toBe(chosen);
  });

  it('shows resources live and a fallback incident as it happens', async () => {
    await page.getByRole('link', { name: 'Live' }).click();
    const resources = page.getByTestId('live-resources');
    await resources.getByText('live', { exact: true }).waitFor();
    await resources.getByText('Memory in use', { exact: false }).first().waitFor();
    await page.getByTestId('live-incidents').getByText('No incidents').waitFor();

    primary.inject({ kind: 'status', status: 500, route: 'chat', times: 1 });
    const answer = await fetch(`${test.url}/v1/chat/completions`, {
      method: 'POST',
      headers: admin(),
      body: JSON.stringify({ model: 'route:story', messages: [{ role: 'user', content: 'Hi' }] }),
    });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('x-tta-model')).toBe('backup/gpt-4o-mini');

    const incident = page.getByTestId('live-incidents').locator('li[data-kind="switch"]');
    await incident.waitFor({ timeout: 8_000 });
    expect(await incident.textContent()).toContain('primary/gpt-4o');
    expect(await incident.textContent()).toContain('switched to backup/gpt-4o-mini');
    await page
      .getByTestId('live-traffic')
      .getByRole('rowheader', { name: 'backup/gpt-4o-mini' })
      .waitFor({ timeout: 8_000 });

    // A request for a model that does not exist is counted too, under no model.
    const refused = await fetch(`${test.url}/v1/chat/completions`, {
      method: 'POST',
      headers: admin(),
      body: JSON.stringify({ model: 'nowhere/model', messages: [{ role: 'user', content: 'Hi' }] }),
    });
    expect(refused.status).toBe(404);
    await page
      .getByTestId('live-traffic')
      .getByRole('rowheader', { name: 'refused before a model was chosen' })
      .waitFor({ timeout: 8_000 });
    await screenshot(page, 'live');
  });

  it('shows local models beside what the machine has', async () => {
    await page.getByRole('link', { name: 'Local models' }).click();
    const table = page.getByTestId('local-table');
    await table.getByText('ollama/llama3.2:1b').waitFor();
    await page.getByTestId('machine-summary').getByText('A new model may use').waitFor();
    expect(await table.getByText('yes', { exact: true }).count()).toBeGreaterThan(0);
    await screenshot(page, 'local-models');
  });

  it('starts a benchmark run, follows its progress and compares the models in a chart', async () => {
    await page.getByRole('link', { name: 'Benchmarks' }).click();
    await page.getByRole('heading', { name: 'Start a run' }).waitFor();
    const form = page.getByRole('form', { name: 'Start a run' });
    await form.getByLabel('Models, comma-separated').fill('primary/gpt-4o, backup/gpt-4o-mini');
    await form.getByLabel('Task').selectOption('narrative_generation');
    await page.getByRole('button', { name: 'Start run' }).click();
    const progress = page.getByTestId('run-progress');
    await progress.waitFor();
    await progress.getByText('completed').waitFor({ timeout: 20_000 });
    expect(await progress.getByText(/^(\d+) of \1 answers/).count()).toBe(1);

    const comparison = page.getByTestId('comparison');
    const chart = comparison.getByRole('img', { name: /^Quality, overall: / });
    await chart.waitFor();
    const described = await chart.getAttribute('aria-label');
    expect(described).toContain('primary/gpt-4o');
    expect(described).toContain('backup/gpt-4o-mini');
    expect(await chart.locator('rect').count()).toBe(2);
    await comparison
      .getByText(/vs primary\/gpt-4o/)
      .first()
      .waitFor();
    await page.getByTestId('runs-table').getByText('primary/gpt-4o, backup/gpt-4o-mini').waitFor();
    await page
      .getByTestId('trends')
      .getByRole('img', { name: /Benchmark quality per day/ })
      .waitFor();
    await screenshot(page, 'benchmarks');
  });

  it('pins a route to a version and unpins it, with the reason in the audit log', async () => {
    await page.getByRole('link', { name: 'Versions' }).click();
    const pins = page.getByTestId('pins');
    await pins.getByRole('heading', { name: 'Pins' }).waitFor();
    await pins.getByLabel('Route or alias').fill('route:story');
    await pins.getByLabel('Model').fill('primary/gpt-4o');
    await pins.getByLabel('Reason', { exact: true }).fill('keep the narrator steady');
    await pins.getByRole('button', { name: 'Pin', exact: true }).click();
    await page
      .getByTestId('versions-message')
      .getByText('Pinned route:story to primary/gpt-4o.')
      .waitFor();
    const row = pins.getByRole('row').filter({ hasText: 'route:story' });
    await row.getByText('keep the narrator steady').waitFor();
    await page
      .getByTestId('versioned-models')
      .getByText('primary/gpt-4o', { exact: true })
      .waitFor();
    await screenshot(page, 'versions');

    await row.getByLabel('Reason for changing route:story').fill('back to following the provider');
    await row.getByRole('button', { name: 'Unpin' }).click();
    await page.getByTestId('versions-message').getByText('Unpinned route:story.').waitFor();
    await pins.getByText('No pins').waitFor();
    await page.getByText('Audit log').click();
    await page.getByText(/versions\.unpin.*back to following the provider/).waitFor();
  });

  it('shows the offline banner when a catalog cannot be refreshed', async () => {
    openRouter.inject({ kind: 'status', status: 503, route: 'models' });
    const sync = await fetch(`${test.url}/api/catalog/sync`, {
      method: 'POST',
      headers: admin(),
      body: JSON.stringify({ providers: ['openrouter'] }),
    });
    expect(sync.status).toBe(200);
    await page.getByRole('link', { name: 'Catalog' }).click();
    const banner = page.getByTestId('offline-banner');
    await banner.waitFor();
    expect(await banner.textContent()).toMatch(
      /openrouter: cached at .* ago\); the last sync failed/,
    );
    await screenshot(page, 'catalog-offline');
    openRouter.clearFaults();
    expect(errors.filter((error) => !error.startsWith('Failed to load resource'))).toEqual([]);
  });

  it('signs a user in who sees only their own keys and preferences', async () => {
    const added = await fetch(`${test.url}/api/users`, {
      method: 'POST',
      headers: admin(),
      body: JSON.stringify({ name: 'player-one' }),
    });
    const { token } = (await added.json()) as { token: string };
    const ownKey = await fetch(`${test.url}/api/keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ providerId: 'backup', secret: 'sk-user-own-key-55aa' }),
    });
    expect(ownKey.status).toBe(201);

    const userContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const userPage = await userContext.newPage();
    userPage.setDefaultTimeout(10_000);
    await signIn(userPage, test.url, token, 'keys');
    await userPage.getByTestId('who').getByText('user player-one').waitFor();
    const table = userPage.getByTestId('keys-table');
    await table.getByText('…55aa').waitFor();
    expect(await table.locator('tbody tr').count()).toBe(1);
    expect(await userPage.content()).not.toContain('…3a9c');
    const nav = userPage.getByRole('navigation', { name: 'Pages' });
    expect(await nav.getByRole('link').allTextContents()).toEqual([
      'Catalog',
      'Keys',
      'Routing',
      'Benchmarks',
    ]);
    await screenshot(userPage, 'keys-user');

    await userPage.getByRole('link', { name: 'Routing' }).click();
    await userPage.getByRole('heading', { name: 'Your preferences' }).waitFor();
    expect(
      await userPage.getByLabel('Favourite model (tried first when it qualifies)').inputValue(),
    ).toBe('');
    await userContext.close();
  });

  it('fits a phone screen without sideways scrolling', async () => {
    const phone = await browser.newContext({
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
      deviceScaleFactor: 2,
    });
    const phonePage = await phone.newPage();
    phonePage.setDefaultTimeout(10_000);
    await signIn(phonePage, test.url, test.adminToken, 'catalog');
    await phonePage.getByTestId('catalog-table').locator('tbody tr').first().waitFor();
    const overflow = () =>
      phonePage.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    expect(await overflow()).toBeLessThanOrEqual(0);
    await screenshot(phonePage, 'catalog-phone', false);
    for (const route of ['keys', 'routing', 'live', 'local']) {
      await phonePage.goto(`${test.url}/#/${route}`);
      await phonePage.locator('main h1').waitFor();
      await phonePage.waitForTimeout(300);
      expect(await overflow()).toBeLessThanOrEqual(0);
      await screenshot(phonePage, `${route}-phone`, false);
    }
    await phone.close();
  });
});
