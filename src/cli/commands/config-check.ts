import type { Command } from 'commander';
import { printJson, readConfig } from '../context.js';

/** `tta-models config check`: validates the configuration without starting anything. */
export function configCommand(program: Command): void {
  const config = program.command('config').description('inspect the configuration');
  config
    .command('check')
    .description('validate config.yaml and show what it configures')
    .option('-c, --config <file>', 'configuration file')
    .option('--json', 'print JSON on stdout')
    .action((options: { config?: string; json?: boolean }) => {
      const { config: loaded, file } = readConfig(options);
      const providers = loaded.providers.map((provider) => ({
        id: provider.id,
        type: provider.type,
        baseUrl: provider.baseUrl ?? '(default)',
        apiKey: provider.apiKey ? 'set' : 'not set',
      }));
      if (options.json) return printJson({ valid: true, file, server: loaded.server, providers });
      process.stdout.write(
        `${file} is valid: ${providers.length} provider(s), listening on ${loaded.server.host}:${loaded.server.port}\n`,
      );
      for (const provider of providers) {
        process.stdout.write(
          `  ${provider.id} (${provider.type}) ${provider.baseUrl}, API key ${provider.apiKey}\n`,
        );
      }
    });
}
