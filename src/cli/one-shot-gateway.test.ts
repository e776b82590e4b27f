import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, expect, it } from 'vitest';
import { describeEachDialect } from '../../testkit/storage-dialects.js';
import { createGateway, type Gateway } from '../gateway.js';
import { createLogger } from '../telemetry/logger.js';
import { openGateway, readConfig } from './context.js';

describeEachDialect(
  'gateways on shared PostgreSQL',
  (database) => {
    const opened: Gateway[] = [];
    const homes: string[] = [];
    const previousHome = process.env.TTA_MODELS_HOME;
    afterEach(async () => {
      for (const gateway of opened.splice(0)) await gateway.close();
      for (const home of homes.splice(0)) fs.rmSync(home, { recursive: true, force: true });
      if (previousHome === undefined) delete process.env.TTA_MODELS_HOME;
      else process.env.TTA_MODELS_HOME = previousHome;
    });

    it('a one-shot CLI command opens no listening connection; a served gateway does', async () => {
      const location = await database.newLocation();
      const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tta-one-shot-'));
      homes.push(home);
      process.env.TTA_MODELS_HOME = home;
      const file = path.join(home, 'config.yaml');
      fs.writeFileSync(file, `database:\n  url: ${location.url}\nproviders: []\n`);
      const listening = async () => {
        const [row] = await database.query<{ count: number }>(
          location,
          "select count(*)::int as count from pg_stat_activity where application_name = 'tta-models-changes' and datname = current_database()",
        );
        return row?.count;
      };

      opened.push(await openGateway({ config: file }));
      await sleep(1_500);
      expect(await listening()).toBe(0);

      const { config, paths } = readConfig({ config: file });
      opened.push(
        await createGateway({ config, paths, logger: createLogger({ level: 'silent' }) }),
      );
      await expect.poll(listening, { timeout: 5_000 }).toBe(1);
    });
  },
  { only: ['postgres'] },
);
