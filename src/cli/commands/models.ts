import type { Command } from 'commander';
import { openGateway, printJson } from '../context.js';
import { printTable } from '../print-table.js';

/** `tta-models models`: every model of every configured provider. */
export function modelsCommand(program: Command): void {
  program
    .command('models')
    .description('list the models of every configured provider')
    .option('-c, --config <file>', 'configuration file')
    .option('--json', 'print JSON on stdout')
    .action(async (options: { config?: string; json?: boolean }) => {
      const gateway = await openGateway(options);
      try {
        const listings = await gateway.models.all();
        const models = listings.flatMap((listing) =>
          listing.models.map((model) => ({ name: `${listing.providerId}/${model.id}`, ...model })),
        );
        const problems = listings
          .filter((listing) => listing.error)
          .map((listing) => ({ providerId: listing.providerId, error: listing.error }));
        if (options.json) return printJson({ models, problems });
        printTable(
          ['MODEL', 'CONTEXT'],
          models.map((model) => [
            model.name,
            model.contextLength ? String(model.contextLength) : '',
          ]),
        );
        for (const problem of problems)
          process.stderr.write(`warning: ${problem.providerId}: ${problem.error}\n`);
      } finally {
        await gateway.close();
      }
    });
}
