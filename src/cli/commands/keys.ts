import type { Command } from 'commander';
import { cliActor } from '../cli-actor.js';
import { openGateway, printJson } from '../context.js';
import { printTable } from '../print-table.js';
import { readSecret } from '../read-secret.js';

function when(epochMs: number | null): string {
  return epochMs === null ? '' : new Date(epochMs).toISOString().replace('T', ' ').slice(0, 16);
}

/** `tta-models keys`: provider API keys in the encrypted vault. */
export function keysCommand(program: Command): void {
  const keys = program
    .command('keys')
    .description('provider API keys, encrypted in the vault (secrets are never shown)');

  keys
    .command('add')
    .description(
      'check a key with its provider and store it encrypted (the key is read from a hidden prompt or stdin)',
    )
    .argument('<provider>', 'a provider id from config.yaml, e.g. openrouter')
    .option('-l, --label <label>', 'a name to recognise the key by')
    .option('--owner <owner>', 'a user id, or "operator" (default) for a key shared by everyone')
    .option('--skip-validation', 'save without asking the provider (when it cannot be reached)')
    .option('-r, --reason <why>', 'why: recorded in the audit log')
    .option('-c, --config <file>', 'configuration file')
    .option('--json', 'print JSON on stdout')
    .action(
      async (
        providerId: string,
        options: {
          config?: string;
          label?: string;
          owner?: string;
          skipValidation?: boolean;
          reason?: string;
          json?: boolean;
        },
      ) => {
        const gateway = await openGateway(options);
        try {
          const secret = await readSecret(`API key for ${providerId}`);
          const { key, validation } = await gateway.keys.add({
            providerId,
            secret,
            owner: options.owner ?? 'operator',
            ...(options.label ? { label: options.label } : {}),
            ...(options.skipValidation ? { skipValidation: true } : {}),
          });
          await gateway.storage.audit.add({
            ...cliActor(),
            action: 'keys.add',
            subject: `key:${key.id}`,
            reason: options.reason ?? '',
            detail: {
              providerId: key.providerId,
              owner: key.owner,
              label: key.label,
              status: key.status,
            },
          });
          if (options.json) return printJson({ key, validation });
          process.stdout.write(
            `Saved ${key.id} for ${key.providerId} (…${key.last4}): ${validation?.message ?? 'not checked'}\n`,
          );
        } finally {
          await gateway.close();
        }
      },
    );

  keys
    .command('list')
    .description('every key: provider, owner, label, last 4 characters, status, last use')
    .option('--owner <owner>', "only this owner's keys")
    .option('-c, --config <file>', 'configuration file')
    .option('--json', 'print JSON on stdout')
    .action(async (options: { config?: string; owner?: string; json?: boolean }) => {
      const gateway = await openGateway(options);
      try {
        const list = await gateway.keys.list(options.owner);
        if (options.json) return printJson({ keys: list });
        printTable(
          ['ID', 'PROVIDER', 'OWNER', 'LABEL', 'KEY', 'STATUS', 'LAST USED'],
          list.map((key) => [
            key.id,
            key.providerId,
            key.owner,
            key.label ?? '',
            `…${key.last4}`,
            key.status,
            when(key.lastUsedAt),
          ]),
        );
        for (const key of list.filter(
          (candidate) => candidate.status === 'invalid' || candidate.status === 'out_of_credit',
        )) {
          process.stdout.write(`\n${key.id}: ${key.statusMessage ?? key.status}\n`);
        }
      } finally {
        await gateway.close();
      }
    });

  keys
    .command('validate')
    .description('check stored keys with their providers again (all keys when no id is given)')
    .argument('[id]', 'a key id from `keys list`')
    .option('-c, --config <file>', 'configuration file')
    .option('--json', 'print JSON on stdout')
    .action(async (id: string | undefined, options: { config?: string; json?: boolean }) => {
      const gateway = await openGateway(options);
      try {
        const ids = id ? [id] : (await gateway.keys.list()).map((key) => key.id);
        const results = [];
        for (const each of ids) results.push(await gateway.keys.revalidate(each));
        if (options.json) return printJson({ results });
        printTable(
          ['ID', 'PROVIDER', 'STATUS', 'WHAT THE PROVIDER SAID'],
          results.map(({ key, validation }) => [
            key.id,
            key.providerId,
            key.status,
            validation?.message ?? '',
          ]),
        );
        if (results.some(({ key }) => key.status !== 'valid')) process.exitCode = 1;
      } finally {
        await gateway.close();
      }
    });

  keys
    .command('remove')
    .description('delete a key from the vault')
    .argument('<id>', 'a key id from `keys list`')
    .option('-r, --reason <why>', 'why: recorded in the audit log')
    .option('-c, --config <file>', 'configuration file')
    .option('--json', 'print JSON on stdout')
    .action(async (id: string, options: { config?: string; json?: boolean; reason?: string }) => {
      const gateway = await openGateway(options);
      try {
        const removed = await gateway.keys.remove(id);
        await gateway.storage.audit.add({
          ...cliActor(),
          action: 'keys.remove',
          subject: `key:${removed.id}`,
          reason: options.reason ?? '',
          detail: { providerId: removed.providerId, owner: removed.owner, label: removed.label },
        });
        if (options.json) return printJson({ removed });
        process.stdout.write(`Removed ${removed.id} (${removed.providerId}, …${removed.last4}).\n`);
      } finally {
        await gateway.close();
      }
    });

  keys
    .command('rotate-master')
    .description('re-encrypt every key under a new master key, in one transaction')
    .option('-r, --reason <why>', 'why: recorded in the audit log')
    .option('-c, --config <file>', 'configuration file')
    .option('--json', 'print JSON on stdout')
    .action(async (options: { config?: string; json?: boolean; reason?: string }) => {
      const gateway = await openGateway(options);
      try {
        const result = await gateway.vault.rotateMaster();
        await gateway.storage.audit.add({
          ...cliActor(),
          action: 'keys.rotate-master',
          subject: 'vault',
          reason: options.reason ?? '',
          // Fingerprints identify the master keys without revealing them.
          detail: {
            resealed: result.resealed,
            previousFingerprint: result.previousFingerprint,
            fingerprint: result.fingerprint,
            source: result.source,
          },
        });
        if (options.json) return printJson(result);
        process.stdout.write(`${result.notice}\n`);
      } finally {
        await gateway.close();
      }
    });
}
