import type { Command } from 'commander';
import type { AlertRecord } from '../../storage/index.js';
import { cliActor } from '../cli-actor.js';
import { openGateway, printJson } from '../context.js';
import { parsePositiveInteger } from '../parse-options.js';
import { formatTable } from './bench-tables.js';

/** The text of an alert's suggestion, when it has one. */
function suggestionText(alert: AlertRecord): string {
  const suggestion = alert.suggestion as { text?: unknown } | null;
  return typeof suggestion?.text === 'string' ? suggestion.text : '';
}

/** `tta-models alerts`: threshold alerts and what to do about them. */
export function alertsCommand(program: Command): void {
  program
    .command('alerts')
    .description('threshold alerts (latency, errors, safety, cost) with suggestions, newest first')
    .option('--all', 'cleared alerts too (default: open ones)')
    .option('--evaluate', 'evaluate the rules now first')
    .option('-n, --limit <count>', 'how many', parsePositiveInteger, 50)
    .option('-m, --model <name>', 'only this model')
    .option('-c, --config <file>', 'configuration file')
    .option('--json', 'print JSON on stdout')
    .action(
      async (options: {
        all?: boolean;
        evaluate?: boolean;
        limit: number;
        model?: string;
        config?: string;
        json?: boolean;
      }) => {
        const gateway = await openGateway(options);
        try {
          if (options.evaluate) {
            const evaluation = await gateway.benchmarks.alerts.evaluate();
            await gateway.storage.audit.add({
              ...cliActor(),
              action: 'alerts.evaluate',
              subject: 'alerts',
              reason: '',
              detail: {
                opened: evaluation.opened.map((alert) => alert.id),
                cleared: evaluation.cleared.map((alert) => alert.id),
              },
            });
          }
          const alerts = await gateway.benchmarks.alerts.list({
            limit: options.limit,
            ...(options.all ? {} : { status: 'open' as const }),
            ...(options.model ? { model: options.model } : {}),
          });
          if (options.json) return printJson({ alerts });
          if (alerts.length === 0) {
            process.stdout.write(options.all ? '(no alerts)\n' : '(no open alerts)\n');
            return;
          }
          const lines = formatTable(
            ['OPENED', 'STATUS', 'MODEL', 'TASK', 'WHAT'],
            alerts.map((alert) => [
              new Date(alert.openedAt).toISOString().replace('T', ' ').slice(0, 19),
              alert.status,
              alert.model,
              alert.task ?? '*',
              alert.message,
            ]),
          );
          const suggestions = alerts.flatMap((alert) => {
            const text = suggestionText(alert);
            return text ? [`  ${alert.model}: ${text}`] : [];
          });
          process.stdout.write(
            `${[...lines, ...(suggestions.length > 0 ? ['', 'Suggestions:', ...suggestions] : [])].join('\n')}\n`,
          );
        } finally {
          await gateway.close();
        }
      },
    );
}
