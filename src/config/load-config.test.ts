import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { loadConfig, parseConfig } from './load-config.js';
import { starterConfig } from './starter-config.js';

function problemsOf(action: () => unknown): string[] {
  try {
    action();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('fills defaults for an empty file', () => {
    const config = parseConfig('', 'config.yaml');
    expect(config.server).toEqual({
      host: '127.0.0.1',
      port: 8787,
      bodyLimitBytes: 4 * 1024 * 1024,
    });
    expect(config.providers).toEqual([]);
    expect(config.auth.apiKeys).toEqual([]);
  });

  it('reads providers and interpolates environment variables, with defaults', () => {
    const config = parseConfig(
      [
        'providers:',
        '  - id: openrouter',
        '    type: openrouter',
        '    apiKey: ${OPENROUTER_API_KEY}',
        '  - id: local',
        '    type: openai-compatible',
        '    baseUrl: ${LLAMA_URL:-http://127.0.0.1:8080/v1}',
        '    models: [tiny]',
      ].join('\n'),
      'config.yaml',
      { OPENROUTER_API_KEY: 'sk-or-secret' },
    );
    expect(config.providers).toEqual([
      { id: 'openrouter', type: 'openrouter', apiKey: 'sk-or-secret' },
      {
        id: 'local',
        type: 'openai-compatible',
        baseUrl: 'http://127.0.0.1:8080/v1',
        models: ['tiny'],
      },
    ]);
  });

  it('keeps $${...} literal', () => {
    const config = parseConfig(
      'providers: [{id: a, type: ollama, headers: {x: "$${NOT_A_VAR}"}}]',
      'c.yaml',
      {},
    );
    expect(config.providers[0]?.headers).toEqual({ x: '${NOT_A_VAR}' });
  });

  it('names the path of every unset variable', () => {
    const problems = problemsOf(() =>
      parseConfig(
        'providers: [{id: a, type: anthropic, apiKey: "${ANTHROPIC_API_KEY}"}]',
        'c.yaml',
        {},
      ),
    );
    expect(problems).toEqual([
      'providers[0].apiKey: environment variable ANTHROPIC_API_KEY is not set (export it, or write ${ANTHROPIC_API_KEY:-default})',
    ]);
  });

  it('names the file, the path and what is expected', () => {
    const text =
      'server: {port: "eighty"}\nproviders:\n  - id: Bad Id\n    type: openai\n    colour: blue\n';
    let error: unknown;
    try {
      parseConfig(text, '/etc/tta/config.yaml');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain('/etc/tta/config.yaml');
    expect(message).toMatch(/server\.port: .*number/);
    expect(message).toMatch(/providers\[0\]\.id: use lower-case letters/);
    expect(message).toContain(
      'providers[0].type: expected one of "openai-compatible" | "openrouter"',
    );
    expect(message).toContain('providers[0]: unknown field(s) "colour"');
  });

  it('keeps the SQLite file unless database.url names a PostgreSQL database', () => {
    expect(parseConfig('', 'c.yaml').database).toEqual({
      poolSize: 10,
      busyTimeoutMs: 5_000,
      keepRequestsDays: 90,
    });
    const unset = parseConfig('database: { url: "${DATABASE_URL:-}" }', 'c.yaml', {});
    expect(unset.database.url).toBeUndefined();
    const shared = parseConfig('database: { url: "${DATABASE_URL}", poolSize: 4 }', 'c.yaml', {
      DATABASE_URL: 'postgres://tta:secret@db.internal:5432/tta_models',
    });
    expect(shared.database).toEqual({
      url: 'postgres://tta:secret@db.internal:5432/tta_models',
      poolSize: 4,
      busyTimeoutMs: 5_000,
      keepRequestsDays: 90,
    });
    expect(
      problemsOf(() => parseConfig('database: { url: "mysql://root@db/tta" }', 'c.yaml')),
    ).toEqual([expect.stringMatching(/^database\.url: use a postgres:\/\/ URL/)]);
    expect(problemsOf(() => parseConfig('database: { keepRequestsDays: 0 }', 'c.yaml'))).toEqual([
      expect.stringMatching(/^database\.keepRequestsDays: /),
    ]);
  });

  it('refuses two providers with one id', () => {
    expect(
      problemsOf(() =>
        parseConfig('providers: [{id: a, type: ollama}, {id: a, type: openrouter}]', 'c.yaml'),
      ),
    ).toEqual(['providers: the id "a" is used twice; each provider needs its own id']);
  });

  it('asks for the baseUrl of an openai-compatible provider', () => {
    expect(
      problemsOf(() => parseConfig('providers: [{id: lm, type: openai-compatible}]', 'c.yaml')),
    ).toEqual([
      'providers[0].baseUrl: an openai-compatible provider needs a baseUrl (e.g. http://127.0.0.1:8080/v1)',
    ]);
  });

  it('reports YAML syntax errors', () => {
    expect(problemsOf(() => parseConfig('providers: [\n  - id: a', 'c.yaml'))[0]).toMatch(
      /^YAML syntax: /,
    );
  });

  it('says when the file is missing', () => {
    const missing = path.join(os.tmpdir(), 'no-such-dir', 'config.yaml');
    expect(problemsOf(() => loadConfig(missing))).toEqual(['cannot read it: file not found']);
  });

  it('accepts the starter config on a machine without provider keys', () => {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'tta-config-'));
    const file = path.join(directory, 'config.yaml');
    fs.writeFileSync(file, starterConfig);
    const { config } = loadConfig(file, {});
    expect(config.providers.map((provider) => [provider.id, provider.apiKey])).toEqual([
      ['ollama', undefined],
      ['openrouter', undefined],
    ]);
    expect(config.providers[0]?.baseUrl).toBe('http://127.0.0.1:11434');
  });
});
