import type { Command } from 'commander';
import { openGateway, printJson } from '../context.js';
import { parsePositiveInteger } from '../parse-options.js';
import { printTable } from '../print-table.js';

/** `tta-models incidents`: what the gateway did about failing models, newest first. */
export function incidentsCommand(program: Command): void {
  program
    .command('incidents')
    .description('switches, breaker changes and key invalidations, newest first')
    .option('-n, --limit <count>', 'how many', parsePositiveInteger, 20)
    .option('-m, --model <name>', 'only this model')
    .option('-c, --config <file>', 'configuration file')
    .option('--json', 'print JSON on stdout')
    .action(async (options: { limit: number; model?: string; config?: string; json?: boolean }) => {
      const gateway = await openGateway(options);
      try {
        const incidents = await gateway.storage.incidents.recent({
          limit: options.limit,
          ...(options.model ? { model: options.model } : {}),
        });
        if (options.json) return printJson({ incidents });
        printTable(
          ['WHEN', 'MODEL', 'WHAT', 'CAUSE', 'ACTION'],
          incidents.map((incident) => [
            new Date(incident.at).toISOString().replace('T', ' ').slice(0, 19),
            incident.model,
            incident.kind,
            incident.cause.length > 80 ? `${incident.cause.slice(0, 77)}...` : incident.cause,
            incident.action,
          ]),
        );
      } finally {
        await gateway.close();
      }
    });
}
