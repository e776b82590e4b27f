import type { Command } from 'commander';
import { openGateway, printJson } from '../context.js';
import { printTable } from '../print-table.js';

/** `tta-models select --task t [--explain]`: which model a task goes to, and why. */
export function selectCommand(program: Command): void {
  program
    .command('select')
    .description('show which models a therapeutic task goes to (the fallback chain), and why')
    .requiredOption('-t, --task <task>', 'e.g. narrative_generation, crisis_screening')
    .option('--explain', 'also list runners-up with their scores and excluded models with reasons')
    .option('--local-only', 'only models on this machine')
    .option('--free-only', 'only free models')
    .option('--favourite <model>', 'put this model first when it qualifies')
    .option('-c, --config <file>', 'configuration file')
    .option('--json', 'print JSON on stdout')
    .action(
      async (options: {
        task: string;
        explain?: boolean;
        localOnly?: boolean;
        freeOnly?: boolean;
        favourite?: string;
        config?: string;
        json?: boolean;
      }) => {
        const gateway = await openGateway(options);
        try {
          const selection = await gateway.selection.select(options.task, 'operator', {
            ...(options.localOnly ? { localOnly: true } : {}),
            ...(options.freeOnly ? { freeOnly: true } : {}),
            ...(options.favourite ? { favourite: options.favourite } : {}),
          });
          const chain = selection.ranked
            .slice(0, gateway.config.selection.chainLength)
            .map((model) => model.model);
          if (options.json) return printJson({ chain, ...selection });
          if (chain.length === 0) {
            process.exitCode = 1;
            process.stderr.write(`No model can serve ${options.task}; every model was excluded:\n`);
          } else {
            process.stdout.write(`${options.task} → ${chain.join(' → ')}\n`);
          }
          if (options.explain || chain.length === 0) {
            if (selection.ranked.length > 0) {
              process.stdout.write('\nRanked:\n');
              printTable(
                ['MODEL', 'SCORE', 'QUALITY', 'LATENCY', 'COST', 'HEALTH', 'BASIS'],
                selection.ranked.map((model) => [
                  model.model,
                  model.score.toFixed(3),
                  model.parts.quality.toFixed(2),
                  model.parts.latency.toFixed(2),
                  model.parts.cost.toFixed(2),
                  model.parts.health.toFixed(2),
                  model.basis.join('; '),
                ]),
              );
            }
            if (selection.excluded.length > 0) {
              process.stdout.write('\nExcluded:\n');
              printTable(
                ['MODEL', 'WHY'],
                selection.excluded.map((model) => [model.model, model.reasons.join('; ')]),
              );
            }
          }
        } finally {
          await gateway.close();
        }
      },
    );
}
