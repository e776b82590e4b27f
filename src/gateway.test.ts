import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeUpstream, startFakeUpstream } from '../testkit/fake-upstream.js';
import { configSchema } from './config/config-schema.js';
import { resolveHome } from './config/home.js';
import { createGateway } from './gateway.js';

const secret = 'sk-vault-referenced-key-0123456789';
let home: string;
let fake: FakeUpstream;

function gatewayWith(apiKey: string) {
  return createGateway({
    config: configSchema.parse({
      providers: [{ id: 'up', type: 'openai-compatible', baseUrl: fake.baseUrl, apiKey }],
    }),
    paths: resolveHome({ TTA_MODELS_HOME: home }),
    env: { TTA_MODELS_ADMIN_TOKEN: 'admin-token-for-tests' },
    logger: pino({ level: 'silent' }),
  });
}

beforeAll(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'tta-gateway-'));
  fake = await startFakeUpstream({ flavor: 'openai', expectApiKey: secret });
});
afterAll(async () => {
  await fake.close();
  fs.rmSync(home, { recursive: true, force: true });
});

describe('createGateway', () => {
  it('reads a provider key from the vault when the config says apiKey: vault:<id>', async () => {
    const first = await gatewayWith('placeholder-key');
    const key = await first.vault.add({ owner: 'operator', providerId: 'up', secret });
    await first.close();

    const gateway = await gatewayWith(`vault:${key.id}`);
    try {
      const { completion } = await gateway.chat.complete(
        { model: 'up/gpt-4o', messages: [{ role: 'user', content: 'Hi' }] },
        { requestId: 'r1', signal: new AbortController().signal },
      );
      expect(completion.choices[0]?.message.content).toBeTruthy();
      expect(fake.requests.at(-1)?.headers.authorization).toBe(`Bearer ${secret}`);
    } finally {
      await gateway.close();
    }
  });

  it('refuses to start on a vault reference to a key that does not exist', async () => {
    await expect(gatewayWith('vault:key_missing')).rejects.toThrow(
      /provider "up": apiKey refers to vault key "key_missing", which does not exist/,
    );
  });
});
