/**
 * A realistic OpenRouter catalog (`__fixtures__/openrouter-models.json`, in the shape of
 * `GET /api/v1/models`): free and paid models, text and image in and out, expiration
 * dates, entries with optional fields missing, variable (`-1`) pricing, and one entry
 * without an id. A fake OpenRouter given these entries as its models lists them as they are.
 */
import fs from 'node:fs';
import type { FakeModel } from './fake-wire.js';

const fixtureUrl = new URL('./__fixtures__/openrouter-models.json', import.meta.url);

/** One entry of the fixture, as OpenRouter lists it. */
export type OpenRouterFixtureEntry = Record<string, unknown> & { id?: string };

/** The fixture's entries (a fresh copy each call, so tests may change them). */
export function openRouterFixtureEntries(): OpenRouterFixtureEntry[] {
  const document = JSON.parse(fs.readFileSync(fixtureUrl, 'utf8')) as {
    data: OpenRouterFixtureEntry[];
  };
  return document.data;
}

/** The fixture as models for `startFakeUpstream({ flavor: 'openrouter', models })`. */
export function openRouterFixtureModels(
  entries: OpenRouterFixtureEntry[] = openRouterFixtureEntries(),
): FakeModel[] {
  // The fake lists each entry as it is; FakeModel only names the fields it reads itself.
  return entries as unknown as FakeModel[];
}
