import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { parseDuration } from '../../access/token-expiry.js';
import type { AuditChannel } from '../../storage/index.js';
import { openGateway, printJson } from '../context.js';
import { parsePositiveInteger } from '../parse-options.js';
import { printTable } from '../print-table.js';

/** `--since`/`--until`: ISO 8601, epoch milliseconds, or a span back from now (`7d`, `12h`). */
function parseInstant(text: string): number {
  const at = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  if (Number.isFinite(at)) return at;
  try {
    return Date.now() - parseDuration(text);
  } catch {
    throw new InvalidArgumentError(
      'expected ISO 8601, epoch milliseconds, or a span back from now like 7d or 12h.',
    );
  }
}

function parseChannel(text: string): AuditChannel {
  if (text === 'api' || text === 'cli' || text === 'system') return text;
  throw new InvalidArgumentError('expected api, cli or system.');
}

/** `tta-models audit`: who changed what through the API or the CLI, when and why. */
export function auditCommand(program: Command): void {
  program
    .command('audit')
    .description(
      'administrative changes, newest first: users, keys, setup, preferences, alerts, pins (secrets are never recorded)',
    )
    .option('-a, --action <action>', 'only this action, or a prefix ending in * (users.*)')
    .option('--actor <actor>', 'only changes by this actor')
    .option('--channel <channel>', 'only through api, cli or system', parseChannel)
    .option('-s, --subject <subject>', 'only this subject, e.g. user:ada')
    .option('--since <when>', 'from then: ISO 8601, epoch ms, or back from now (7d)', parseInstant)
    .option('--until <when>', 'before then', parseInstant)
    .option('-n, --limit <count>', 'how many', parsePositiveInteger, 50)
    .option('-c, --config <file>', 'configuration file')
    .option('--json', 'print JSON on stdout')
    .action(
      async (options: {
        action?: string;
        actor?: string;
        channel?: AuditChannel;
        subject?: string;
        since?: number;
        until?: number;
        limit: number;
        config?: string;
        json?: boolean;
      }) => {
        const gateway = await openGateway(options);
        try {
          const entries = await gateway.storage.audit.list({
            limit: options.limit,
            ...(options.action === undefined ? {} : { action: options.action }),
            ...(options.actor === undefined ? {} : { actor: options.actor }),
            ...(options.channel === undefined ? {} : { channel: options.channel }),
            ...(options.subject === undefined ? {} : { subject: options.subject }),
            ...(options.since === undefined ? {} : { since: options.since }),
            ...(options.until === undefined ? {} : { until: options.until }),
          });
          if (options.json) return printJson({ entries });
          printTable(
            ['WHEN', 'ACTOR', 'CHANNEL', 'ACTION', 'SUBJECT', 'REASON'],
            entries.map((entry) => [
              new Date(entry.at).toISOString().replace('T', ' ').slice(0, 19),
              entry.actor,
              entry.channel,
              entry.action,
              entry.subject,
              entry.reason,
            ]),
          );
        } finally {
          await gateway.close();
        }
      },
    );
}
