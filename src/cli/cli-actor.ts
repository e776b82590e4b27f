import os from 'node:os';
import type { AuditActor } from '../storage/index.js';

/** The CLI acts as the administrator (it holds the database); the OS user says who. */
export function cliActor(): AuditActor {
  let user = '';
  try {
    user = os.userInfo().username;
  } catch {
    // No user name (some containers): "admin" alone still says the CLI did it.
  }
  return { actor: user ? `admin (${user})` : 'admin', channel: 'cli' };
}
