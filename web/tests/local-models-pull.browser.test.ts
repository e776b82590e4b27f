import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeHuggingFace, startFakeHuggingFace } from '../../testkit/fake-hugging-face.js';
import { startTestGateway, type TestGateway } from '../../testkit/start-test-gateway.js';
import { writeTinyGguf } from '../../testkit/tiny-gguf.js';
import {
  browserAvailable,
  collectPageErrors,
  ensureDashboardBuilt,
  launchBrowser,
  screenshot,
  signIn,
} from './browser-harness.js';

/**
 * Pulling a model from the Local models page: a GGUF file from a fake Hugging Face hub
 * into an embedded provider's folder, a wrong checksum shown as an error, the progress
 * bar filling as the bytes arrive, Stop and a resume, and the model in the list once it
 * is done.
 */
const reference = 'hf:tta/tiny-GGUF/tiny-F32.gguf';

describe.runIf(browserAvailable())('pulling a model in the browser', { timeout: 40_000 }, () => {
  let hub: FakeHuggingFace;
  let test: TestGateway;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let modelsDir: string;
  let size: number;

  beforeAll(async () => {
    await ensureDashboardBuilt();
    hub = await startFakeHuggingFace();
    modelsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tta-pull-browser-'));
    const source = `${modelsDir}-source.gguf`;
    size = writeTinyGguf(source);
    hub.addFile('tta/tiny-GGUF', 'tiny-F32.gguf', fs.readFileSync(source));
    fs.rmSync(source);
    test = await startTestGateway({
      providers: [
        {
          id: 'local',
          type: 'embedded',
          modelsDir,
          baseUrl: hub.url,
          gpu: false,
          contextSize: 256,
        },
      ],
    });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(10_000);
    errors = collectPageErrors(page);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await test?.close();
    await hub?.close();
    if (modelsDir) fs.rmSync(modelsDir, { recursive: true, force: true });
  });

  it('shows a wrong checksum as an error, keeping nothing', async () => {
    await signIn(page, test.url, test.adminToken, 'local');
    await page.getByRole('heading', { name: 'Local models' }).waitFor();
    await page.getByText('No local models.').waitFor();
    const form = page.getByRole('form', { name: 'Pull a model' });
    await form.getByRole('button', { name: 'Pull', exact: true }).click();
    await form.getByTestId('pull-error').getByText('Write the model to pull').waitFor();

    await form.getByLabel('Model to pull').fill(reference);
    await form.getByLabel('sha256 (optional)').fill('0'.repeat(64));
    await form.getByRole('button', { name: 'Pull', exact: true }).click();
    const failure = form.getByTestId('pull-error');
    await failure.getByText(`Could not pull ${reference}`).waitFor();
    expect(await failure.textContent()).toMatch(/is corrupt: expected sha256 0{64}/);
    expect(await failure.getAttribute('role')).toBe('alert');
    expect(fs.readdirSync(modelsDir)).toEqual([]);
    await screenshot(page, 'local-models-pull-error');
  });

  it('fills the progress bar as the file arrives, then lists the model', async () => {
    const form = page.getByRole('form', { name: 'Pull a model' });
    await form.getByLabel('sha256 (optional)').fill('');
    // Slowly enough to watch the bar move.
    hub.paceNextDownload(48 * 1024, 120);
    await form.getByRole('button', { name: 'Pull', exact: true }).click();
    const bar = form.getByRole('progressbar', { name: `Pulling ${reference}` });
    await bar.waitFor();
    const value = async () => Number((await bar.getAttribute('value')) ?? Number.NaN);
    // Part of the way: more than nothing, less than all.
    await expect.poll(value, { interval: 20 }).toBeGreaterThan(0);
    expect(await value()).toBeLessThan(size);
    await screenshot(page, 'local-models-pull-progress', false);
    expect(await form.getByRole('button', { name: 'Pulling…' }).isDisabled()).toBe(true);

    // Stop: the gateway drops the download and keeps what arrived.
    await form.getByRole('button', { name: 'Stop' }).click();
    await form.getByTestId('pull-stopped').getByText(`Pull ${reference} again to resume`).waitFor();
    await expect.poll(() => hub.abandonedDownloads).toBe(1);
    expect(fs.readdirSync(modelsDir)).toEqual(['tiny-F32.gguf.part']);

    // Pulling again, at once, resumes it to the end.
    await form.getByRole('button', { name: 'Pull', exact: true }).click();
    await form.getByTestId('pull-done').getByText('Pulled: local/tiny-F32').waitFor();
    const done = form.getByRole('progressbar', { name: `Pulled ${reference}` });
    expect(await done.getAttribute('value')).toBe(String(size));
    expect(await done.getAttribute('max')).toBe(String(size));
    expect(await form.getByTestId('pull-amount').textContent()).toMatch(
      /^(\d+ KB) of \1 \(100%\)$/,
    );
    expect(await form.getByTestId('pull-done').textContent()).toMatch(
      /sha256 [0-9a-f]{12}… checked, resumed/,
    );

    // The list now holds the model, read from its GGUF header.
    const table = page.getByTestId('local-table');
    const row = table.getByRole('row').filter({ hasText: 'local/tiny-F32' });
    await row.waitFor();
    expect(await row.textContent()).toContain('llama');
    await row.getByRole('button', { name: 'Load local/tiny-F32' }).waitFor();
    expect(fs.readdirSync(modelsDir)).toEqual(['tiny-F32.gguf']);
    await screenshot(page, 'local-models-pull');
    expect(errors.filter((error) => !error.startsWith('Failed to load resource'))).toEqual([]);
  });
});
