import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeTinyGguf } from '../../testkit/tiny-gguf.js';
import type { VersionFacts } from '../spec/model-version.js';
import { scanGgufVersions, sha256OfFile } from './gguf-versions.js';

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) fs.rmSync(folder, { recursive: true, force: true });
});

function modelsFolder(): string {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'tta-gguf-versions-'));
  folders.push(folder);
  return folder;
}

describe('scanGgufVersions', () => {
  it('hashes each file once, reads its header, and hashes again only when the file changed', async () => {
    const folder = modelsFolder();
    writeTinyGguf(path.join(folder, 'tiny.gguf'), { seed: 1 });
    writeTinyGguf(path.join(folder, 'other.gguf'), { seed: 3 });
    const hashed: string[] = [];
    const hash = async (file: string) => {
      hashed.push(path.basename(file));
      return sha256OfFile(file);
    };

    const first = await scanGgufVersions({ folder, previous: new Map(), hash });
    expect(hashed.sort()).toEqual(['other.gguf', 'tiny.gguf']);
    const tiny = first.find((entry) => entry.modelId === 'tiny')?.facts;
    expect(tiny).toMatchObject({ source: 'gguf', family: 'llama', contextLength: 256 });
    expect(tiny?.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(tiny?.sha256).not.toBe(first.find((entry) => entry.modelId === 'other')?.facts.sha256);

    // Nothing changed: the size and time match what is known, so nothing is read again.
    const known = new Map(
      first.map((entry): [string, VersionFacts] => [entry.modelId, entry.facts]),
    );
    hashed.length = 0;
    const again = await scanGgufVersions({ folder, previous: known, hash });
    expect(hashed).toEqual([]);
    expect(again).toEqual(first);

    // New weights under the same name (the time moved on): hashed again, a new identity.
    const file = path.join(folder, 'tiny.gguf');
    writeTinyGguf(file, { seed: 2 });
    const later = new Date(Date.now() + 60_000);
    fs.utimesSync(file, later, later);
    const changed = await scanGgufVersions({ folder, previous: known, hash });
    expect(hashed).toEqual(['tiny.gguf']);
    const retrained = changed.find((entry) => entry.modelId === 'tiny')?.facts;
    expect(retrained?.sha256).not.toBe(tiny?.sha256);
  });

  it('still tells files apart by hash when their header cannot be read', async () => {
    const folder = modelsFolder();
    fs.writeFileSync(path.join(folder, 'broken.gguf'), 'not a gguf file');
    const [entry] = await scanGgufVersions({ folder, previous: new Map() });
    expect(entry?.facts).toEqual({
      source: 'gguf',
      sha256: await sha256OfFile(path.join(folder, 'broken.gguf')),
      fileBytes: 15,
      fileModifiedAt: Math.round(fs.statSync(path.join(folder, 'broken.gguf')).mtimeMs),
      size: 15,
    });
  });
});
