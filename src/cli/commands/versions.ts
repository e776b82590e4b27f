import type { Command } from 'commander';
import { createGateway, type Gateway } from '../../gateway.js';
import type { VersionNoticeRecord } from '../../storage/index.js';
import { createLogger } from '../../telemetry/logger.js';
import type { PinChange } from '../../versions/model-versions.js';
import { cliActor } from '../cli-actor.js';
import { type ConfigOptions, printJson, readConfig } from '../context.js';
import { parsePositiveInteger } from '../parse-options.js';
import { printTable } from '../print-table.js';

interface Common extends ConfigOptions {
  json?: boolean;
}

/** A gateway that knows its config file (migration rewrites it). */
async function openVersionsGateway(options: ConfigOptions): Promise<Gateway> {
  const { config, paths, file } = readConfig(options);
  return createGateway({
    config,
    paths,
    configFile: file,
    logger: createLogger({ level: 'warn' }),
  });
}

/** Runs `work` on a gateway and closes it. */
async function withGateway<T>(
  options: ConfigOptions,
  work: (gateway: Gateway) => Promise<T>,
): Promise<T> {
  const gateway = await openVersionsGateway(options);
  try {
    return await work(gateway);
  } finally {
    await gateway.close();
  }
}

const when = (epochMs: number) => new Date(epochMs).toISOString().replace('T', ' ').slice(0, 16);
const shorten = (text: string, length: number) =>
  text.length > length ? `${text.slice(0, length - 1)}…` : text;
/** Labels end in what tells versions apart (card hash, digest): keep the end. */
const shortenLabel = (label: string, length: number) =>
  label.length > length ? `…${label.slice(label.length - length + 1)}` : label;

function printNotices(notices: readonly VersionNoticeRecord[]): void {
  printTable(
    ['WHEN', 'SEVERITY', 'KIND', 'SUMMARY'],
    notices.map((notice) => [when(notice.at), notice.severity, notice.kind, notice.summary]),
  );
}

function printPinChange(change: PinChange, verb: string): void {
  if (!change.changed) {
    process.stdout.write(
      `${change.pin?.subject} already pins ${change.pin?.model} ${change.pin?.label}; nothing changed.\n`,
    );
    return;
  }
  const from = change.previous ? `${change.previous.model} ${change.previous.label}` : 'nothing';
  const to = change.pin ? `${change.pin.model} ${change.pin.label}` : 'nothing (unpinned)';
  const subject = change.pin?.subject ?? change.previous?.subject ?? '';
  process.stdout.write(`${subject} ${verb}: ${from} → ${to}\n`);
  if (change.audit) {
    process.stdout.write(
      `audit ${change.audit.id}: ${change.audit.actor} at ${when(change.audit.at)}: "${change.audit.reason}"\n`,
    );
  }
}

/** `tta-models versions`: model versions, notices, pins, rollback, deprecations and migration. */
export function versionsCommand(program: Command): void {
  const versions = program
    .command('versions')
    .description(
      'model versions: change notices, pins, promote and rollback, deprecations, migration',
    );
  const configOption = ['-c, --config <file>', 'configuration file'] as const;

  versions
    .command('list')
    .description(
      'models with their served version, pins and retirement (those that matter; --all for every one)',
    )
    .option('--all', 'every model with a recorded version')
    .option('-m, --model <name>', 'only this model')
    .option('-p, --provider <id>', "only this provider's models")
    .option(...configOption)
    .option('--json', 'print JSON on stdout')
    .action(async (options: Common & { all?: boolean; model?: string; provider?: string }) =>
      withGateway(options, async (gateway) => {
        const models = await gateway.versions.list({
          ...(options.all ? { all: true } : {}),
          ...(options.model ? { model: options.model } : {}),
          ...(options.provider ? { provider: options.provider } : {}),
        });
        if (options.json) return printJson({ models });
        printTable(
          ['MODEL', 'SERVED VERSION', 'SINCE', 'VERSIONS', 'USED BY', 'STATUS'],
          models.map((entry) => [
            entry.model,
            entry.served ? shortenLabel(entry.served.label, 48) : '(gone)',
            entry.served ? when(entry.served.firstSeenAt) : '',
            String(entry.versions),
            entry.dependents.join(', '),
            [
              ...entry.pins
                .filter((pin) => !pin.served)
                .map((pin) => `${pin.subject} pins a version no longer served`),
              ...(entry.deprecation ? [entry.deprecation.timeline] : []),
            ].join('; ') || 'ok',
          ]),
        );
      }),
    );

  versions
    .command('show')
    .description('one model: every version with what changed, its pins, dependents and notices')
    .argument('<model>', '<provider>/<model>')
    .option(...configOption)
    .option('--json', 'print JSON on stdout')
    .action(async (model: string, options: Common) =>
      withGateway(options, async (gateway) => {
        const shown = await gateway.versions.show(model);
        if (options.json) return printJson(shown);
        process.stdout.write(`${shown.model}\n`);
        process.stdout.write(
          `  served:   ${shown.served ? `${shown.served.label} (${shown.served.id})` : 'nothing (gone from its listing)'}\n`,
        );
        process.stdout.write(`  used by:  ${shown.dependents.join(', ') || 'no route or pin'}\n`);
        if (shown.deprecation) {
          process.stdout.write(`  retires:  ${shown.deprecation.timeline}\n`);
          if (shown.deprecation.suggestion)
            process.stdout.write(
              `  move to:  ${shown.deprecation.suggestion.model} (${shown.deprecation.suggestion.reasons.join(', ')})\n`,
            );
        }
        process.stdout.write('\n');
        printTable(
          ['VERSION', 'LABEL', 'FIRST SEEN', 'STATE', 'CHANGES'],
          shown.versions.map((version) => [
            version.id,
            shortenLabel(version.label, 48),
            when(version.firstSeenAt),
            version.current
              ? 'served'
              : `retired ${version.retiredAt === null ? '' : when(version.retiredAt)}`,
            version.changeSummary ?? '(first seen)',
          ]),
        );
        if (shown.pins.length > 0) {
          process.stdout.write('\n');
          printTable(
            ['PINNED BY', 'VERSION', 'SERVED'],
            shown.pins.map((pin) => [pin.subject, pin.label, pin.served ? 'yes' : 'NO']),
          );
        }
      }),
    );

  versions
    .command('notices')
    .description('change, removal, deprecation and conflict notices, newest first')
    .option('-n, --limit <count>', 'how many', parsePositiveInteger, 20)
    .option('-m, --model <name>', 'only this model')
    .option(...configOption)
    .option('--json', 'print JSON on stdout')
    .action(async (options: Common & { limit: number; model?: string }) =>
      withGateway(options, async (gateway) => {
        const notices = await gateway.versions.notices({
          limit: options.limit,
          ...(options.model ? { model: options.model } : {}),
        });
        if (options.json) return printJson({ notices });
        printNotices(notices);
      }),
    );

  versions
    .command('check')
    .description('sync every catalog now and print the notices it produced')
    .option(...configOption)
    .option('--json', 'print JSON on stdout')
    .action(async (options: Common) =>
      withGateway(options, async (gateway) => {
        const since = Date.now();
        const sync = await gateway.catalog.sync();
        await gateway.versions.idle();
        const notices = await gateway.versions.notices({ since, limit: 1000 });
        if (options.json) return printJson({ sync, notices });
        for (const provider of sync.providers.filter((entry) => entry.status !== 'synced'))
          process.stderr.write(`${provider.error ?? `${provider.providerId}: not synced`}\n`);
        if (notices.length === 0) process.stdout.write('No model changed since the last sync.\n');
        else printNotices(notices);
        if (!sync.ok) process.exitCode = 1;
      }),
    );

  versions
    .command('pins')
    .description('pins in force (with a subject: its whole history)')
    .argument('[subject]', 'route:<name> or alias:<name>')
    .option(...configOption)
    .option('--json', 'print JSON on stdout')
    .action(async (subject: string | undefined, options: Common) =>
      withGateway(options, async (gateway) => {
        const pins = await gateway.versions.pins(subject ? { subject } : {});
        if (options.json) return printJson(pins);
        const rows = 'history' in pins && pins.history ? pins.history : pins.pins;
        printTable(
          ['SUBJECT', 'MODEL', 'VERSION', 'SERVED', 'ACTION', 'BY', 'WHEN', 'WHY', 'IN FORCE'],
          rows.map((pin) => [
            pin.subject,
            pin.model,
            shortenLabel(pin.label, 40),
            pin.served ? 'yes' : 'NO',
            pin.action,
            pin.actor,
            when(pin.at),
            shorten(pin.reason, 40),
            pin.active ? 'yes' : '',
          ]),
        );
      }),
    );

  versions
    .command('pin')
    .description(
      'pin a route or alias to a served version of a model (default: the one served now)',
    )
    .argument('<subject>', 'route:<name> (a route of config.yaml) or alias:<name>')
    .argument('<model>', '<provider>/<model>')
    .option('--version <version>', 'a version id (or a unique part of it); default: the served one')
    .requiredOption('-r, --reason <why>', 'why: recorded in the audit log')
    .option(...configOption)
    .option('--json', 'print JSON on stdout')
    .action(
      async (
        subject: string,
        model: string,
        options: Common & { version?: string; reason: string },
      ) =>
        withGateway(options, async (gateway) => {
          const change = await gateway.versions.pin({
            subject,
            model,
            reason: options.reason,
            by: cliActor(),
            ...(options.version ? { version: options.version } : {}),
          });
          if (options.json) return printJson(change);
          printPinChange(change, 'pinned');
        }),
    );

  versions
    .command('promote')
    .description(
      "move a pin to its model's served version, or to another model of the route (--to)",
    )
    .argument('<subject>', 'route:<name> or alias:<name>')
    .option('--to <model>', 'another model of the route')
    .option('--version <version>', 'a version id (default: the served one)')
    .requiredOption('-r, --reason <why>', 'why: recorded in the audit log')
    .option(
      '--skip-benchmark',
      'promote without the benchmark versions.requireBenchmark asks for (recorded)',
    )
    .option(...configOption)
    .option('--json', 'print JSON on stdout')
    .action(
      async (
        subject: string,
        options: Common & {
          to?: string;
          version?: string;
          reason: string;
          skipBenchmark?: boolean;
        },
      ) =>
        withGateway(options, async (gateway) => {
          const change = await gateway.versions.promote({
            subject,
            reason: options.reason,
            by: cliActor(),
            ...(options.to ? { to: options.to } : {}),
            ...(options.version ? { version: options.version } : {}),
            ...(options.skipBenchmark ? { skipBenchmark: true } : {}),
          });
          if (options.json) return printJson(change);
          printPinChange(change, 'promoted');
        }),
    );

  versions
    .command('rollback')
    .description('return a route or alias to its previous pin, in one step')
    .argument('<subject>', 'route:<name> or alias:<name>')
    .requiredOption('-r, --reason <why>', 'why: recorded in the audit log')
    .option(...configOption)
    .option('--json', 'print JSON on stdout')
    .action(async (subject: string, options: Common & { reason: string }) =>
      withGateway(options, async (gateway) => {
        const change = await gateway.versions.rollback({
          subject,
          reason: options.reason,
          by: cliActor(),
        });
        if (options.json) return printJson(change);
        printPinChange(change, 'rolled back');
      }),
    );

  versions
    .command('unpin')
    .description('remove a pin (a route serves its config order again)')
    .argument('<subject>', 'route:<name> or alias:<name>')
    .requiredOption('-r, --reason <why>', 'why: recorded in the audit log')
    .option(...configOption)
    .option('--json', 'print JSON on stdout')
    .action(async (subject: string, options: Common & { reason: string }) =>
      withGateway(options, async (gateway) => {
        const change = await gateway.versions.unpin({
          subject,
          reason: options.reason,
          by: cliActor(),
        });
        if (options.json) return printJson(change);
        printPinChange(change, 'unpinned');
      }),
    );

  versions
    .command('deprecations')
    .description('models that retire or are gone: timeline, what uses them, where to move them')
    .option(...configOption)
    .option('--json', 'print JSON on stdout')
    .action(async (options: Common) =>
      withGateway(options, async (gateway) => {
        const deprecations = await gateway.versions.deprecations();
        if (options.json) return printJson({ deprecations });
        printTable(
          ['MODEL', 'TIMELINE', 'USED BY', 'SUGGESTED TARGET'],
          deprecations.map((entry) => [
            entry.model,
            entry.timeline,
            entry.dependents.join(', ') || '-',
            entry.suggestion ? entry.suggestion.model : '(none in the catalog)',
          ]),
        );
        for (const entry of deprecations.filter((candidate) => candidate.command))
          process.stdout.write(`\nto migrate ${entry.model}:\n  ${entry.command}\n`);
      }),
    );

  versions
    .command('migrate')
    .description('move every route of config.yaml and every pin from one model to another')
    .argument('<model>', 'the model to move away from')
    .requiredOption('--to <model>', 'the model to move to')
    .requiredOption('-r, --reason <why>', 'why: recorded in the audit log')
    .option('--dry-run', 'say what would change, change nothing')
    .option(...configOption)
    .option('--json', 'print JSON on stdout')
    .action(
      async (from: string, options: Common & { to: string; reason: string; dryRun?: boolean }) =>
        withGateway(options, async (gateway) => {
          const result = await gateway.versions.migrate({
            from,
            to: options.to,
            reason: options.reason,
            by: cliActor(),
            ...(options.dryRun ? { dryRun: true } : {}),
          });
          if (options.json) return printJson(result);
          const verb = result.dryRun ? 'would move' : 'moved';
          process.stdout.write(
            `${verb} ${from} → ${result.to}: routes ${result.routes.join(', ') || 'none'} in ${result.configFile}; pins ${result.pins.map((pin) => pin.subject).join(', ') || 'none'}\n`,
          );
          if (result.backup) process.stdout.write(`the old config is kept as ${result.backup}\n`);
          for (const note of result.notes) process.stdout.write(`note: ${note}\n`);
        }),
    );

  versions
    .command('conflicts')
    .description('version conflicts with the steps to resolve them (exits 1 while some need you)')
    .option('--resolve', 'apply the safe resolutions now (they also run after every sync)')
    .option(...configOption)
    .option('--json', 'print JSON on stdout')
    .action(async (options: Common & { resolve?: boolean }) =>
      withGateway(options, async (gateway) => {
        const report = await gateway.versions.conflicts(
          options.resolve ? { resolve: true, by: cliActor() } : {},
        );
        const needYou = report.unresolved.filter((conflict) => !conflict.autoResolvable);
        if (needYou.length > 0) process.exitCode = 1;
        if (options.json) return printJson(report);
        for (const conflict of report.resolved)
          process.stdout.write(`resolved: ${conflict.resolution?.summary ?? conflict.message}\n`);
        for (const conflict of report.unresolved) {
          process.stdout.write(`\n${conflict.kind}: ${conflict.message}\n`);
          if (conflict.autoResolvable)
            process.stdout.write(
              `  safe to resolve automatically: ${conflict.resolution?.summary} (--resolve)\n`,
            );
          for (const step of conflict.steps) process.stdout.write(`  - ${step}\n`);
        }
        if (report.resolved.length === 0 && report.unresolved.length === 0)
          process.stdout.write('No version conflicts.\n');
      }),
    );

  versions
    .command('audit')
    .description('who changed pins and routes, when and why, newest first')
    .option('-n, --limit <count>', 'how many', parsePositiveInteger, 20)
    .option('-s, --subject <subject>', 'only this route, alias or model')
    .option(...configOption)
    .option('--json', 'print JSON on stdout')
    .action(async (options: Common & { limit: number; subject?: string }) =>
      withGateway(options, async (gateway) => {
        const entries = await gateway.versions.audit({
          limit: options.limit,
          ...(options.subject ? { subject: options.subject } : {}),
        });
        if (options.json) return printJson({ entries });
        printTable(
          ['WHEN', 'WHO', 'VIA', 'ACTION', 'SUBJECT', 'WHY'],
          entries.map((entry) => [
            when(entry.at),
            entry.actor,
            entry.channel,
            entry.action,
            entry.subject,
            shorten(entry.reason, 60),
          ]),
        );
      }),
    );
}
