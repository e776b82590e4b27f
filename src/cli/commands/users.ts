import type { Command } from 'commander';
import { openGateway, printJson } from '../context.js';
import { printTable } from '../print-table.js';

/** `tta-models users`: players and services with their own tokens. */
export function usersCommand(program: Command): void {
  const users = program
    .command('users')
    .description('users with their own tokens (and their own provider keys)');

  users
    .command('add')
    .description('add a user and print its token once (only its hash is stored)')
    .argument('<name>', 'a unique name')
    .option('--admin', 'the user may use the management API')
    .option('-c, --config <file>', 'configuration file')
    .option('--json', 'print JSON on stdout')
    .action(async (name: string, options: { config?: string; admin?: boolean; json?: boolean }) => {
      const gateway = await openGateway(options);
      try {
        const issued = await gateway.users.add(name, options.admin ? 'admin' : 'user');
        if (options.json) return printJson(issued);
        process.stdout.write(`${issued.token}\n`);
        process.stderr.write(
          `User ${issued.user.name} (${issued.user.id}) added. Keep the token: it is not shown again.\n`,
        );
      } finally {
        await gateway.close();
      }
    });

  users
    .command('list')
    .description('every user, revoked ones included')
    .option('-c, --config <file>', 'configuration file')
    .option('--json', 'print JSON on stdout')
    .action(async (options: { config?: string; json?: boolean }) => {
      const gateway = await openGateway(options);
      try {
        const list = await gateway.users.list();
        if (options.json) return printJson({ users: list });
        printTable(
          ['ID', 'NAME', 'ROLE', 'CREATED', 'REVOKED'],
          list.map((user) => [
            user.id,
            user.name,
            user.role,
            new Date(user.createdAt).toISOString(),
            user.revokedAt === null ? '' : new Date(user.revokedAt).toISOString(),
          ]),
        );
      } finally {
        await gateway.close();
      }
    });

  users
    .command('revoke')
    .description('revoke a user; its token stops working')
    .argument('<user>', 'id or name')
    .option('-c, --config <file>', 'configuration file')
    .action(async (user: string, options: { config?: string }) => {
      const gateway = await openGateway(options);
      try {
        if (!(await gateway.users.revoke(user))) throw new Error(`no active user "${user}".`);
        process.stdout.write(`Revoked ${user}.\n`);
      } finally {
        await gateway.close();
      }
    });
}
