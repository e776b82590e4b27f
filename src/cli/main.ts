import { Command, CommanderError } from 'commander';
import { adminTokenCommand } from './commands/admin-token.js';
import { auditCommand } from './commands/audit.js';
import { benchCommand } from './commands/bench.js';
import { alertsCommand } from './commands/bench-alerts.js';
import { configCommand } from './commands/config-check.js';
import { incidentsCommand } from './commands/incidents.js';
import { keysCommand } from './commands/keys.js';
import { localCommand } from './commands/local.js';
import { modelsCommand } from './commands/models.js';
import { providersCommand } from './commands/providers.js';
import { pullCommand } from './commands/pull.js';
import { requestsCommand } from './commands/requests.js';
import { resourcesCommand } from './commands/resources.js';
import { selectCommand } from './commands/select.js';
import { serveCommand } from './commands/serve.js';
import { setupCommand } from './commands/setup.js';
import { usersCommand } from './commands/users.js';
import { versionsCommand } from './commands/versions.js';

const program = new Command('tta-models')
  .description(
    'Model gateway for TTA: one OpenAI-compatible URL over local, OpenRouter and your own models.',
  )
  .version('0.1.0')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

for (const register of [
  setupCommand,
  serveCommand,
  modelsCommand,
  providersCommand,
  requestsCommand,
  configCommand,
  adminTokenCommand,
  keysCommand,
  incidentsCommand,
  benchCommand,
  alertsCommand,
  selectCommand,
  usersCommand,
  auditCommand,
  versionsCommand,
  resourcesCommand,
  localCommand,
  pullCommand,
]) {
  register(program);
}

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Commander already printed help, the version, or what was wrong with the arguments.
    process.exitCode = error.exitCode;
  } else {
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
