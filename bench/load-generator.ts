/**
 * Child-process entry of the load generator: runs the jobs the benchmark sends over IPC,
 * one at a time, and answers with their figures. It exits when the parent goes away.
 */
import type { LoadReplyMessage, LoadRequestMessage } from './load-jobs.js';
import { runJob } from './load-phases.js';

function reply(message: LoadReplyMessage): void {
  process.send?.(message);
}

process.on('message', (message: LoadRequestMessage) => {
  if (message.type !== 'run') return;
  runJob(message.job).then(
    (result) => reply({ type: 'result', id: message.id, result }),
    (error: unknown) => reply({ type: 'failed', id: message.id, message: String(error) }),
  );
});
process.on('disconnect', () => process.exit(0));
reply({ type: 'ready' });
