import type { Command } from 'commander';
import { openGateway, printJson } from '../context.js';
import { printTable } from '../print-table.js';

/** `tta-models providers`: each configured provider and whether it answers. */
export function providersCommand(program: Command): void {
  program
    .command('providers')
    .description('check every configured provider and show its health')
    .option('-c, --config <file>', 'configuration file')
    .option('--json', 'print JSON on stdout')
    .action(async (options: { config?: string; json?: boolean }) => {
      const gateway = await openGateway(options);
      try {
        const health = await gateway.health();
        if (options.json) return printJson({ providers: health });
        printTable(
          ['PROVIDER', 'TYPE', 'HEALTH', 'LATENCY'],
          health.map((report) => [
            report.providerId,
            report.type,
            report.ok ? 'up' : `down: ${report.message ?? 'no answer'}`,
            `${Math.round(report.latencyMs)} ms`,
          ]),
        );
      } finally {
        await gateway.close();
      }
    });
}
