import { type Command, InvalidArgumentError } from 'commander';
import type { ExpiryRequest } from '../../access/token-expiry.js';
import type { UserListing } from '../../access/user-tokens.js';
import type { UsageReport } from '../../access/user-usage-limits.js';
import type { UsageLimits, UserLimitOverrides } from '../../storage/index.js';
import { cliActor } from '../cli-actor.js';
import { openGateway, printJson } from '../context.js';
import { printTable } from '../print-table.js';

interface Common {
  config?: string;
  json?: boolean;
  reason?: string;
}

interface ExpiryOptions {
  expiresIn?: string;
  expiresAt?: string;
  expiry?: boolean;
}

/** Commander turns a parser's null into '', so "no limit" travels as 'none'. */
type LimitOptions = { [Limit in keyof UsageLimits]?: number | 'none' | 'default' };

/** A limit value: a number, `none` (no limit for this user) or `default` (config.yaml's). */
function limitValue(integer: boolean) {
  return (text: string): number | 'none' | 'default' => {
    if (text === 'none' || text === 'default') return text;
    const value = Number(text);
    if (!Number.isFinite(value) || value < 0 || (integer && !Number.isInteger(value)))
      throw new InvalidArgumentError(
        `expected ${integer ? 'a whole number' : 'a number'} from 0, "none" (no limit) or "default" (limits.users of config.yaml).`,
      );
    return value;
  };
}

function withLimitOptions(command: Command): Command {
  return command
    .option(
      '--requests-per-minute <n>',
      'chat requests per minute (or none, default)',
      limitValue(true),
    )
    .option(
      '--requests-per-day <n>',
      'chat requests per UTC day (or none, default)',
      limitValue(true),
    )
    .option('--tokens-per-day <n>', 'tokens per UTC day (or none, default)', limitValue(true))
    .option(
      '--cost-per-day-usd <usd>',
      'spend per UTC day in USD (or none, default)',
      limitValue(false),
    );
}

function withExpiryOptions(command: Command, keep: string): Command {
  return command
    .option('--expires-in <lifetime>', 'the token expires after this long: 30d, 12h, 90m, 2w')
    .option('--expires-at <when>', 'the token expires then (ISO 8601, e.g. 2027-01-31T00:00:00Z)')
    .option('--no-expiry', `the token never expires (default: ${keep})`);
}

/** The limit options given, merged over `current` (`default` removes an override). */
function mergeLimits(current: UserLimitOverrides, options: LimitOptions): UserLimitOverrides {
  const merged: UserLimitOverrides = { ...current };
  for (const name of [
    'requestsPerMinute',
    'requestsPerDay',
    'tokensPerDay',
    'costPerDayUsd',
  ] as const) {
    const value = options[name];
    if (value === 'default') delete merged[name];
    else if (value === 'none') merged[name] = null;
    else if (value !== undefined) merged[name] = value;
  }
  return merged;
}

function expiryOf(options: ExpiryOptions): ExpiryRequest {
  return {
    ...(options.expiresIn === undefined ? {} : { expiresIn: options.expiresIn }),
    ...(options.expiresAt === undefined ? {} : { expiresAt: options.expiresAt }),
    ...(options.expiry === false ? { never: true } : {}),
  };
}

function when(epochMs: number | null): string {
  return epochMs === null ? '' : new Date(epochMs).toISOString().replace('T', ' ').slice(0, 16);
}

/** `rpd=100 tokens=50000 $=2` for a table cell. */
function limitsText(limits: UserLimitOverrides | UsageLimits): string {
  const parts: string[] = [];
  const show = (label: string, value: number | null | undefined) => {
    if (value !== undefined) parts.push(`${label}=${value === null ? 'none' : value}`);
  };
  show('rpm', limits.requestsPerMinute);
  show('rpd', limits.requestsPerDay);
  show('tokens', limits.tokensPerDay);
  show('$', limits.costPerDayUsd);
  return parts.join(' ');
}

function printIssued(issued: { user: UserListing; token: string }, verb: string): void {
  process.stdout.write(`${issued.token}\n`);
  const expiry =
    issued.user.expiresAt === null
      ? 'It never expires.'
      : `It expires at ${new Date(issued.user.expiresAt).toISOString()}.`;
  process.stderr.write(
    `User ${issued.user.name} (${issued.user.id}) ${verb}. ${expiry} Keep the token: it is not shown again.\n`,
  );
}

/** `tta-models users`: players and services with their own tokens, expiry and limits. */
export function usersCommand(program: Command): void {
  const users = program
    .command('users')
    .description('users with their own tokens (and their own provider keys), expiry and limits');

  withLimitOptions(
    withExpiryOptions(
      users
        .command('add')
        .description('add a user and print its token once (only its hash is stored)')
        .argument('<name>', 'a unique name')
        .option('--admin', 'the user may use the management API'),
      'never',
    ),
  )
    .option('-r, --reason <why>', 'why: recorded in the audit log')
    .option('-c, --config <file>', 'configuration file')
    .option('--json', 'print JSON on stdout')
    .action(
      async (
        name: string,
        options: Common & ExpiryOptions & LimitOptions & { admin?: boolean },
      ) => {
        const gateway = await openGateway(options);
        try {
          const limits = mergeLimits({}, options);
          const issued = await gateway.users.add(name, options.admin ? 'admin' : 'user', {
            expiry: expiryOf(options),
            ...(Object.keys(limits).length > 0 ? { limits } : {}),
            by: { ...cliActor(), ...(options.reason ? { reason: options.reason } : {}) },
          });
          if (options.json) return printJson(issued);
          printIssued(issued, 'added');
        } finally {
          await gateway.close();
        }
      },
    );

  users
    .command('list')
    .description('every user, revoked ones included, with status, expiry and own limits')
    .option('-c, --config <file>', 'configuration file')
    .option('--json', 'print JSON on stdout')
    .action(async (options: Common) => {
      const gateway = await openGateway(options);
      try {
        const list = await gateway.users.list();
        if (options.json) return printJson({ users: list });
        printTable(
          ['ID', 'NAME', 'ROLE', 'STATUS', 'CREATED', 'EXPIRES', 'REVOKED', 'OWN LIMITS'],
          list.map((user) => [
            user.id,
            user.name,
            user.role,
            user.status,
            when(user.createdAt),
            user.expiresAt === null ? 'never' : when(user.expiresAt),
            when(user.revokedAt),
            limitsText(user.limits),
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
    .option('-r, --reason <why>', 'why: recorded in the audit log')
    .option('-c, --config <file>', 'configuration file')
    .action(async (user: string, options: Common) => {
      const gateway = await openGateway(options);
      try {
        const by = { ...cliActor(), ...(options.reason ? { reason: options.reason } : {}) };
        if (!(await gateway.users.revoke(user, by))) throw new Error(`no active user "${user}".`);
        process.stdout.write(`Revoked ${user}.\n`);
      } finally {
        await gateway.close();
      }
    });

  withExpiryOptions(
    users
      .command('rotate')
      .description('give a user a new token (printed once); the old one stops working')
      .argument('<user>', 'id or name'),
    'keep the current expiry',
  )
    .option('-r, --reason <why>', 'why: recorded in the audit log')
    .option('-c, --config <file>', 'configuration file')
    .option('--json', 'print JSON on stdout')
    .action(async (user: string, options: Common & ExpiryOptions) => {
      const gateway = await openGateway(options);
      try {
        const issued = await gateway.users.rotate(user, {
          expiry: expiryOf(options),
          by: { ...cliActor(), ...(options.reason ? { reason: options.reason } : {}) },
        });
        if (!issued) throw new Error(`no active user "${user}".`);
        if (options.json) return printJson(issued);
        printIssued(issued, 'has a new token');
      } finally {
        await gateway.close();
      }
    });

  withLimitOptions(
    users
      .command('limits')
      .description(
        "set a user's own rate limits and budgets over limits.users of config.yaml (the options given change; the rest stay)",
      )
      .argument('<user>', 'id or name')
      .option('--clear', "drop the user's own limits: config.yaml's apply"),
  )
    .option('-r, --reason <why>', 'why: recorded in the audit log')
    .option('-c, --config <file>', 'configuration file')
    .option('--json', 'print JSON on stdout')
    .action(async (user: string, options: Common & LimitOptions & { clear?: boolean }) => {
      const gateway = await openGateway(options);
      try {
        const current = await gateway.users.get(user);
        if (!current || current.status === 'revoked') throw new Error(`no active user "${user}".`);
        const limits = mergeLimits(options.clear ? {} : current.limits, options);
        const updated = await gateway.users.setLimits(current.id, limits, {
          ...cliActor(),
          ...(options.reason ? { reason: options.reason } : {}),
        });
        if (!updated) throw new Error(`no active user "${user}".`);
        const inForce = gateway.userLimits.limitsFor(updated.limits);
        if (options.json) return printJson({ user: updated, inForce });
        process.stdout.write(
          `${updated.name}: ${limitsText(inForce) || 'no limits'} (own: ${limitsText(updated.limits) || 'none'}).\n`,
        );
      } finally {
        await gateway.close();
      }
    });

  users
    .command('usage')
    .description(
      "today's requests, tokens and spend of every active user (or one) against their limits",
    )
    .argument('[user]', 'id or name')
    .option('-c, --config <file>', 'configuration file')
    .option('--json', 'print JSON on stdout')
    .action(async (user: string | undefined, options: Common) => {
      const gateway = await openGateway(options);
      try {
        let reports: UsageReport[];
        if (user) {
          const found = await gateway.users.get(user);
          if (!found) throw new Error(`no user "${user}".`);
          reports = [await gateway.userLimits.report(found)];
        } else {
          const active = (await gateway.users.list()).filter((each) => each.status !== 'revoked');
          reports = await gateway.userLimits.reportAll(active);
        }
        if (options.json) return printJson({ usage: reports });
        printTable(
          ['NAME', 'DAY', 'REQUESTS', 'TOKENS', 'COST USD', 'LIMITS'],
          reports.map((report) => [
            report.name,
            report.day,
            String(report.used.requests),
            String(report.used.tokens),
            report.used.costUsd.toFixed(4),
            limitsText(report.limits) || 'none',
          ]),
        );
      } finally {
        await gateway.close();
      }
    });
}
