/**
 * Browser tests drive Debian's Chromium (`/usr/bin/chromium`) with playwright-core against
 * the real server. Where Chromium is missing they are skipped with the reason printed,
 * except under `CI=true`, where they must run. Screenshots go to `test-artifacts/dashboard/`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';

/** Where Chromium is (`TTA_CHROMIUM` overrides). */
export const chromiumPath = process.env.TTA_CHROMIUM ?? '/usr/bin/chromium';

const webFolder = fileURLToPath(new URL('..', import.meta.url));
const repositoryRoot = path.resolve(webFolder, '..');

/** Screenshots of every page, kept as test artifacts (git-ignored). */
export const artifactsFolder = path.join(repositoryRoot, 'test-artifacts', 'dashboard');

/** Why the browser tests cannot run here, or undefined when they can. */
export function browserMissing(): string | undefined {
  if (fs.existsSync(chromiumPath)) return undefined;
  return `Chromium not found at ${chromiumPath}: install it with \`apt-get install -y chromium\` (as root), or point TTA_CHROMIUM at a Chromium binary.`;
}

/**
 * Throws under CI when Chromium is missing; elsewhere prints why the browser tests are
 * skipped. Returns true when they can run.
 */
export function browserAvailable(): boolean {
  const missing = browserMissing();
  if (missing === undefined) return true;
  if (process.env.CI === 'true')
    throw new Error(`browser tests are required under CI=true. ${missing}`);
  console.warn(`Skipping the dashboard's browser tests. ${missing}`);
  return false;
}

/**
 * Launches headless Chromium with the flags this machine needs. playwright-core gives
 * every launch a fresh, empty `--user-data-dir` of its own.
 */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Builds the dashboard when `web/dist` is missing or older than its sources. */
export async function ensureDashboardBuilt(): Promise<void> {
  const built = path.join(webFolder, 'dist', 'index.html');
  const builtAt = fs.existsSync(built) ? fs.statSync(built).mtimeMs : 0;
  const sources = [path.join(webFolder, 'index.html'), ...listFiles(path.join(webFolder, 'src'))];
  if (sources.every((file) => fs.statSync(file).mtimeMs <= builtAt)) return;
  const { build } = await import('vite');
  await build({ configFile: path.join(webFolder, 'vite.config.ts'), logLevel: 'warn' });
}

function listFiles(folder: string): string[] {
  return fs.readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(folder, entry.name);
    return entry.isDirectory() ? listFiles(full) : [full];
  });
}

/**
 * Saves a screenshot as `test-artifacts/dashboard/<name>.png` (the whole page, or with
 * `fullPage: false` what the screen shows); returns its path.
 */
export async function screenshot(page: Page, name: string, fullPage = true): Promise<string> {
  fs.mkdirSync(artifactsFolder, { recursive: true });
  const file = path.join(artifactsFolder, `${name}.png`);
  await page.screenshot({ path: file, fullPage });
  return file;
}

/** Signs in on the sign-in page with a token. */
export async function signIn(
  page: Page,
  baseUrl: string,
  token: string,
  route = '',
): Promise<void> {
  await page.goto(`${baseUrl}/${route ? `#/${route}` : ''}`);
  await page.getByLabel('Admin or user token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Pages' }).waitFor();
}

/** The page's errors (uncaught exceptions, console errors), collected for assertions. */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  return errors;
}
