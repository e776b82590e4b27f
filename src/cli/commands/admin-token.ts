import type { Command } from 'commander';
import { rotateAdminToken } from '../../access/access-control.js';
import { cliActor } from '../cli-actor.js';
import { openGateway, printJson } from '../context.js';

/** `tta-models admin-token --rotate`: replaces a lost admin token. */
export function adminTokenCommand(program: Command): void {
  program
    .command('admin-token')
    .description(
      'make a new admin token for /api and the dashboard (running servers switch to it within 5 s)',
    )
    .requiredOption('--rotate', 'generate and store a new token, and print it once')
    .option('-r, --reason <why>', 'why: recorded in the audit log')
    .option('-c, --config <file>', 'configuration file')
    .option('--json', 'print JSON on stdout')
    .action(async (options: { config?: string; json?: boolean; reason?: string }) => {
      const gateway = await openGateway(options);
      try {
        if (gateway.access.adminTokenSource === 'environment') {
          throw new Error(
            'TTA_MODELS_ADMIN_TOKEN is set, so it is the admin token; change that variable instead.',
          );
        }
        const token = await rotateAdminToken(gateway.storage.settings);
        await gateway.storage.audit.add({
          ...cliActor(),
          action: 'admin-token.rotate',
          subject: 'admin-token',
          reason: options.reason ?? '',
          detail: {},
        });
        if (options.json) return printJson({ adminToken: token });
        process.stdout.write(`${token}\n`);
        process.stderr.write(
          'Keep it safe: only its hash is stored. Running servers accept it, and refuse the old one, within 5 s.\n',
        );
      } finally {
        await gateway.close();
      }
    });
}
