import type { Command } from 'commander';
import { openGateway, printJson } from '../context.js';
import { parsePositiveInteger } from '../parse-options.js';
import { printTable } from '../print-table.js';

/** `tta-models requests`: the most recent recorded requests. */
export function requestsCommand(program: Command): void {
  program
    .command('requests')
    .description('show recently recorded requests, newest first')
    .option('-n, --limit <count>', 'how many', parsePositiveInteger, 20)
    .option('-m, --model <name>', 'only this model')
    .option('-c, --config <file>', 'configuration file')
    .option('--json', 'print JSON on stdout')
    .action(async (options: { config?: string; limit: number; model?: string; json?: boolean }) => {
      const gateway = await openGateway(options);
      try {
        const requests = await gateway.storage.requests.recent({
          limit: options.limit,
          ...(options.model ? { model: options.model } : {}),
        });
        if (options.json) return printJson({ requests });
        printTable(
          ['WHEN', 'MODEL', 'STATUS', 'LATENCY', 'TOKENS'],
          requests.map((request) => [
            new Date(request.createdAt).toISOString(),
            request.model ?? request.requestedModel,
            String(request.status),
            `${Math.round(request.latencyMs)} ms`,
            request.completionTokens === null
              ? ''
              : `${request.promptTokens ?? 0}+${request.completionTokens}`,
          ]),
        );
      } finally {
        await gateway.close();
      }
    });
}
