/**
 * Child processes of the benchmark and the load suite: spawning them (TypeScript entries
 * through tsx), waiting for their IPC messages, reading their peak memory, and making sure
 * none outlives the run — on normal exit, on error and on SIGINT/SIGTERM.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** A running child process. */
export interface ChildHandle {
  /** Name used in messages. */
  readonly name: string;
  /** The process itself. */
  readonly process: ChildProcess;
  /** Its pid. */
  readonly pid: number;
  /** The last few kilobytes it wrote to stdout and stderr. */
  output(): string;
  /** The last few kilobytes of its pino warn, error and fatal lines (info lines crowd `output`). */
  warnings(): string;
  /** Resolves when it has exited, with a description of how. */
  readonly exited: Promise<string>;
}

/** How to spawn a child. */
export interface SpawnOptions {
  /** Name used in messages. */
  name: string;
  /** Executable. */
  command: string;
  /** Arguments. */
  args: string[];
  /** Working directory (default: this process's). */
  cwd?: string;
  /** Extra environment variables, on top of this process's. */
  env?: Record<string, string>;
  /** Open an IPC channel (structured-clone serialisation). */
  ipc?: boolean;
}

const live = new Set<ChildProcess>();
const outputLimit = 8192;

/** Spawns a child whose output is kept (not shown) and which is killed when the run ends. */
export function spawnChild(options: SpawnOptions): ChildHandle {
  const child = spawn(options.command, options.args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: options.ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
    serialization: 'advanced',
  });
  if (child.pid === undefined) throw new Error(`could not start ${options.name}`);
  live.add(child);
  let output = '';
  let warnings = '';
  const keep = (chunk: Buffer): void => {
    const text = chunk.toString('utf8');
    output = (output + text).slice(-outputLimit);
    if (text.includes('"level":')) {
      const lines = text.split('\n').filter((line) => /"level":(40|50|60)\b/.test(line));
      if (lines.length > 0) warnings = `${warnings}${lines.join('\n')}\n`.slice(-outputLimit);
    }
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => {
      live.delete(child);
      resolve(signal === null ? `exit code ${code}` : `signal ${signal}`);
    });
    child.once('error', (error) => {
      live.delete(child);
      resolve(`spawn error: ${error.message}`);
    });
  });
  return {
    name: options.name,
    process: child,
    pid: child.pid,
    output: () => output,
    warnings: () => warnings,
    exited,
  };
}

/** Spawns a TypeScript entry file with Node and the tsx loader, with an IPC channel. */
export function spawnTypeScript(
  name: string,
  file: string,
  env: Record<string, string> = {},
): ChildHandle {
  return spawnChild({
    name,
    command: process.execPath,
    args: ['--import', 'tsx', file],
    env,
    ipc: true,
  });
}

/** Describes why a child failed, with the tail of its output. */
export function childFailure(handle: ChildHandle, what: string): Error {
  const tail = handle.output().trim();
  return new Error(`${handle.name} ${what}${tail ? `; its last output:\n${tail}` : ''}`);
}

/**
 * Resolves with the first IPC message `pick` maps to a value; rejects if the child exits
 * or `timeoutMs` passes first.
 */
export function waitForMessage<T>(
  handle: ChildHandle,
  pick: (message: unknown) => T | undefined,
  timeoutMs: number,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onMessage = (message: unknown): void => {
      const value = pick(message);
      if (value === undefined) return;
      finish();
      resolve(value);
    };
    const timer = setTimeout(() => {
      finish();
      reject(childFailure(handle, `sent no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    let settled = false;
    handle.exited.then((how) => {
      if (settled) return;
      finish();
      reject(childFailure(handle, `exited (${how})`));
    });
    function finish(): void {
      settled = true;
      clearTimeout(timer);
      handle.process.off('message', onMessage);
    }
    handle.process.on('message', onMessage);
  });
}

/** Sends an IPC message. */
export function sendMessage(handle: ChildHandle, message: unknown): void {
  if (!handle.process.connected) throw childFailure(handle, 'is no longer connected');
  handle.process.send(message as object);
}

/** Stops a child: SIGTERM, then SIGKILL after `graceMs`. */
export async function stopChild(handle: ChildHandle, graceMs = 3000): Promise<void> {
  const child = handle.process;
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await handle.exited;
  clearTimeout(timer);
}

/** Kills every child still running, at once and synchronously (for exit handlers). */
export function killAllChildren(): void {
  for (const child of live) child.kill('SIGKILL');
  live.clear();
}

/**
 * Kills the children whenever this process ends: on exit, and on SIGINT/SIGTERM after
 * `onSignal` (which may clean up files) has run.
 */
export function installCleanup(onSignal: () => void): void {
  process.once('exit', killAllChildren);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      process.stderr.write(`\n${signal}: stopping the child processes\n`);
      killAllChildren();
      onSignal();
      process.exit(130);
    });
  }
}

/** A process's peak resident set size (VmHWM) in bytes, or undefined when it cannot be read. */
export function peakRssBytes(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kilobytes = /^VmHWM:\s+(\d+)\s+kB/m.exec(status)?.[1];
    return kilobytes === undefined ? undefined : Number(kilobytes) * 1024;
  } catch {
    return undefined;
  }
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
