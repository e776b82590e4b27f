import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeFileAtomically } from '../config/write-file-atomically.js';
import { rewriteRoutesText } from './rewrite-config-routes.js';

const config = `# The narrator's models. Keep the free one first.
providers:
  - id: openrouter
    type: openrouter
routes:
  story:
    # the free model retires in June
    models: [openrouter/google/gemini-2.0-flash-exp:free, openrouter/meta-llama/llama-3.1-8b-instruct]
    deadlines: { firstTokenMs: 2000 }
  chat:
    models:
      - openrouter/google/gemini-2.0-flash-exp:free   # fast
      - openrouter/google/gemini-2.5-flash
  other:
    models: [openrouter/meta-llama/llama-3.1-8b-instruct]
`;

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) fs.rmSync(folder, { recursive: true, force: true });
});

describe('rewriteRoutesText', () => {
  it('replaces the model in every route, keeping comments and everything else', () => {
    const result = rewriteRoutesText(
      config,
      'openrouter/google/gemini-2.0-flash-exp:free',
      'openrouter/google/gemini-2.5-flash',
    );
    expect(result.routes).toEqual(['story', 'chat']);
    // chat already listed the target: the old entry is dropped, not doubled.
    expect(result.deduplicated).toEqual(['chat']);
    // Only the changed entries differ: every other byte, comments included, is as it was.
    expect(result.text).toBe(
      config
        .replace(
          '[openrouter/google/gemini-2.0-flash-exp:free, ',
          '[openrouter/google/gemini-2.5-flash, ',
        )
        .replace('      - openrouter/google/gemini-2.0-flash-exp:free   # fast\n', ''),
    );
  });

  it('changes nothing when no route lists the model, and refuses text that is not YAML', () => {
    expect(rewriteRoutesText(config, 'ollama/none', 'ollama/other')).toEqual({
      text: config,
      routes: [],
      deduplicated: [],
    });
    expect(() => rewriteRoutesText('routes: [unclosed', 'a/b', 'a/c')).toThrow(/not valid YAML/);
  });

  it('drops an entry of a flow list with its comma, and keeps quoting', () => {
    const text = `routes:\n  a:\n    models: ["x/old", x/new]\n  b:\n    models: ['x/old']\n`;
    expect(rewriteRoutesText(text, 'x/old', 'x/new').text).toBe(
      `routes:\n  a:\n    models: [x/new]\n  b:\n    models: ['x/new']\n`,
    );
  });
});

describe('writeFileAtomically', () => {
  it('replaces the file whole and keeps the old one as .bak with its mode', () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'tta-rewrite-'));
    folders.push(folder);
    const file = path.join(folder, 'config.yaml');
    fs.writeFileSync(file, 'old: 1\n', { mode: 0o640 });
    const backup = writeFileAtomically(file, 'new: 2\n');
    expect(backup).toBe(`${file}.bak`);
    expect(fs.readFileSync(file, 'utf8')).toBe('new: 2\n');
    expect(fs.readFileSync(`${file}.bak`, 'utf8')).toBe('old: 1\n');
    expect(fs.statSync(file).mode & 0o777).toBe(0o640);
    expect(fs.readdirSync(folder).sort()).toEqual(['config.yaml', 'config.yaml.bak']);
  });
});
