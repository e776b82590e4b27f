import type { Command } from 'commander';
import { createGateway } from '../../gateway.js';
import { serve } from '../../server/serve.js';
import { redactDatabaseUrl } from '../../storage/index.js';
import { createLogger } from '../../telemetry/logger.js';
import { readConfig } from '../context.js';
import { parsePort } from '../parse-options.js';
import { tuneHeapForServing } from '../tune-heap.js';

/** `tta-models serve`: the gateway, its API and dashboard, until SIGINT/SIGTERM. */
export function serveCommand(program: Command): void {
  program
    .command('serve')
    .description('start the gateway (OpenAI-compatible API, management API, dashboard)')
    .option('-c, --config <file>', 'configuration file (default: $TTA_MODELS_HOME/config.yaml)')
    .option('-p, --port <port>', 'port to listen on (default: server.port, 8787)', parsePort)
    .option('-H, --host <host>', 'address to listen on (default: server.host, 127.0.0.1)')
    .action(async (options: { config?: string; port?: number; host?: string }) => {
      tuneHeapForServing();
      const { config, paths, file } = readConfig(options);
      const logger = createLogger({ level: config.log.level });
      const gateway = await createGateway({ config, paths, logger, configFile: file });
      const host = options.host ?? config.server.host;
      const port = options.port ?? config.server.port;
      let server: Awaited<ReturnType<typeof serve>>;
      try {
        server = await serve(gateway, { host, port });
      } catch (error) {
        await gateway.close();
        throw error;
      }
      const lines = [
        `tta-models is listening on ${server.url}`,
        `  OpenAI base URL  ${server.url}/v1`,
        `  dashboard        ${server.url}/`,
        `  API reference    ${server.url}/docs`,
        `  config           ${file}`,
        `  data             ${paths.home}`,
        `  database         ${config.database.url ? redactDatabaseUrl(config.database.url) : paths.databaseFile}`,
      ];
      if (gateway.access.createdAdminToken) {
        lines.push(
          '',
          'Admin token for /api and the dashboard (shown this once; only its hash is stored):',
          `  ${gateway.access.createdAdminToken}`,
        );
      }
      process.stderr.write(`${lines.join('\n')}\n`);
      logger.info({ url: server.url, providers: gateway.providers.size }, 'listening');

      const shutdown = (signal: string) => {
        logger.info({ signal }, 'shutting down: finishing in-flight requests');
        server.close().then(
          () => process.exit(0),
          (error: unknown) => {
            logger.error({ err: error }, 'shutdown failed');
            process.exit(1);
          },
        );
      };
      process.once('SIGINT', shutdown);
      process.once('SIGTERM', shutdown);
    });
}
